"""Reading the multipart forms: the report form and the agency transition (``photos`` or
``photos[]`` for the files)."""

from __future__ import annotations

import email.message
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from feedback.config import FeedbackSettings
from feedback.errors import InvalidPhoto, PhotoTooLarge, TooManyPhotos
from feedback.reports import ReportInput
from feedback.schemas import TransitionIn
from superapp.errors import AppError

PHOTO_FIELDS = ("photos", "photos[]")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
MAX_FORM_FILES = 50
TRANSITION_FIELDS = ("status", "note", "agency_code")


class UnsupportedForm(AppError):
    status = 415
    code = "feedback.form_required"


def _no_file_chosen(item: object) -> bool:
    """A file input left empty: browsers send an empty part named ``filename=""``, some clients
    an empty part without a file name."""
    if isinstance(item, UploadFile):
        return not item.filename and item.size == 0
    return item == ""


async def read_photos(form: FormData, settings: FeedbackSettings) -> list[bytes]:
    """The uploaded photos' bytes, checked for number and size (not yet for type)."""
    uploads = [item for name in PHOTO_FIELDS for item in form.getlist(name) if not _no_file_chosen(item)]
    if len(uploads) > settings.max_photos:
        raise TooManyPhotos(params={"max": settings.max_photos}, max_photos=settings.max_photos)
    photos: list[bytes] = []
    for index, item in enumerate(uploads):
        if not isinstance(item, UploadFile):
            raise InvalidPhoto(index=index, reason="not_a_file")
        data = await item.read(settings.max_photo_bytes + 1)
        if len(data) > settings.max_photo_bytes:
            raise PhotoTooLarge(
                params={"max_mb": settings.max_photo_bytes // (1024 * 1024)},
                index=index,
                max_bytes=settings.max_photo_bytes,
            )
        photos.append(data)
    return photos


async def read_report_form(request: Request, settings: FeedbackSettings) -> ReportInput:
    ctype = (request.headers.get("content-type") or "").lower()
    if not ctype.startswith(FORM_TYPES):
        raise UnsupportedForm()
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=50)
    try:
        photos = await read_photos(form, settings)

        def text(name: str) -> str | None:
            value = form.get(name)
            return value if isinstance(value, str) else None

        return ReportInput(
            category=(text("category") or "").strip(),
            description=text("description") or "",
            latitude=text("latitude"),
            longitude=text("longitude"),
            address=text("address"),
            photos=photos,
        )
    finally:
        await form.close()


# --- the agency transition: JSON, or multipart with photos ---------------------------------------

_MISSING: Any = object()


@dataclass(frozen=True)
class TransitionBody:
    """The transition request as received: a JSON body already decoded, a form read later."""

    form: bool
    value: Any = _MISSING


def _is_form(content_type: str | None) -> bool:
    return (content_type or "").lower().startswith(FORM_TYPES)


def _is_json(content_type: str) -> bool:
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


async def transition_body(request: Request) -> TransitionBody:
    """Decode a JSON body before the caller is authenticated, as a declared JSON body is, so
    that a JSON request is answered as it always was; a multipart form waits for the handler."""
    ctype = request.headers.get("content-type")
    if _is_form(ctype):
        return TransitionBody(form=True)
    raw = await request.body()
    if not raw:
        return TransitionBody(form=False)
    if not ctype or not _is_json(ctype):
        return TransitionBody(form=False, value=raw)
    try:
        return TransitionBody(form=False, value=json.loads(raw))
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {},
              "ctx": {"error": exc.msg}}],
            body=exc.doc,
        ) from exc
    except ValueError as exc:  # not UTF-8/16/32
        raise HTTPException(status_code=400, detail="There was an error parsing the body") from exc


TransitionBodyDep = Annotated[TransitionBody, Depends(transition_body)]


def _transition_in(value: Any) -> TransitionIn:
    if value is _MISSING:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    try:
        return TransitionIn.model_validate(value, from_attributes=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from exc


async def read_transition(
    request: Request, body: TransitionBody, settings: FeedbackSettings
) -> tuple[TransitionIn, list[bytes]]:
    """The transition's fields and, from a form, its photos (checked like a report's)."""
    if not body.form:
        return _transition_in(body.value), []
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=50)
    try:
        fields: dict[str, str] = {}
        for name in TRANSITION_FIELDS:
            value = form.get(name)
            if isinstance(value, str) and (value or name != "agency_code"):
                fields[name] = value
        data = _transition_in(fields)
        return data, await read_photos(form, settings)
    finally:
        await form.close()

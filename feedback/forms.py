"""Reading the multipart report form (``photos`` or ``photos[]`` for the files)."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import UploadFile

from feedback.config import FeedbackSettings
from feedback.errors import InvalidPhoto, PhotoTooLarge, TooManyPhotos
from feedback.reports import ReportInput
from superapp.errors import AppError

PHOTO_FIELDS = ("photos", "photos[]")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
MAX_FORM_FILES = 50


class UnsupportedForm(AppError):
    status = 415
    code = "feedback.form_required"


async def read_report_form(request: Request, settings: FeedbackSettings) -> ReportInput:
    ctype = (request.headers.get("content-type") or "").lower()
    if not ctype.startswith(FORM_TYPES):
        raise UnsupportedForm()
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=50)
    try:
        uploads = [item for name in PHOTO_FIELDS for item in form.getlist(name)]
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

"""Submitting a report: checks, routing to an agency, deadlines, photos, tracking code."""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import geo
from feedback import repository as repo
from feedback.config import FeedbackSettings, feedback_settings
from feedback.errors import (
    Banned,
    CategoryNotFound,
    InvalidDescription,
    InvalidField,
    InvalidLocation,
    InvalidPhoto,
    OutsideServiceArea,
    PhotoTooLarge,
    TooManyPhotos,
)
from feedback.images import OUTPUT_CONTENT_TYPE, PhotoRejected, ProcessedPhoto, process_photo
from feedback.models import Photo, Report
from feedback.reference import reference
from feedback.workflow import Actor, deadlines, record
from superapp.db import utcnow
from superapp.storage import storage_for

if TYPE_CHECKING:
    from superapp.context import AppContext

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_ATTEMPTS = 8
DESCRIPTION_MIN, DESCRIPTION_MAX = 10, 2000
ADDRESS_MAX = 300


@dataclass
class ReportInput:
    category: str
    description: str
    latitude: float | str | None
    longitude: float | str | None
    address: str | None = None
    photos: list[bytes] = field(default_factory=list)


def tracking_code(now: datetime, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """``HN-YYMM-XXXXXX``: month of submission (local time) and 6 Crockford base32 characters."""
    local = now.astimezone(ZoneInfo(tz))
    suffix = "".join(secrets.choice(CROCKFORD) for _ in range(6))
    return f"HN-{local:%y%m}-{suffix}"


def parse_coordinate(raw: object, name: str, low: float, high: float) -> float:
    try:
        value = float(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidLocation(field=name) from exc
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidLocation(field=name)
    return value


def clean_description(text: str | None) -> str:
    value = (text or "").strip()
    if not DESCRIPTION_MIN <= len(value) <= DESCRIPTION_MAX:
        raise InvalidDescription(
            params={"min": DESCRIPTION_MIN, "max": DESCRIPTION_MAX},
            min_length=DESCRIPTION_MIN,
            max_length=DESCRIPTION_MAX,
        )
    return value


def clean_address(text: str | None) -> str | None:
    value = (text or "").strip()
    if len(value) > ADDRESS_MAX:
        raise InvalidField(field="address", max_length=ADDRESS_MAX)
    return value or None


def check_photo_limits(photos: list[bytes], settings: FeedbackSettings) -> None:
    if len(photos) > settings.max_photos:
        raise TooManyPhotos(params={"max": settings.max_photos}, max_photos=settings.max_photos)
    for index, data in enumerate(photos):
        if len(data) > settings.max_photo_bytes:
            raise PhotoTooLarge(
                params={"max_mb": settings.max_photo_bytes // (1024 * 1024)},
                index=index,
                max_bytes=settings.max_photo_bytes,
            )
        if not data:
            raise InvalidPhoto(index=index, reason="not_an_image")


async def process_photos(photos: list[bytes], settings: FeedbackSettings) -> list[ProcessedPhoto]:
    """Decode and re-encode each upload in a worker thread."""
    out = []
    for index, data in enumerate(photos):
        try:
            out.append(
                await anyio.to_thread.run_sync(
                    lambda d=data: process_photo(
                        d,
                        max_pixels=settings.max_photo_pixels,
                        max_side=settings.photo_max_side,
                        thumb_side=settings.thumbnail_side,
                    )
                )
            )
        except PhotoRejected as exc:
            raise InvalidPhoto(index=index, reason=exc.reason) from exc
    return out


async def _check_ban(session: AsyncSession, account_id: uuid.UUID) -> None:
    ban = await repo.ban(session, account_id)
    if ban is None:
        return
    until = repo.aware(ban.until)
    if until is None or until > utcnow():
        raise Banned(until=until.isoformat() if until else None)


async def store_photos(
    ctx: AppContext,
    session: AsyncSession,
    report: Report,
    photos: list[ProcessedPhoto],
    *,
    kind: str = "report",
    event_id: uuid.UUID | None = None,
    ids: list[uuid.UUID] | None = None,
    first_position: int = 0,
    written: list[str] | None = None,
) -> list[Photo]:
    """Write the photos and their thumbnails to media storage and add their rows.

    Every key written is appended to ``written`` as it is stored, so that a caller can remove
    them if the request fails afterwards.
    """
    store = storage_for(ctx)
    written = [] if written is None else written
    rows: list[Photo] = []
    local = repo.aware(report.created_at)
    for index, item in enumerate(photos):
        photo_id = uuid.uuid4().hex
        key = f"feedback/{local:%Y/%m}/{report.id.hex}/{photo_id}.jpg"
        thumb = f"feedback/{local:%Y/%m}/{report.id.hex}/{photo_id}.thumb.jpg"
        await store.put(key, item.image, OUTPUT_CONTENT_TYPE)
        written.append(key)
        await store.put(thumb, item.thumbnail, OUTPUT_CONTENT_TYPE)
        written.append(thumb)
        row = Photo(
            report_id=report.id,
            kind=kind,
            event_id=event_id,
            position=first_position + index,
            key=key,
            thumbnail_key=thumb,
            content_type=OUTPUT_CONTENT_TYPE,
            width=item.width,
            height=item.height,
            size_bytes=len(item.image),
        )
        if ids is not None:
            row.id = ids[index]
        session.add(row)
        rows.append(row)
    return rows


async def remove_written(ctx: AppContext, keys: list[str]) -> None:
    store = storage_for(ctx)
    for key in keys:
        await store.delete(key)


async def _insert_with_code(session: AsyncSession, report: Report) -> None:
    """Insert the report, drawing another tracking code if the first one is taken."""
    for _ in range(TRACKING_ATTEMPTS):
        try:
            async with session.begin_nested():
                session.add(report)
                await session.flush()
            return
        except IntegrityError:
            if not await repo.tracking_code_taken(session, report.tracking_code):
                raise
            report.tracking_code = tracking_code(utcnow())
    raise RuntimeError("could not draw a free tracking code")


async def submit(
    ctx: AppContext,
    session: AsyncSession,
    data: ReportInput,
    *,
    actor: Actor,
    reporter_id: uuid.UUID | None,
    client_id: str | None,
    source: str = "app",
) -> Report:
    """Create a report in ``submitted`` state; flush only (the request commits)."""
    settings = feedback_settings(ctx)
    if reporter_id is not None:
        await _check_ban(session, reporter_id)
    ref = await reference(ctx, session)
    category = ref.categories.get(data.category)
    if category is None or not category.active:
        raise CategoryNotFound(category=data.category)
    description = clean_description(data.description)
    address = clean_address(data.address)
    latitude = parse_coordinate(data.latitude, "latitude", -90, 90)
    longitude = parse_coordinate(data.longitude, "longitude", -180, 180)
    location = (await geo.area_index(ctx, session)).locate(latitude, longitude)
    if location is None:
        raise OutsideServiceArea()
    check_photo_limits(data.photos, settings)
    processed = await process_photos(data.photos, settings)

    now = utcnow()
    ack_due, due = deadlines(ctx, now, category.severity_default)
    report = Report(
        tracking_code=tracking_code(now, settings.timezone),
        reporter_id=reporter_id,
        source=source,
        client_id=client_id,
        category_code=category.code,
        description=description,
        latitude=latitude,
        longitude=longitude,
        cell=geo.cell_of(latitude, longitude),
        address=address,
        district_code=location.district_code,
        ward_code=location.ward_code,
        agency_code=ref.agency_for(category, location.ward_code, location.district_code),
        severity=category.severity_default,
        status="submitted",
        created_at=now,
        updated_at=now,
        ack_due_at=ack_due,
        due_at=due,
    )
    await _insert_with_code(session, report)
    written: list[str] = []
    try:
        await store_photos(ctx, session, report, processed, written=written)
        # A new report has no followers and its reporter is the actor: nobody to notify yet.
        await record(ctx, session, report, actor=actor, action="submit", to_status="submitted", notify=False)
    except BaseException:
        await remove_written(ctx, written)
        raise
    return report

"""Request and response models, and the functions that present rows to each audience.

Three projections of a report: ``ReportDetail`` (the reporter and staff), ``PublicReport``
(anyone: no reporter identity, no contact, no photo metadata) and ``NearbyReport``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from feedback.models import Category, Photo, Report, TimelineEntry
from feedback.repository import aware
from feedback.workflow import is_ack_overdue, is_overdue

PHOTO_PATH = "/v1/feedback/photos/{id}"
THUMB_PATH = "/v1/feedback/photos/{id}/thumbnail"


def localized(names: dict[str, str], lang: str) -> str:
    return names.get(lang) or names.get("vi") or next(iter(names.values()), "")


class CategoryOut(BaseModel):
    code: str
    name: str
    agency_code: str
    severity_default: str
    group: str
    description: str


def category_out(c: Category, lang: str) -> CategoryOut:
    return CategoryOut(
        code=c.code,
        name=localized(c.name, lang),
        agency_code=c.agency_code,
        severity_default=c.severity_default,
        group=c.group,
        description=localized(c.description, lang),
    )


class ReportCreated(BaseModel):
    id: uuid.UUID
    tracking_code: str
    status: str


class PublicPhoto(BaseModel):
    url: str
    thumbnail_url: str


class PhotoOut(PublicPhoto):
    id: uuid.UUID
    width: int
    height: int


class ResolutionPhotoOut(PhotoOut):
    """A photo an agency officer attached to a status change (``event_id``: its timeline entry)."""

    event_id: uuid.UUID | None
    created_at: datetime


class RatingOut(BaseModel):
    score: int
    comment: str | None
    rated_at: datetime | None


class PublicReport(BaseModel):
    id: uuid.UUID
    tracking_code: str
    status: str
    category: str
    description: str
    latitude: float
    longitude: float
    address: str | None
    district_code: str | None
    agency_code: str | None
    status_note: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    photos: list[PublicPhoto]


class ReportDetail(PublicReport):
    ward_code: str | None
    severity: str
    source: str
    duplicate_of: uuid.UUID | None
    ack_due_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    ack_overdue: bool
    rating: RatingOut | None
    photos: list[PhotoOut]  # type: ignore[assignment]
    reporter_id: uuid.UUID | None = None
    resolution_photos: list[ResolutionPhotoOut] = Field(default_factory=list)


def _public_photo(p: Photo) -> PublicPhoto:
    return PublicPhoto(url=PHOTO_PATH.format(id=p.id), thumbnail_url=THUMB_PATH.format(id=p.id))


def public_report(r: Report, photos: list[Photo]) -> PublicReport:
    return PublicReport(
        id=r.id,
        tracking_code=r.tracking_code,
        status=r.status,
        category=r.category_code,
        description=r.description,
        latitude=r.latitude,
        longitude=r.longitude,
        address=r.address,
        district_code=r.district_code,
        agency_code=r.agency_code,
        status_note=r.status_note,
        created_at=aware(r.created_at),
        updated_at=aware(r.updated_at),
        resolved_at=aware(r.resolved_at),
        photos=[_public_photo(p) for p in photos],
    )


def _photo_out(p: Photo) -> PhotoOut:
    return PhotoOut(id=p.id, width=p.width, height=p.height, **_public_photo(p).model_dump())


def report_detail(r: Report, photos: list[Photo], now: datetime, *, staff: bool) -> ReportDetail:
    """``photos`` may hold every kind: the citizen's go to ``photos``, the officers' to
    ``resolution_photos``."""
    base = public_report(r, []).model_dump(exclude={"photos"})
    rating = None
    if r.rating_score is not None:
        rating = RatingOut(score=r.rating_score, comment=r.rating_comment, rated_at=aware(r.rated_at))
    return ReportDetail(
        **base,
        ward_code=r.ward_code,
        severity=r.severity,
        source=r.source,
        duplicate_of=r.duplicate_of_id,
        ack_due_at=aware(r.ack_due_at),
        due_at=aware(r.due_at),
        acknowledged_at=aware(r.acknowledged_at),
        closed_at=aware(r.closed_at),
        overdue=is_overdue(r, now),
        ack_overdue=is_ack_overdue(r, now),
        rating=rating,
        photos=[_photo_out(p) for p in photos if p.kind != "resolution"],
        reporter_id=r.reporter_id if staff else None,
        resolution_photos=[
            ResolutionPhotoOut(**_photo_out(p).model_dump(), event_id=p.event_id, created_at=aware(p.created_at))
            for p in photos
            if p.kind == "resolution"
        ],
    )


class NearbyReport(BaseModel):
    id: uuid.UUID
    tracking_code: str
    status: str
    category: str
    description: str | None
    latitude: float
    longitude: float
    distance_m: float
    created_at: datetime


class TimelineItem(BaseModel):
    id: uuid.UUID
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    note: str | None
    agency_code: str | None
    actor_role: str
    actor_id: uuid.UUID | None = None
    photos: list[PublicPhoto] = Field(default_factory=list)


def _entry_photos(e: TimelineEntry) -> list[PublicPhoto]:
    ids = (e.detail or {}).get("photos") or []
    return [PublicPhoto(url=PHOTO_PATH.format(id=i), thumbnail_url=THUMB_PATH.format(id=i)) for i in ids]


def timeline_item(e: TimelineEntry, *, staff: bool) -> TimelineItem:
    return TimelineItem(
        id=e.id,
        at=aware(e.at),
        action=e.action,
        from_status=e.from_status,
        to_status=e.to_status,
        note=e.note,
        agency_code=e.agency_code,
        actor_role=e.actor_role,
        actor_id=e.actor_id if staff else None,
        photos=_entry_photos(e),
    )


class ModerateIn(BaseModel):
    action: Literal["approve", "reject", "hide", "merge", "route"]
    reason: str | None = Field(default=None, max_length=2000)
    duplicate_of: str | None = Field(default=None, max_length=64)
    agency_code: str | None = Field(default=None, max_length=50)
    severity: Literal["urgent", "normal", "complex"] | None = None


class TransitionIn(BaseModel):
    status: Literal["in_progress", "resolved", "reassign"]
    note: str = Field(min_length=1, max_length=2000)
    agency_code: str | None = Field(default=None, max_length=50)


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)


class FollowOut(BaseModel):
    report_id: uuid.UUID
    following: bool


class BanIn(BaseModel):
    account_id: uuid.UUID
    reason: str = Field(min_length=1, max_length=500)
    until: datetime | None = None


class BanOut(BaseModel):
    account_id: uuid.UUID
    reason: str
    banned_by: uuid.UUID | None
    created_at: datetime
    until: datetime | None

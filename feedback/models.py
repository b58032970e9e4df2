"""Feedback tables: areas, agencies, categories, reports, photos, timeline, follows, bans.

Area boundaries are stored as GeoJSON text and loaded into shapely once per process
(:mod:`feedback.geo`). Report ids are UUIDv7, so ordering by id is ordering by submission time.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column

STATUSES = ("submitted", "approved", "assigned", "in_progress", "resolved", "closed", "rejected", "hidden", "duplicate")
PUBLIC_STATUSES = frozenset({"approved", "assigned", "in_progress", "resolved", "closed"})
OPEN_STATUSES = frozenset({"submitted", "approved", "assigned", "in_progress"})
SEVERITIES = ("urgent", "normal", "complex")


class Area(SQLModel, table=True):
    """A district or a ward; ``boundary`` is a GeoJSON Polygon/MultiPolygon (lon, lat order)."""

    __tablename__ = "feedback_areas"

    code: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=16)  # district | ward
    parent_code: str | None = Field(default=None, max_length=32, index=True)
    name: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    boundary: str = Field(sa_column=Column(Text, nullable=False))


class Agency(SQLModel, table=True):
    __tablename__ = "feedback_agencies"

    code: str = Field(primary_key=True, max_length=50)
    name: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True


class Jurisdiction(SQLModel, table=True):
    """Agency ``agency_code`` handles ``category_code`` in ``area_code`` (a ward or a district).

    Routing takes the most specific match: ward, then district, then the category's default
    agency (city-wide).
    """

    __tablename__ = "feedback_jurisdictions"
    __table_args__ = (UniqueConstraint("category_code", "area_code", name="uq_feedback_jurisdiction"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    agency_code: str = Field(foreign_key="feedback_agencies.code", max_length=50, index=True)
    category_code: str = Field(foreign_key="feedback_categories.code", max_length=64)
    area_code: str = Field(foreign_key="feedback_areas.code", max_length=32)


class Category(SQLModel, table=True):
    __tablename__ = "feedback_categories"

    code: str = Field(primary_key=True, max_length=64)
    name: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    description: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    group: str = Field(max_length=32)
    agency_code: str = Field(foreign_key="feedback_agencies.code", max_length=50)
    severity_default: str = Field(default="normal", max_length=16)
    active: bool = True
    position: int = 0


class Report(SQLModel, table=True):
    __tablename__ = "feedback_reports"
    __table_args__ = (
        Index("ix_feedback_reports_reporter", "reporter_id", "id"),
        Index("ix_feedback_reports_status", "status", "id"),
        Index("ix_feedback_reports_agency_due", "agency_code", "status", "due_at", "id"),
        # Covers the map feed's per-cell scans: the box test runs on the index alone.
        Index(
            "ix_feedback_reports_public_cell", "is_public", "cell", "id", postgresql_include=["latitude", "longitude"]
        ),
        Index("ix_feedback_reports_public_id", "is_public", "id"),
        Index("ix_feedback_reports_nearby", "category_code", "latitude", "longitude"),
        Index("ix_feedback_reports_resolved", "status", "resolved_at"),
        Index("ix_feedback_reports_created", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    tracking_code: str = Field(max_length=20, unique=True)
    reporter_id: uuid.UUID | None = Field(default=None)
    source: str = Field(default="app", max_length=16)  # app | open311
    client_id: str | None = Field(default=None, max_length=64)
    category_code: str = Field(foreign_key="feedback_categories.code", max_length=64)
    description: str = Field(sa_column=Column(Text, nullable=False))
    latitude: float
    longitude: float
    cell: int = 0  # feedback.geo.cell_of(latitude, longitude): the public map feed's index key
    address: str | None = Field(default=None, max_length=300)
    district_code: str | None = Field(default=None, max_length=32)
    ward_code: str | None = Field(default=None, max_length=32)
    agency_code: str | None = Field(default=None, max_length=50)
    severity: str = Field(default="normal", max_length=16)
    status: str = Field(default="submitted", max_length=16)
    is_public: bool = False
    status_note: str | None = Field(default=None, max_length=2000)
    duplicate_of_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    ack_due_at: datetime = Field(sa_column=tz_column(nullable=False))
    due_at: datetime = Field(sa_column=tz_column(nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    closed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    rating_score: int | None = None
    rating_comment: str | None = Field(default=None, max_length=1000)
    rated_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


PHOTO_KINDS = ("report", "resolution")


class Photo(SQLModel, table=True):
    """A re-encoded photo of a report (EXIF removed) and its thumbnail, both in media storage.

    ``kind`` is ``report`` for the citizen's photos and ``resolution`` for those an agency
    officer attaches to a status change; ``event_id`` is then that change's timeline entry.
    """

    __tablename__ = "feedback_photos"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    report_id: uuid.UUID = Field(foreign_key="feedback_reports.id", index=True)
    kind: str = Field(default="report", max_length=16)
    event_id: uuid.UUID | None = Field(default=None)
    position: int = 0
    key: str = Field(max_length=300)
    thumbnail_key: str = Field(max_length=300)
    content_type: str = Field(default="image/jpeg", max_length=32)
    width: int
    height: int
    size_bytes: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TimelineEntry(SQLModel, table=True):
    """One change of a report: who (role and account), when, from/to status, note, agency."""

    __tablename__ = "feedback_timeline"
    __table_args__ = (Index("ix_feedback_timeline_report", "report_id", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    report_id: uuid.UUID = Field(foreign_key="feedback_reports.id")
    at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_role: str = Field(max_length=32)  # citizen | moderator | agency_officer | admin | system | open311
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
    agency_code: str | None = Field(default=None, max_length=50)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Follow(SQLModel, table=True):
    __tablename__ = "feedback_follows"

    report_id: uuid.UUID = Field(foreign_key="feedback_reports.id", primary_key=True)
    account_id: uuid.UUID = Field(primary_key=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class Ban(SQLModel, table=True):
    """An account barred from submitting reports (until ``until``, or for good)."""

    __tablename__ = "feedback_bans"

    account_id: uuid.UUID = Field(primary_key=True)
    reason: str = Field(max_length=500)
    banned_by: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    until: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

"""Web mini-apps registered by developers: an OAuth client plus a catalogue row.

Lifecycle (WeChat / Zalo / Alipay mini-program style: review, then release)::

    draft ──submit──▶ in_review ──approve──▶ published
      ▲                   │                      │
      └──(edit)── rejected ◀──reject─┘           └──suspend──▶ suspended ──reinstate──▶ published

Any status but ``suspended`` can be suspended by an admin.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column

STATUSES = ("draft", "in_review", "published", "rejected", "suspended")


class WebMiniApp(SQLModel, table=True):
    __tablename__ = "web_miniapps"
    __table_args__ = (Index("ix_web_miniapps_status_id", "status", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    client_id: str = Field(foreign_key="oauth_clients.client_id", unique=True, max_length=64)
    owner_id: uuid.UUID = Field(index=True)
    # Localized texts: {"vi": ..., "en": ...} (at least one language).
    name: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    description: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    category: str = Field(default="utilities", max_length=32)
    home_url: str = Field(max_length=2000)
    icon_url: str | None = Field(default=None, max_length=2000)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    webhook_url: str | None = Field(default=None, max_length=2000)
    # The webhook signing secret (``whsec_…``), encrypted at rest: it is needed to sign.
    webhook_secret_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="draft", max_length=16)
    review_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    submitted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    reviewed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    suspended_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

    @property
    def is_published(self) -> bool:
        return self.status == "published"

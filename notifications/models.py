"""Notification hub tables.

- ``notifications``: one row per message (texts in both languages), whoever it goes to.
- ``notification_inbox``: one row per recipient and message (the citizen's inbox).
- ``notification_devices``: push tokens (FCM registration tokens) of a citizen's devices.
- ``notification_preferences``: per citizen and category, inbox/push on or off.
- ``notification_deliveries``: one row per message and device token; the unique constraint is
  what makes a push go out at most once per device whatever the number of workers.
- ``notification_broadcasts`` / ``notification_broadcast_chunks``: admin broadcasts and the
  progress of their fan-out, one chunk of recipients per outbox job.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlalchemy import Uuid as SaUuid
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("source", "idempotency_key", name="uq_notifications_source_idem"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    category: str = Field(max_length=100)
    title: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    body: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="system", max_length=100)
    critical: bool = False
    idempotency_key: str | None = Field(default=None, max_length=200)
    broadcast_id: uuid.UUID | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


_INBOX_PAGE_COLUMNS = ["notification_id", "created_at", "read_at"]


class InboxItem(SQLModel, table=True):
    """A message in one citizen's inbox. Ids are UUIDv7, so ``id`` order is arrival order."""

    __tablename__ = "notification_inbox"
    __table_args__ = (
        UniqueConstraint("notification_id", "account_id", name="uq_inbox_notification_account"),
        # An inbox page is one backward range scan; on PostgreSQL the index also carries the
        # columns a page shows, so the page is read from the index alone (index-only scan).
        Index("ix_inbox_account_id", "account_id", "id", postgresql_include=_INBOX_PAGE_COLUMNS),
        Index(
            "ix_inbox_account_unread",
            "account_id",
            "id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
            postgresql_include=_INBOX_PAGE_COLUMNS,
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(
        sa_column=Column(SaUuid(), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    )
    notification_id: uuid.UUID = Field(
        sa_column=Column(SaUuid(), ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class Device(SQLModel, table=True):
    __tablename__ = "notification_devices"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(
        sa_column=Column(SaUuid(), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    token: str = Field(max_length=4096, unique=True)
    platform: str = Field(max_length=16)  # android | ios | web
    language: str = Field(default="vi", max_length=8)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class Preference(SQLModel, table=True):
    __tablename__ = "notification_preferences"

    account_id: uuid.UUID = Field(
        sa_column=Column(SaUuid(), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    )
    category: str = Field(primary_key=True, max_length=100)
    inbox: bool = True
    push: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class Delivery(SQLModel, table=True):
    """One push of one message to one device token: ``pending`` → ``sent`` | ``invalid`` | ``failed``."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "token", name="uq_delivery_notification_token"),
        Index("ix_delivery_pending", "notification_id", "status"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    )
    notification_id: uuid.UUID = Field(
        sa_column=Column(SaUuid(), ForeignKey("notifications.id", ondelete="CASCADE"), nullable=False)
    )
    account_id: uuid.UUID = Field(sa_column=Column(SaUuid(), nullable=False, index=True))
    token: str = Field(max_length=4096)
    platform: str = Field(max_length=16)
    language: str = Field(default="vi", max_length=8)
    status: str = Field(default="pending", max_length=16)
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class Broadcast(SQLModel, table=True):
    __tablename__ = "notification_broadcasts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    audience: str = Field(max_length=60)
    district_code: str | None = Field(default=None, max_length=20)
    category: str = Field(max_length=100)
    notification_id: uuid.UUID = Field(foreign_key="notifications.id")
    status: str = Field(default="queued", max_length=16)  # queued | sending | done
    total: int = 0
    sent: int = 0
    failed: int = 0
    chunks_total: int | None = None
    chunks_done: int = 0
    created_by: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class BroadcastChunk(SQLModel, table=True):
    """One slice ``(after, upto]`` of the audience in account-id order."""

    __tablename__ = "notification_broadcast_chunks"

    broadcast_id: uuid.UUID = Field(foreign_key="notification_broadcasts.id", primary_key=True)
    seq: int = Field(primary_key=True)
    after_id: uuid.UUID | None = None
    upto_id: uuid.UUID
    recipients: int = 0
    status: str = Field(default="pending", max_length=16)  # pending | done
    runs: int = 0
    sent: int = 0
    failed: int = 0

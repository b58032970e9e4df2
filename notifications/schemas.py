"""Request and response bodies of the notification endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Text = str | dict[str, str]


class InboxItemPublic(BaseModel):
    id: uuid.UUID
    category: str
    title: str
    body: str
    data: dict[str, Any]
    source: str
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    count: int


class ReadAll(BaseModel):
    updated: int


class DeviceIn(BaseModel):
    token: str = Field(max_length=4096)
    platform: Literal["android", "ios", "web"]
    language: Literal["vi", "en"] | None = None


class DevicePublic(BaseModel):
    id: uuid.UUID
    platform: str
    language: str
    created_at: datetime


class ChannelPreference(BaseModel):
    inbox: bool
    push: bool


class CategoryPreference(ChannelPreference):
    name: str
    critical: bool


class PublishIn(BaseModel):
    recipients: list[str] = Field(min_length=1, max_length=500)
    category: str = Field(max_length=100)
    title: Text
    body: Text
    data: dict[str, Any] | None = None


class Refusal(BaseModel):
    recipient: str
    reason: Literal["unknown_recipient", "no_consent", "opted_out"]


class PublishOut(BaseModel):
    id: uuid.UUID | None
    accepted: int
    refused: list[Refusal]


class BroadcastIn(BaseModel):
    audience: str = Field(max_length=60)
    category: str = Field(default="broadcast", max_length=100)
    title: Text
    body: Text
    data: dict[str, Any] | None = None


class BroadcastCreated(BaseModel):
    id: uuid.UUID
    status: str


class BroadcastProgress(BaseModel):
    id: uuid.UUID
    audience: str
    category: str
    status: str
    total: int
    sent: int
    failed: int
    created_at: datetime
    finished_at: datetime | None

"""Request and response models of the transit API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

Kind = Literal["single_ride", "day_pass", "monthly_pass"]
Concession = Literal["student", "elderly"]
TicketStatus = Literal["active", "used", "revoked", "expired"]
VALIDATOR_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
ROUTE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"


class ProductPublic(BaseModel):
    code: str
    name: str
    kind: Kind
    price_vnd: int
    concession: Concession | None = None


class LocalizedName(BaseModel):
    vi: str = Field(min_length=1, max_length=120)
    en: str = Field(min_length=1, max_length=120)


class ProductAdmin(BaseModel):
    code: str
    number: int
    kind: Kind
    name: LocalizedName
    price_vnd: int
    concession: Concession | None = None
    active: bool
    sort_order: int


class ProductCreate(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    kind: Kind
    name: LocalizedName
    price_vnd: int = Field(ge=0, le=10_000_000)
    concession: Concession | None = None
    sort_order: int = Field(default=100, ge=0, le=10_000)


class ProductUpdate(BaseModel):
    name: LocalizedName | None = None
    price_vnd: int | None = Field(default=None, ge=0, le=10_000_000)
    active: bool | None = None
    sort_order: int | None = Field(default=None, ge=0, le=10_000)


class OrderCreate(BaseModel):
    product_code: str = Field(min_length=1, max_length=40)
    payment_method: str = Field(min_length=1, max_length=32)


class TicketPublic(BaseModel):
    id: uuid.UUID
    product_code: str
    kind: Kind
    concession: Concession | None = None
    status: TicketStatus
    valid_from: datetime
    valid_until: datetime
    device_bound: bool
    used_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime


class OrderPublic(BaseModel):
    order_id: uuid.UUID
    ticket: TicketPublic
    amount_vnd: int
    payment_method: str
    payment_reference: str | None = None
    created_at: datetime


class DeviceBind(BaseModel):
    public_key: dict[str, Any] = Field(description="The phone's P-256 public key as a JWK (RFC 7517).")


class DeviceBound(BaseModel):
    ticket_id: uuid.UUID
    kid: str
    certificate: str = Field(description="base64url of the 131-byte device certificate (HT1 mode 1).")
    step_seconds: int


class QRText(BaseModel):
    payload: str
    expires_at: datetime
    step: int
    step_seconds: int


class ValidateIn(BaseModel):
    payload: str = Field(min_length=1, max_length=1024)
    validator_id: str = Field(pattern=VALIDATOR_ID)
    route: str | None = Field(default=None, pattern=ROUTE)


class TicketBrief(BaseModel):
    id: uuid.UUID
    kind: Kind
    product_code: str | None = None
    concession: Concession | None = None
    valid_until: datetime


class ValidateOut(BaseModel):
    result: Literal["accepted", "rejected"]
    reason: str | None = None
    detail: str | None = None
    ticket: TicketBrief | None = None
    repeat: bool = False


class TripPublic(BaseModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    product_code: str
    kind: Kind
    validator_id: str
    route: str | None = None
    source: Literal["online", "offline"]
    tapped_at: datetime


class ValidationAdmin(BaseModel):
    """One tap as operators see it: an online acceptance or an offline validator's upload."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    product_code: str
    kind: Kind
    validator_id: str
    route: str | None = None
    source: Literal["online", "offline"]
    result: Literal["accepted", "rejected"]
    reason: str | None = None
    conflict: bool
    tapped_at: datetime
    recorded_at: datetime


class TransitKeysOut(BaseModel):
    keys: list[dict[str, Any]]
    format: str = "HT1"
    step_seconds: int
    skew_steps: int
    passback_minutes: int


class DenylistEntry(BaseModel):
    ticket_id: uuid.UUID
    revoked_at: datetime
    valid_until: datetime


class DenylistOut(BaseModel):
    items: list[DenylistEntry]
    next_since: datetime
    has_more: bool


class OfflineTap(BaseModel):
    payload: str = Field(min_length=1, max_length=1024)
    validator_id: str = Field(pattern=VALIDATOR_ID)
    route: str | None = Field(default=None, pattern=ROUTE)
    tapped_at: AwareDatetime
    result: Literal["accepted", "rejected"] = "accepted"
    reason: str | None = Field(default=None, max_length=32)


class OfflineOutcome(BaseModel):
    index: int
    status: Literal["recorded", "duplicate", "conflict", "invalid"]
    reason: str | None = None
    validation_id: uuid.UUID | None = None


class OfflineBatchOut(BaseModel):
    items: list[OfflineOutcome]
    recorded: int
    duplicates: int
    conflicts: int
    invalid: int


class RevokeIn(BaseModel):
    reason: str | None = Field(default=None, max_length=200)


class TicketAdmin(TicketPublic):
    account_id: uuid.UUID | None = None
    order_id: uuid.UUID
    revoked_reason: str | None = None


class ValidatorCreate(BaseModel):
    validator_id: str = Field(pattern=VALIDATOR_ID)
    name: str = Field(min_length=1, max_length=200)
    route: str | None = Field(default=None, pattern=ROUTE)
    client_id: str | None = Field(default=None, max_length=64)


class ValidatorUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    route: str | None = Field(default=None, pattern=ROUTE)
    client_id: str | None = Field(default=None, max_length=64)
    active: bool | None = None


class ValidatorPublic(BaseModel):
    validator_id: str
    name: str
    route: str | None = None
    client_id: str | None = None
    active: bool
    created_at: datetime

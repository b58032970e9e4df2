"""Transit tables: products, orders, tickets, validations (trips and offline taps), validators,
and the transit signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column


class TransitProduct(SQLModel, table=True):
    __tablename__ = "transit_products"

    code: str = Field(primary_key=True, max_length=40)
    number: int = Field(unique=True)  # carried in the QR payload (uint16)
    kind: str = Field(max_length=16)  # single_ride | day_pass | monthly_pass
    name: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    price_vnd: int
    concession: str | None = Field(default=None, max_length=16)  # None | student | elderly
    active: bool = True
    sort_order: int = 100
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TransitOrder(SQLModel, table=True):
    __tablename__ = "transit_orders"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID | None = Field(default=None, index=True)  # None once the account is erased
    product_code: str = Field(max_length=40)
    amount_vnd: int
    payment_method: str = Field(max_length=32)
    payment_reference: str | None = Field(default=None, max_length=100)
    status: str = Field(default="paid", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TransitTicket(SQLModel, table=True):
    __tablename__ = "transit_tickets"
    __table_args__ = (Index("ix_transit_tickets_wallet", "account_id", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID | None = Field(default=None)
    order_id: uuid.UUID = Field(index=True)
    product_code: str = Field(max_length=40)
    product_number: int
    kind: str = Field(max_length=16)
    concession: str | None = Field(default=None, max_length=16)
    status: str = Field(default="active", max_length=16)  # active | used | revoked
    valid_from: datetime = Field(sa_column=tz_column(nullable=False))
    valid_until: datetime = Field(sa_column=tz_column(nullable=False))
    device_key: str | None = Field(default=None, max_length=66)  # SEC1 compressed P-256, hex
    device_certificate: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    device_bound_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True, index=True))
    revoked_reason: str | None = Field(default=None, max_length=200)
    expiry_notified_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TransitValidation(SQLModel, table=True):
    """One tap: an online acceptance (a trip) or a tap uploaded by an offline validator."""

    __tablename__ = "transit_validations"
    __table_args__ = (
        Index("ix_transit_validations_trips", "account_id", "tapped_at", "id"),
        Index("ix_transit_validations_ticket", "ticket_id", "tapped_at"),
        Index("ix_transit_validations_recent", "tapped_at", "id"),  # operators' list, newest first
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    ticket_id: uuid.UUID
    account_id: uuid.UUID | None = Field(default=None)
    product_code: str = Field(max_length=40)
    kind: str = Field(max_length=16)
    validator_id: str = Field(max_length=64)
    route: str | None = Field(default=None, max_length=32)
    step: int
    source: str = Field(max_length=8)  # online | offline
    result: str = Field(max_length=8)  # accepted | rejected
    reason: str | None = Field(default=None, max_length=32)
    conflict: bool = Field(default=False, index=True)
    # Set on the one accepted use of a single ride: a unique index makes a second one impossible.
    single_use_ticket_id: uuid.UUID | None = Field(default=None, unique=True)
    # Offline uploads: hash of (validator, payload); a re-upload of the same tap is a duplicate.
    dedupe_key: str | None = Field(default=None, max_length=64, unique=True)
    tapped_at: datetime = Field(sa_column=tz_column(nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TransitValidator(SQLModel, table=True):
    __tablename__ = "transit_validators"

    validator_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    route: str | None = Field(default=None, max_length=32)
    client_id: str | None = Field(default=None, max_length=64)  # the only client allowed to use it
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class TransitSigningKey(SQLModel, table=True):
    """A transit ES256 key: ``next`` (published), ``active`` (signing), ``retired`` (published
    until every ticket it vouched for has expired). Private half encrypted."""

    __tablename__ = "transit_signing_keys"

    kid: str = Field(primary_key=True, max_length=8)
    state: str = Field(max_length=16, index=True)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    private_key_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    activated_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    retired_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

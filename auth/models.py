"""Identity tables shared across the auth package and read by the mini-app platform."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column

ROLES = ("citizen", "admin", "moderator", "agency_officer", "transit_operator", "developer")


class Account(SQLModel, table=True):
    __tablename__ = "accounts"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    phone: str | None = Field(default=None, max_length=20, unique=True)  # E.164; None once erased
    email: str | None = Field(default=None, max_length=254, unique=True)
    full_name: str | None = Field(default=None, max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    status: str = Field(default="pending_verification", max_length=32)  # pending_verification|active|disabled|deleted
    identity_level: int = 0  # 0 until the phone is verified, then 1; 2 after national ID
    roles: list[str] = Field(default_factory=lambda: ["citizen"], sa_column=Column(JSON, nullable=False))
    agency_code: str | None = Field(default=None, max_length=50, index=True)
    national_id: str | None = Field(default=None, max_length=12, unique=True)
    birth_date: date | None = None
    district_code: str | None = Field(default=None, max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    verified_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    identity_verified_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    password_changed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def has_role(self, *roles: str) -> bool:
        return any(r in (self.roles or []) for r in roles)


class OAuthClient(SQLModel, table=True):
    """An OAuth 2.0 client: the mobile app, a module, a built-in or third-party mini-app."""

    __tablename__ = "oauth_clients"

    client_id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    client_type: str = Field(default="confidential", max_length=16)  # public | confidential
    secret_hash: str | None = Field(default=None, max_length=64)  # SHA-256 hex of the secret
    token_endpoint_auth_method: str = Field(default="client_secret_basic", max_length=32)
    redirect_uris: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    post_logout_redirect_uris: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    grant_types: list[str] = Field(
        default_factory=lambda: ["authorization_code", "refresh_token"], sa_column=Column(JSON, nullable=False)
    )
    first_party: bool = False
    sector_id: str | None = Field(default=None, max_length=255)
    backchannel_logout_uri: str | None = Field(default=None, max_length=2000)
    jwks: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    jwks_uri: str | None = Field(default=None, max_length=2000)
    status: str = Field(default="active", max_length=16)  # active | suspended
    owner_id: uuid.UUID | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class Consent(SQLModel, table=True):
    """A citizen's grant of scopes to a client (the consent ledger)."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("account_id", "client_id", name="uq_consent_account_client"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(foreign_key="accounts.id", index=True)
    client_id: str = Field(foreign_key="oauth_clients.client_id", index=True, max_length=64)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    granted_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class PairwiseSubject(SQLModel, table=True):
    """Index from a pairwise ``sub`` back to the account (never a scan)."""

    __tablename__ = "pairwise_subjects"
    __table_args__ = (Index("ix_pairwise_account_sector", "account_id", "sector_id", unique=True),)

    sector_id: str = Field(primary_key=True, max_length=255)
    sub: str = Field(primary_key=True, max_length=64)
    account_id: uuid.UUID = Field(foreign_key="accounts.id")


class SigningKey(SQLModel, table=True):
    """A token-signing key: ``next`` (published, not yet signing), ``active``, ``retired``."""

    __tablename__ = "signing_keys"

    kid: str = Field(primary_key=True, max_length=64)
    alg: str = Field(max_length=8)  # ES256 | RS256
    state: str = Field(max_length=16, index=True)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    private_key_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    activated_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    retired_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class DependentLink(SQLModel, table=True):
    """A guardian's link to a child (by national ID + birth date): guardian access to records."""

    __tablename__ = "dependent_links"
    __table_args__ = (UniqueConstraint("guardian_id", "national_id", name="uq_dependent_guardian_nid"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    guardian_id: uuid.UUID = Field(foreign_key="accounts.id", index=True)
    national_id: str = Field(max_length=12, index=True)
    birth_date: date
    full_name: str = Field(max_length=200)
    relationship: str = Field(default="child", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))

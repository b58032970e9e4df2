"""Tables of the OpenID Connect provider: login sessions, grants, authorization codes and
refresh tokens.

- :class:`LoginSession`: one sign-in of a citizen, in a browser (cookie) or in the mobile app
  (authorization challenge). Its id is the ``sid`` claim (OIDC Front/Back-Channel Logout).
- :class:`Grant`: what one client holds for one account after a code was redeemed; its id is
  the ``gid`` claim and the refresh-token family (RFC 9700 §4.14.2).
- :class:`AuthorizationCode`: RFC 6749 §4.1.2, PKCE-bound (RFC 7636), single use, ≤ 60 s.
- :class:`RefreshToken`: opaque, stored as SHA-256, rotated on every use.

Secrets (cookies, codes, refresh tokens) are stored as SHA-256 hex digests only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column


class LoginSession(SQLModel, table=True):
    __tablename__ = "oidc_login_sessions"
    __table_args__ = (Index("ix_oidc_login_sessions_account", "account_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(foreign_key="accounts.id")
    kind: str = Field(default="browser", max_length=16)  # browser | app
    token_hash: str | None = Field(default=None, max_length=64, unique=True)  # browser cookie digest
    auth_time: int
    acr: str = Field(max_length=64)
    amr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    user_agent: str | None = Field(default=None, max_length=300)
    ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

    @property
    def sid(self) -> str:
        return str(self.id)


class Grant(SQLModel, table=True):
    __tablename__ = "oidc_grants"
    __table_args__ = (
        Index("ix_oidc_grants_account_client", "account_id", "client_id"),
        Index("ix_oidc_grants_client", "client_id"),
        Index("ix_oidc_grants_sid", "sid"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(foreign_key="accounts.id")
    client_id: str = Field(foreign_key="oauth_clients.client_id", max_length=64)
    sid: str | None = Field(default=None, max_length=64)
    subject: str = Field(max_length=64)  # the ``sub`` this client sees
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    auth_time: int
    acr: str = Field(max_length=64)
    amr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))  # absolute refresh lifetime
    last_used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

    @property
    def gid(self) -> str:
        return str(self.id)


class AuthorizationCode(SQLModel, table=True):
    __tablename__ = "oidc_authorization_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(max_length=64)
    account_id: uuid.UUID = Field(foreign_key="accounts.id", index=True)
    grant_id: uuid.UUID = Field(default_factory=new_id)  # the grant the redemption creates
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(default="S256", max_length=8)
    redirect_uri: str | None = Field(default=None, max_length=2000)
    nonce: str | None = Field(default=None, max_length=512)
    sid: str | None = Field(default=None, max_length=64)
    auth_time: int
    acr: str = Field(max_length=64)
    amr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
    used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class RefreshToken(SQLModel, table=True):
    __tablename__ = "oidc_refresh_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    grant_id: uuid.UUID = Field(foreign_key="oidc_grants.id", index=True)
    client_id: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))  # idle lifetime
    used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))

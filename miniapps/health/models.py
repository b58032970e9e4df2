"""Tables of the health record: the FHIR resource store, its search index, the access log, shares.

Each FHIR resource is kept whole as JSON; the columns beside it (patient, type, date) and the
token rows (``code``, ``category``) are what searches use.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.ids import new_id
from superapp.models import tz_column


class HealthResource(SQLModel, table=True):
    """One FHIR R4 resource, keyed by its type and logical id."""

    __tablename__ = "health_resources"
    __table_args__ = (
        UniqueConstraint("resource_type", "fhir_id", name="uq_health_resource_type_id"),
        Index("ix_health_resource_patient_type_sort", "patient_id", "resource_type", "sort_date"),
    )

    pk: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    resource_type: str = Field(max_length=40)
    fhir_id: str = Field(max_length=64)
    # The Patient this resource belongs to (a Patient's own id for Patient rows).
    patient_id: str | None = Field(default=None, max_length=64)
    # Patient rows only: the verified national ID that links the record to an account.
    national_id: str | None = Field(default=None, max_length=12, unique=True)
    date: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    # ``date`` or a fixed early instant, so keyset pagination never meets NULLs.
    sort_date: datetime = Field(sa_column=tz_column(nullable=False))
    resource: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class HealthSearchToken(SQLModel, table=True):
    """A token search value of a resource: ``param`` is ``code`` or ``category``."""

    __tablename__ = "health_search_tokens"
    __table_args__ = (Index("ix_health_token_lookup", "param", "code", "system"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    resource_pk: uuid.UUID = Field(
        sa_column=Column(Uuid, ForeignKey("health_resources.pk", ondelete="CASCADE"), nullable=False, index=True)
    )
    param: str = Field(max_length=16)
    system: str = Field(default="", max_length=255)
    code: str = Field(max_length=128)


class HealthAccessLog(SQLModel, table=True):
    """Who read which part of a patient's record, when, and through which client app."""

    __tablename__ = "health_access_log"
    __table_args__ = (Index("ix_health_access_patient_id", "patient_id", "id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    patient_id: str = Field(max_length=64)
    actor_kind: str = Field(max_length=16)  # account | share
    actor_account_id: uuid.UUID | None = Field(default=None, index=True)
    client_id: str | None = Field(default=None, max_length=64)
    share_id: uuid.UUID | None = Field(default=None, index=True)
    interaction: str = Field(max_length=16)  # read | search | summary | share
    resource_type: str | None = Field(default=None, max_length=40)
    resource_id: str | None = Field(default=None, max_length=64)
    query: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class HealthShare(SQLModel, table=True):
    """A time-limited read link for a doctor; only the SHA-256 of its code is kept."""

    __tablename__ = "health_shares"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    account_id: uuid.UUID = Field(foreign_key="accounts.id", index=True)
    patient_id: str = Field(max_length=64)
    code_hash: str = Field(max_length=64, unique=True)
    client_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    use_count: int = 0

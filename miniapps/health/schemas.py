"""Request and response models of the citizen-facing health endpoints (not FHIR)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in: int = Field(ge=60, le=86_400, description="Seconds until the link stops working (≤ 24 h).")
    patient: str | None = Field(default=None, max_length=64, description="A dependent's Patient id; default own.")


class ShareCreated(BaseModel):
    id: str
    code: str
    url: str
    patient_id: str
    expires_at: datetime


class SharePublic(BaseModel):
    id: str
    patient_id: str
    status: str  # active | expired | revoked
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    use_count: int


class AccessLogEntry(BaseModel):
    id: str
    at: datetime
    patient_id: str
    relationship: str | None = None
    actor: str  # you | family_member | shared_link
    actor_label: str
    actor_name: str | None = None
    client_id: str | None = None
    client_name: str | None = None
    share_id: str | None = None
    interaction: str  # read | search | summary | share
    interaction_label: str
    resource_type: str | None = None
    resource_id: str | None = None
    query: str | None = None


class Summary(BaseModel):
    patient: dict[str, Any]
    labels: dict[str, str]
    latest_vitals: list[dict[str, Any]]
    active_conditions: list[dict[str, Any]]
    allergies: list[dict[str, Any]]
    vaccinations: dict[str, list[dict[str, Any]]]
    medications: list[dict[str, Any]]
    last_visits: list[dict[str, Any]]

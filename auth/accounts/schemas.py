"""Request and response bodies of the account endpoints (contract: "Accounts")."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Phone = Field(max_length=32, description="0912345678, +84912345678 or 84912345678")
Password = Field(default=None, max_length=1024)
Code = Field(max_length=16, description="The 6-digit code from the SMS")


class RegisterIn(BaseModel):
    phone: str = Phone
    password: str | None = Password
    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)


class RegisterOut(BaseModel):
    id: uuid.UUID
    status: Literal["pending_verification"]


class VerifyIn(BaseModel):
    phone: str = Phone
    code: str = Code


class VerifyOut(BaseModel):
    id: uuid.UUID
    status: Literal["active"]
    identity_level: int


class PhoneIn(BaseModel):
    phone: str = Phone


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"


class PasswordResetConfirmIn(BaseModel):
    phone: str = Phone
    code: str = Code
    new_password: str | None = Password


class PasswordChanged(BaseModel):
    status: Literal["password_changed"] = "password_changed"


class ProfileOut(BaseModel):
    id: uuid.UUID
    phone: str | None
    email: str | None
    full_name: str | None
    roles: list[str]
    identity_level: int
    birth_date: date | None = None
    district_code: str | None = None
    agency_code: str | None = None
    status: str
    created_at: datetime | None = None


class ProfilePatch(BaseModel):
    """Any of these; ``null`` clears ``email`` or ``district_code``. The phone cannot change here."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    district_code: str | None = Field(default=None, max_length=20)


class PersonIn(BaseModel):
    """A person as the population registry knows them."""

    national_id: str = Field(max_length=32, description="CCCD, 12 digits")
    full_name: str = Field(min_length=1, max_length=200)
    birth_date: date


class DependentOut(BaseModel):
    id: uuid.UUID
    national_id: str
    full_name: str
    birth_date: date
    relationship: str
    created_at: datetime

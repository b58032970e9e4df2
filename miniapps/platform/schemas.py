"""Request and response bodies of the mini-app platform."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ScopeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class LocalizedName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vi: Name | None = None
    en: Name | None = None


class LocalizedText(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vi: Text | None = None
    en: Text | None = None


def localized(value: str | LocalizedName | LocalizedText | None) -> dict[str, str] | None:
    """A plain string is taken as Vietnamese (the default language); a map keeps its languages."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"vi": value}
    return {k: v for k, v in value.model_dump().items() if v}


def _split_scope_string(value):
    """Accept ``"openid profile"`` (an OAuth scope string, RFC 6749 §3.3) as well as a list."""
    return value.split() if isinstance(value, str) else value


def _at_least_one_language(value):
    if isinstance(value, (LocalizedName, LocalizedText)) and not (value.vi or value.en):
        raise ValueError("give the text in Vietnamese (vi), English (en) or both")
    return value


class MiniAppCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | LocalizedName
    description: Text | LocalizedText
    home_url: Url
    redirect_uris: list[Url] = Field(min_length=1, max_length=10)
    scopes: list[ScopeName] = Field(min_length=1, max_length=20)
    icon_url: Url | None = None
    webhook_url: Url | None = None
    backchannel_logout_uri: Url | None = None
    category: str = "utilities"

    _check_name = field_validator("name", "description")(_at_least_one_language)
    _split_scopes = field_validator("scopes", mode="before")(_split_scope_string)


class MiniAppUpdate(BaseModel):
    """Every field optional; ``null`` clears the optional URLs."""

    model_config = ConfigDict(extra="forbid")

    name: Name | LocalizedName | None = None
    description: Text | LocalizedText | None = None
    home_url: Url | None = None
    redirect_uris: list[Url] | None = Field(default=None, min_length=1, max_length=10)
    scopes: list[ScopeName] | None = Field(default=None, min_length=1, max_length=20)
    icon_url: Url | None = None
    webhook_url: Url | None = None
    backchannel_logout_uri: Url | None = None
    category: str | None = None

    _check_name = field_validator("name", "description")(_at_least_one_language)
    _split_scopes = field_validator("scopes", mode="before")(_split_scope_string)


class MiniAppDeveloperView(BaseModel):
    """A mini-app as its developer and the admins see it."""

    id: uuid.UUID
    client_id: str
    name: dict[str, str]
    description: dict[str, str]
    category: str
    home_url: str
    redirect_uris: list[str]
    scopes: list[str]
    icon_url: str | None
    webhook_url: str | None
    backchannel_logout_uri: str | None
    status: str
    review_reason: str | None
    owner_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewed_at: datetime | None
    suspended_at: datetime | None


class MiniAppCreated(BaseModel):
    """The answer to a registration: the secrets appear here once and never again."""

    id: uuid.UUID
    client_id: str
    client_secret: str
    webhook_secret: str
    status: str


class ClientSecret(BaseModel):
    client_id: str
    client_secret: str


class WebhookSecret(BaseModel):
    webhook_secret: str


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class SuspendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


class CatalogueItem(BaseModel):
    id: str
    name: str
    description: str
    icon_url: str | None
    category: str
    kind: Literal["builtin", "web"]
    launch_url: str
    scopes: list[str]
    client_id: str


class AuthorizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: Annotated[str, StringConstraints(max_length=1000)] | None = None
    code_challenge: Annotated[str, StringConstraints(max_length=256)]
    code_challenge_method: Annotated[str, StringConstraints(max_length=16)] = "S256"


class AuthorizeResponse(BaseModel):
    code: str
    expires_in: int


class ConsentApp(BaseModel):
    id: str
    name: str
    icon_url: str | None
    kind: Literal["builtin", "web", "client"]


class ConsentItem(BaseModel):
    app: ConsentApp
    client_id: str
    scopes: list[str]
    granted_at: datetime
    last_used_at: datetime | None


class ConsentGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    scopes: list[ScopeName] = Field(min_length=1, max_length=20)

    _split_scopes = field_validator("scopes", mode="before")(_split_scope_string)

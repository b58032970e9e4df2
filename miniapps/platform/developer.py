"""Developer lifecycle of web mini-apps: register, edit, rotate secrets, submit for review.

A web mini-app is an OAuth client (confidential, not first-party, pairwise ``sub`` in its own
sector ``miniapp:<id>`` so that editing redirect URIs never changes the ids citizens have in
it) plus a catalogue row. Its client stays ``pending`` until an admin publishes the app.
"""

from __future__ import annotations

import secrets as _random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from miniapps.platform import identity, repository
from miniapps.platform.errors import (
    AppSuspended,
    InvalidStatus,
    MiniAppNotFound,
    ScopeChangeNeedsReview,
    ScopeNotAllowed,
    UnknownCategory,
)
from miniapps.platform.models import WebMiniApp
from miniapps.platform.policy import CATEGORIES, THIRD_PARTY_SCOPES, WEB_CLIENT_GRANTS, ordered_scopes
from miniapps.platform.schemas import MiniAppCreate, MiniAppUpdate, localized
from miniapps.platform.secrets import hash_client_secret, new_client_secret, new_webhook_secret, seal
from miniapps.platform.urls import check_url
from superapp import audit
from superapp.context import AppContext
from superapp.db import utcnow
from superapp.ids import new_id

EDITABLE = ("draft", "rejected", "published")
SUBMITTABLE = ("draft", "rejected")
CLIENT_ID_PREFIX = "mapp-"


@dataclass(frozen=True)
class Actor:
    """Who acts, for the audit log."""

    id: uuid.UUID
    ip: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class Registered:
    app: WebMiniApp
    client: OAuthClient
    client_secret: str
    webhook_secret: str


def sector_for(app_id: uuid.UUID) -> str:
    return f"miniapp:{app_id}"


def _check_scopes(scopes: list[str]) -> list[str]:
    refused = [s for s in scopes if s not in THIRD_PARTY_SCOPES]
    if refused:
        raise ScopeNotAllowed(params={"scopes": " ".join(refused)}, scopes=refused, allowed=list(THIRD_PARTY_SCOPES))
    return ordered_scopes(scopes)


def _check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UnknownCategory(params={"category": category[:50]}, allowed=list(CATEGORIES))
    return category


def check_urls(ctx: AppContext, values: dict[str, Any]) -> None:
    """https everywhere; in production, no loopback http and no internal hosts for the URLs the
    server itself calls (a guard against server-side request forgery)."""
    production = ctx.settings.environment == "production"
    for field in ("home_url", "icon_url", "webhook_url", "backchannel_logout_uri"):
        if values.get(field) is not None:
            server_calls = field in ("webhook_url", "backchannel_logout_uri")
            check_url(values[field], field, loopback_http=not production, public_host=production and server_calls)
    for uri in values.get("redirect_uris") or []:
        check_url(uri, "redirect_uris", loopback_http=not production)


async def record_change(session: AsyncSession, actor: Actor, action: str, app: WebMiniApp, **detail: Any) -> None:
    await audit.record(
        session,
        action=action,
        target_type="miniapp",
        target_id=app.id,
        actor_id=actor.id,
        detail={"client_id": app.client_id, "status": app.status, **detail},
        ip=actor.ip,
        request_id=actor.request_id,
    )


async def register(ctx: AppContext, session: AsyncSession, actor: Actor, body: MiniAppCreate) -> Registered:
    values = body.model_dump()
    check_urls(ctx, values)
    scopes = _check_scopes(body.scopes)
    category = _check_category(body.category)
    client_secret, webhook_secret = new_client_secret(), new_webhook_secret()
    app_id = new_id()
    name = localized(body.name) or {}
    client = OAuthClient(
        client_id=CLIENT_ID_PREFIX + _random.token_hex(12),
        name=(name.get("en") or name.get("vi") or "")[:200],
        client_type="confidential",
        secret_hash=hash_client_secret(client_secret),
        token_endpoint_auth_method="client_secret_basic",
        redirect_uris=list(dict.fromkeys(body.redirect_uris)),
        scopes=scopes,
        grant_types=list(WEB_CLIENT_GRANTS),
        first_party=False,
        sector_id=sector_for(app_id),
        backchannel_logout_uri=body.backchannel_logout_uri,
        status="pending",
        owner_id=actor.id,
    )
    session.add(client)
    await session.flush()
    app = WebMiniApp(
        id=app_id,
        client_id=client.client_id,
        owner_id=actor.id,
        name=name,
        description=localized(body.description) or {},
        category=category,
        home_url=body.home_url,
        icon_url=body.icon_url,
        scopes=scopes,
        webhook_url=body.webhook_url,
        webhook_secret_encrypted=seal(ctx.settings.secrets["secret_key"], webhook_secret),
        status="draft",
    )
    session.add(app)
    await session.flush()
    await record_change(session, actor, "miniapp.register", app)
    return Registered(app, client, client_secret, webhook_secret)


async def owned(session: AsyncSession, owner_id: uuid.UUID, app_id: str, *, for_update: bool = False) -> WebMiniApp:
    """The developer's own app; another developer's app is indistinguishable from none (404)."""
    uid = repository.parse_uuid(app_id)
    app = await repository.get(session, uid, for_update=for_update) if uid is not None else None
    if app is None or app.owner_id != owner_id:
        raise MiniAppNotFound()
    return app


async def client_of(session: AsyncSession, app: WebMiniApp) -> OAuthClient:
    client = await session.get(OAuthClient, app.client_id)
    if client is None:  # the foreign key makes this unreachable short of manual deletion
        raise MiniAppNotFound()
    return client


def _ensure_not_suspended(app: WebMiniApp) -> None:
    if app.status == "suspended":
        raise AppSuspended()


async def update(
    ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp, body: MiniAppUpdate
) -> OAuthClient:
    _ensure_not_suspended(app)
    if app.status not in EDITABLE:
        raise InvalidStatus(params={"status": app.status}, status_now=app.status)
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "description", "home_url", "redirect_uris", "scopes", "category"):
        if required in changes and changes[required] is None:
            changes.pop(required)
    check_urls(ctx, changes)
    client = await client_of(session, app)
    if "scopes" in changes:
        scopes = _check_scopes(changes["scopes"])
        added = set(scopes) - set(app.scopes)
        if app.status == "published" and added:
            raise ScopeChangeNeedsReview(scopes=ordered_scopes(added))
        app.scopes = client.scopes = scopes
    if "category" in changes:
        app.category = _check_category(changes["category"])
    if "name" in changes:
        app.name = localized(body.name) or app.name
        client.name = (app.name.get("en") or app.name.get("vi") or client.name)[:200]
    if "description" in changes:
        app.description = localized(body.description) or app.description
    for field in ("home_url", "icon_url", "webhook_url"):
        if field in changes:
            setattr(app, field, changes[field])
    if "redirect_uris" in changes:
        client.redirect_uris = list(dict.fromkeys(changes["redirect_uris"]))
    if "backchannel_logout_uri" in changes:
        client.backchannel_logout_uri = changes["backchannel_logout_uri"]
    app.updated_at = client.updated_at = utcnow()
    session.add_all([app, client])
    await session.flush()
    identity.forget_client(ctx, client.client_id)
    await record_change(session, actor, "miniapp.update", app, fields=sorted(changes))
    return client


async def rotate_client_secret(ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp) -> str:
    """A new client secret; the old one stops working at once."""
    _ensure_not_suspended(app)
    client = await client_of(session, app)
    secret = new_client_secret()
    client.secret_hash = hash_client_secret(secret)
    client.updated_at = app.updated_at = utcnow()
    session.add_all([client, app])
    await session.flush()
    identity.forget_client(ctx, client.client_id)
    await record_change(session, actor, "miniapp.rotate_secret", app)
    return secret


async def rotate_webhook_secret(ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp) -> str:
    _ensure_not_suspended(app)
    secret = new_webhook_secret()
    app.webhook_secret_encrypted = seal(ctx.settings.secrets["secret_key"], secret)
    app.updated_at = utcnow()
    session.add(app)
    await session.flush()
    await record_change(session, actor, "miniapp.rotate_webhook_secret", app)
    return secret


async def submit(session: AsyncSession, actor: Actor, app: WebMiniApp) -> WebMiniApp:
    _ensure_not_suspended(app)
    if app.status not in SUBMITTABLE:
        raise InvalidStatus(params={"status": app.status}, status_now=app.status)
    app.status = "in_review"
    app.submitted_at = app.updated_at = utcnow()
    app.review_reason = None
    session.add(app)
    await session.flush()
    await record_change(session, actor, "miniapp.submit", app)
    return app

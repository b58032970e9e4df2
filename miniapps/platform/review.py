"""Admin side of the lifecycle: review (approve / reject with a reason), suspend, reinstate.

Suspension hides the app from the catalogue, suspends its OAuth client and kills every token
it holds at once (revocation index for access tokens, grants for refresh tokens).
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.platform import identity, repository
from miniapps.platform.developer import Actor, client_of, record_change
from miniapps.platform.errors import InvalidStatus, MiniAppNotFound, ReasonRequired
from miniapps.platform.models import WebMiniApp
from miniapps.platform.notices import tell_owner
from superapp.context import AppContext
from superapp.db import utcnow


async def get_for_admin(session: AsyncSession, app_id: str, *, for_update: bool = False) -> WebMiniApp:
    uid = repository.parse_uuid(app_id)
    app = await repository.get(session, uid, for_update=for_update) if uid is not None else None
    if app is None:
        raise MiniAppNotFound()
    return app


def _require(app: WebMiniApp, *statuses: str) -> None:
    if app.status not in statuses:
        raise InvalidStatus(params={"status": app.status}, status_now=app.status)


async def review(
    ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp, decision: str, reason: str | None
) -> WebMiniApp:
    _require(app, "in_review")
    client = await client_of(session, app)
    now = utcnow()
    if decision == "approve":
        app.status, app.review_reason = "published", reason or None
        client.status = "active"
    else:
        if not reason:
            raise ReasonRequired()
        app.status, app.review_reason = "rejected", reason
    app.reviewed_at = app.updated_at = client.updated_at = now
    session.add_all([app, client])
    await session.flush()
    identity.forget_client(ctx, client.client_id)
    await record_change(
        session, actor, f"miniapp.{'approve' if decision == 'approve' else 'reject'}", app, reason=reason
    )
    await tell_owner(session, app, app.status)
    return app


async def suspend(
    ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp, reason: str | None
) -> WebMiniApp:
    if app.status == "suspended":
        raise InvalidStatus(params={"status": app.status}, status_now=app.status)
    client = await client_of(session, app)
    previous = app.status
    now = utcnow()
    app.status, app.review_reason = "suspended", reason or app.review_reason
    app.suspended_at = app.updated_at = client.updated_at = now
    client.status = "suspended"
    session.add_all([app, client])
    await session.flush()
    await identity.revoke_client(ctx, session, client.client_id)
    await record_change(session, actor, "miniapp.suspend", app, reason=reason, previous_status=previous)
    await tell_owner(session, app, "suspended")
    return app


async def reinstate(ctx: AppContext, session: AsyncSession, actor: Actor, app: WebMiniApp) -> WebMiniApp:
    """A suspended app goes back to review; an admin approves it again to publish it."""
    _require(app, "suspended")
    app.status = "in_review"
    app.submitted_at = app.updated_at = utcnow()
    client = await client_of(session, app)
    client.status = "pending"
    session.add_all([app, client])
    await session.flush()
    identity.forget_client(ctx, client.client_id)
    await record_change(session, actor, "miniapp.reinstate", app)
    return app

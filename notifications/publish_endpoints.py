"""Publishing endpoints: mini-app servers and admin broadcasts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from auth.deps import cached_client
from notifications import broadcast, categories
from notifications.auth import Admin, Publisher
from notifications.errors import BroadcastNotFound, ClientRequired
from notifications.miniapp_publishing import publish_for_client
from notifications.schemas import BroadcastCreated, BroadcastIn, BroadcastProgress, PublishIn, PublishOut
from superapp import audit
from superapp.context import CtxDep
from superapp.db import SessionDep

router = APIRouter(prefix="/v1", tags=["notifications"])
PUBLISH_RATE = "120/minute"


@router.post("/notifications/publish", response_model=PublishOut, status_code=201)
async def publish(request: Request, body: PublishIn, caller: Publisher, ctx: CtxDep, session: SessionDep) -> PublishOut:
    """A mini-app server notifies citizens by their pairwise ``sub`` (client-credentials token)."""
    if not caller.is_client_only:
        raise ClientRequired()
    await ctx.limiter.check(PUBLISH_RATE, "notifications.publish", caller.client_id)
    client = await cached_client(ctx, session, caller.client_id)
    if client is None:
        raise ClientRequired()
    categories.register_from_app(request.app)
    return await publish_for_client(session, client, body, list(request.app.state.miniapps))


@router.post("/admin/notifications/broadcast", response_model=BroadcastCreated, status_code=201)
async def start_broadcast(request: Request, body: BroadcastIn, admin: Admin, session: SessionDep) -> BroadcastCreated:
    """Notify every citizen (``all``) or a district's (``district:CODE``); progress by id."""
    categories.register_from_app(request.app)
    created, _ = await broadcast.start_broadcast(
        session,
        audience=body.audience,
        category=body.category,
        title=body.title,
        body=body.body,
        data=body.data,
        created_by=admin.id,
    )
    await audit.record(
        session,
        action="notifications.broadcast",
        target_type="notification_broadcast",
        target_id=created.id,
        actor_id=admin.id,
        detail={"audience": body.audience, "category": created.category},
        ip=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )
    return BroadcastCreated(id=created.id, status=created.status)


@router.get("/admin/notifications/broadcast/{broadcast_id}", response_model=BroadcastProgress)
async def broadcast_progress(broadcast_id: uuid.UUID, _admin: Admin, session: SessionDep) -> BroadcastProgress:
    found = await broadcast.progress(session, broadcast_id)
    if found is None:
        raise BroadcastNotFound()
    return BroadcastProgress.model_validate(found, from_attributes=True)

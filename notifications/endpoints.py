"""Citizen endpoints: inbox, live stream, preferences and devices (scope ``notifications``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import categories, devices, preferences, repository, stream
from notifications.auth import Citizen
from notifications.errors import NotificationNotFound
from notifications.models import InboxItem, Notification
from notifications.schemas import (
    CategoryPreference,
    ChannelPreference,
    DeviceIn,
    DevicePublic,
    InboxItemPublic,
    ReadAll,
    UnreadCount,
)
from notifications.texts import pick
from superapp.context import CtxDep
from superapp.db import SessionDep, get_session
from superapp.i18n import request_language
from superapp.pagination import InvalidCursor, Page, PageDep, decode_cursor, paginate

router = APIRouter(prefix="/v1", tags=["notifications"])
# The session ``auth.deps`` authenticates with (request scope, kept until the response ends).
AuthSession = Annotated[AsyncSession, Depends(get_session)]


def public_item(item: InboxItem, notification: Notification, lang: str) -> InboxItemPublic:
    return InboxItemPublic(
        id=item.id,
        category=notification.category,
        title=pick(notification.title, lang),
        body=pick(notification.body, lang),
        data=notification.data,
        source=notification.source,
        created_at=item.created_at,
        read_at=item.read_at,
    )


def _cursor_id(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    value = decode_cursor(cursor, 1)[0]
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidCursor() from None


@router.get("/notifications", response_model=Page[InboxItemPublic])
async def list_inbox(
    request: Request, me: Citizen, session: SessionDep, page: PageDep, unread_only: bool = False
) -> Page[InboxItemPublic]:
    """The citizen's inbox, newest first."""
    rows = await repository.inbox_page(
        session, me.id, unread_only=unread_only, before=_cursor_id(page.cursor), limit=page.limit + 1
    )
    items, next_cursor = paginate(rows, page.limit, lambda row: [str(row[0].id)])
    lang = request_language(request)
    return Page(items=[public_item(i, n, lang) for i, n in items], next_cursor=next_cursor)


@router.get("/notifications/unread-count", response_model=UnreadCount)
async def unread_count(me: Citizen, session: SessionDep) -> UnreadCount:
    return UnreadCount(count=await repository.unread_count(session, me.id))


@router.get("/notifications/stream", response_class=EventSourceResponse)
async def live_stream(
    request: Request,
    me: Citizen,
    ctx: CtxDep,
    session: AuthSession,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-Sent Events: each new inbox item as ``event: notification``; heartbeats between."""
    # The stream may stay open for hours: give back the connection the token check used (the
    # request-scoped session of ``auth.deps``, which would otherwise be held until the end).
    await session.commit()
    await session.close()
    async for event in stream.events(ctx, request, me.id, request_language(request), last_event_id):
        yield event


@router.get("/notifications/preferences", response_model=dict[str, CategoryPreference])
async def get_preferences(request: Request, me: Citizen, session: SessionDep) -> dict[str, CategoryPreference]:
    categories.register_from_app(request.app)
    return await preferences.effective(session, me.id, request_language(request))


@router.put("/notifications/preferences", response_model=dict[str, CategoryPreference])
async def put_preferences(
    request: Request,
    me: Citizen,
    session: SessionDep,
    changes: Annotated[dict[str, ChannelPreference], Body(max_length=200)],
) -> dict[str, CategoryPreference]:
    """Set inbox/push per category; categories left out keep their setting."""
    categories.register_from_app(request.app)
    await preferences.update(session, me.id, changes)
    return await preferences.effective(session, me.id, request_language(request))


@router.post("/notifications/read-all", response_model=ReadAll)
async def read_all(me: Citizen, session: SessionDep) -> ReadAll:
    return ReadAll(updated=await repository.mark_read(session, me.id))


@router.post("/notifications/{item_id}/read", response_model=InboxItemPublic)
async def read_one(request: Request, item_id: uuid.UUID, me: Citizen, session: SessionDep) -> InboxItemPublic:
    await repository.mark_read(session, me.id, item_id)
    row = await repository.inbox_item(session, me.id, item_id)
    if row is None:
        raise NotificationNotFound()
    await session.refresh(row[0])
    return public_item(row[0], row[1], request_language(request))


@router.delete("/notifications/{item_id}", status_code=204)
async def delete_one(item_id: uuid.UUID, me: Citizen, session: SessionDep) -> Response:
    if not await repository.delete_inbox_item(session, me.id, item_id):
        raise NotificationNotFound()
    return Response(status_code=204)


@router.post("/devices", response_model=DevicePublic, status_code=201)
async def add_device(
    request: Request, body: DeviceIn, me: Citizen, session: SessionDep, response: Response
) -> DevicePublic:
    """Register a push token (re-registering the same token refreshes it: 200)."""
    device, created = await devices.register(
        session, me.id, token=body.token, platform=body.platform, language=body.language or request_language(request)
    )
    if not created:
        response.status_code = 200
    return DevicePublic(id=device.id, platform=device.platform, language=device.language, created_at=device.created_at)


@router.delete("/devices/{token}", status_code=204)
async def remove_device(token: str, me: Citizen, session: SessionDep) -> Response:
    await devices.unregister(session, me.id, devices.check_token(token))
    return Response(status_code=204)

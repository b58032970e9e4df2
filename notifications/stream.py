"""Live inbox events over Redis pub/sub, served as Server-Sent Events.

Workers publish each new inbox item on the recipient's channel; every API process holding an
open ``GET /v1/notifications/stream`` for that citizen subscribes to it, so the stream works
whatever process the citizen is connected to. Events follow the WHATWG SSE format: ``event:
notification``, ``id:`` the inbox item id (a reconnecting client sends it back as
``Last-Event-ID`` and gets what it missed), ``data:`` the item as JSON in the caller's language.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from fastapi import Request
from fastapi.sse import ServerSentEvent

from notifications import repository
from notifications.models import InboxItem, Notification
from notifications.texts import pick
from superapp.context import AppContext

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 15.0
REPLAY_LIMIT = 100
RETRY_MS = 5000
PUBLISH_PIPELINE = 1000


def channel(ctx: AppContext, account_id: uuid.UUID | str) -> str:
    return ctx.rkey("notifications", "stream", str(account_id))


def item_document(item: InboxItem, notification: Notification) -> dict[str, Any]:
    """An inbox item with its texts in both languages (the stream picks the caller's)."""
    return {
        "id": str(item.id),
        "category": notification.category,
        "title": notification.title,
        "body": notification.body,
        "data": notification.data,
        "source": notification.source,
        "created_at": item.created_at.isoformat(),
        "read_at": item.read_at.isoformat() if item.read_at else None,
    }


def localize(document: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**document, "title": pick(document["title"], lang), "body": pick(document["body"], lang)}


async def publish_items(
    ctx: AppContext, notification: Notification, items: Sequence[tuple[uuid.UUID, uuid.UUID, Any]]
) -> None:
    """Announce new inbox items ``(account_id, inbox_id, created_at)`` on their owners' channels.

    One message goes to many citizens (a broadcast chunk is thousands): the shared part of the
    document is encoded once and each citizen's id and time are spliced in.
    """
    if not items:
        return
    shared = json.dumps(
        {
            "category": notification.category,
            "title": notification.title,
            "body": notification.body,
            "data": notification.data,
            "source": notification.source,
            "read_at": None,
        },
        ensure_ascii=False,
    )[1:]
    pipe = ctx.redis.pipeline(transaction=False)
    for n, (account_id, inbox_id, created_at) in enumerate(items, 1):
        stamp = created_at.isoformat() if hasattr(created_at, "isoformat") else str(created_at)
        pipe.publish(channel(ctx, account_id), f'{{"id":"{inbox_id}","created_at":"{stamp}",{shared}')
        if n % PUBLISH_PIPELINE == 0:
            await pipe.execute()
    await pipe.execute()


async def publish_inbox_ids(ctx: AppContext, inbox_ids: Sequence[uuid.UUID]) -> None:
    """Announce inbox items by id (those deleted meanwhile are skipped)."""
    async with ctx.sessionmaker() as session:
        rows = await repository.inbox_items_by_ids(session, inbox_ids)
    pipe = ctx.redis.pipeline(transaction=False)
    for item, notification in rows:
        pipe.publish(channel(ctx, item.account_id), json.dumps(item_document(item, notification), ensure_ascii=False))
    await pipe.execute()


async def _missed(ctx: AppContext, account_id: uuid.UUID, last_event_id: str | None) -> list[dict[str, Any]]:
    if not last_event_id:
        return []
    try:
        since = uuid.UUID(last_event_id)
    except ValueError:
        return []
    async with ctx.sessionmaker() as session:
        rows = await repository.inbox_after(session, account_id, since, REPLAY_LIMIT)
    return [item_document(item, n) for item, n in rows]


async def _confirmed(pubsub: Any, timeout: float = 5.0) -> None:
    """Wait for Redis to confirm the subscription, so that ``connected`` means no item is missed."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        message = await pubsub.get_message(timeout=0.5)
        if message is not None and message.get("type") in ("subscribe", b"subscribe"):
            return


def _event(document: dict[str, Any], lang: str) -> ServerSentEvent:
    return ServerSentEvent(event="notification", id=document["id"], data=localize(document, lang))


async def events(
    ctx: AppContext, request: Request, account_id: uuid.UUID, lang: str, last_event_id: str | None = None
) -> AsyncIterator[ServerSentEvent]:
    """The citizen's live inbox: missed items first, then new ones, heartbeats in between."""
    pubsub = ctx.redis.pubsub()
    await pubsub.subscribe(channel(ctx, account_id))
    try:
        await _confirmed(pubsub)
        yield ServerSentEvent(comment="connected", retry=RETRY_MS)
        for document in await _missed(ctx, account_id, last_event_id):
            yield _event(document, lang)
        while not await request.is_disconnected():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS)
            if message is None:
                yield ServerSentEvent(comment="heartbeat")
                continue
            try:
                document = json.loads(message["data"])
            except (TypeError, ValueError):
                log.warning("malformed stream message on %s", message.get("channel"))
                continue
            yield _event(document, lang)
    finally:
        try:
            await pubsub.unsubscribe()
            await pubsub.aclose()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            log.debug("closing stream subscription failed", exc_info=True)

"""Admin broadcasts: one message to every citizen, or to one district's, with progress.

The audience is never loaded whole. A planning job walks the accounts in id order (keyset
pages of :data:`CHUNK_SIZE`) and records one chunk ``(after, upto]`` per page, each an outbox
job. A chunk job bulk-inserts the inbox rows and delivery rows of its slice, pushes, and adds
its counts to the broadcast in the same transaction that marks the chunk done, so a chunk is
counted once however many times it runs. ``total`` is the audience size; ``sent`` counts the
recipients reached (inbox or a push accepted), ``failed`` those who could not be reached.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import broadcast_repository, repository
from notifications.errors import InvalidAudience
from notifications.models import Broadcast, BroadcastChunk, Notification
from notifications.service import channels, require_category
from notifications.texts import MAX_BODY_CHARS, MAX_TITLE_CHARS, checked_data, localized
from superapp import outbox
from superapp.context import AppContext
from superapp.db import unit_of_work, utcnow
from superapp.ids import new_id

AUDIENCE_RE = re.compile(r"^(all|district:([A-Za-z0-9_.-]{1,20}))$")
CHUNK_SIZE = 5000
CHUNK_MAX_RUNS = 8
PLAN_JOB = "notifications.broadcast.plan"
CHUNK_JOB = "notifications.broadcast.chunk"


class TransientPushError(Exception):
    """Some pushes hit a transient failure; the job is retried with backoff."""


def parse_audience(audience: str) -> str | None:
    """``"all"`` → None; ``"district:CODE"`` → ``"CODE"``."""
    match = AUDIENCE_RE.match(audience or "")
    if match is None:
        raise InvalidAudience(audience=audience)
    return match.group(2)


async def start_broadcast(
    session: AsyncSession,
    *,
    audience: str,
    category: str,
    title: dict[str, str] | str,
    body: dict[str, str] | str,
    data: dict[str, Any] | None = None,
    created_by: uuid.UUID | None = None,
    source: str = "broadcast",
    idempotency_key: str | None = None,
) -> tuple[Broadcast, bool]:
    """Record the broadcast and its planning job in the caller's transaction.

    Returns ``(broadcast, created)``; with an ``idempotency_key`` already used by ``source``,
    the earlier broadcast and False.
    """
    district = parse_audience(audience)
    cat = require_category(category)
    if idempotency_key:
        earlier = await repository.notification_by_key(session, source, idempotency_key)
        if earlier is not None and earlier.broadcast_id is not None:
            found = await session.get(Broadcast, earlier.broadcast_id)
            if found is not None:
                return found, False
    broadcast_id = new_id()
    notification = Notification(
        category=cat.code,
        title=localized(title, field="title", limit=MAX_TITLE_CHARS),
        body=localized(body, field="body", limit=MAX_BODY_CHARS),
        data=checked_data(data),
        source=source,
        critical=cat.critical,
        idempotency_key=idempotency_key,
        broadcast_id=broadcast_id,
    )
    session.add(notification)
    await session.flush()
    broadcast = Broadcast(
        id=broadcast_id,
        audience=audience,
        district_code=district,
        category=cat.code,
        notification_id=notification.id,
        created_by=created_by,
    )
    session.add(broadcast)
    await session.flush()
    await outbox.enqueue(session, PLAN_JOB, {"broadcast_id": str(broadcast.id)})
    return broadcast, True


async def plan(ctx: AppContext, broadcast_id: uuid.UUID) -> None:
    """Cut the audience into chunks and queue one job per chunk (once per broadcast)."""
    async with unit_of_work(ctx.sessionmaker) as session:
        broadcast = await session.get(Broadcast, broadcast_id, with_for_update=True)
        if broadcast is None or broadcast.chunks_total is not None:
            return
        after: uuid.UUID | None = None
        chunks: list[dict[str, Any]] = []
        total = 0
        while True:
            ids = await repository.audience_ids_after(session, broadcast.district_code, after, CHUNK_SIZE)
            if not ids:
                break
            seq = len(chunks)
            chunks.append(
                {
                    "broadcast_id": broadcast.id,
                    "seq": seq,
                    "after_id": after,
                    "upto_id": ids[-1],
                    "recipients": len(ids),
                    "status": "pending",
                    "runs": 0,
                    "sent": 0,
                    "failed": 0,
                }
            )
            total += len(ids)
            after = ids[-1]
        await broadcast_repository.add_broadcast_chunks(session, chunks)
        for chunk in chunks:
            await outbox.enqueue(
                session,
                CHUNK_JOB,
                {"broadcast_id": str(broadcast.id), "seq": chunk["seq"]},
                max_attempts=CHUNK_MAX_RUNS,
            )
        broadcast.total = total
        broadcast.chunks_total = len(chunks)
        broadcast.status = "sending" if chunks else "done"
        broadcast.finished_at = None if chunks else utcnow()
        session.add(broadcast)


async def _fan_out(
    session: AsyncSession, broadcast: Broadcast, chunk: BroadcastChunk, notification: Notification
) -> list[tuple[uuid.UUID, uuid.UUID, Any]]:
    """Inbox and delivery rows for one chunk; returns the inbox items written now."""
    cat = require_category(broadcast.category)
    created = notification.created_at
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        written = await broadcast_repository.fan_out_range_pg(
            session,
            notification.id,
            district_code=broadcast.district_code,
            after=chunk.after_id,
            upto=chunk.upto_id,
            category=cat.code,
            critical=cat.critical,
            default_push=cat.default_push,
            created_at=created,
        )
        return [(account_id, inbox_id, created) for account_id, inbox_id in written]
    ids = await repository.audience_ids_between(session, broadcast.district_code, chunk.after_id, chunk.upto_id)
    prefs = await repository.preferences(session, ids, cat.code) if not cat.critical else {}
    inbox_to, push_to = [], []
    for account_id in ids:
        inbox, push = channels(cat, prefs.get(account_id))
        if inbox:
            inbox_to.append(account_id)
        if push:
            push_to.append(account_id)
    written = await repository.add_inbox_items(session, notification.id, inbox_to, created)
    await repository.create_deliveries(session, notification.id, account_ids=push_to)
    return [(account_id, inbox_id, created) for account_id, inbox_id in written]


async def run_chunk(ctx: AppContext, broadcast_id: uuid.UUID, seq: int) -> None:
    from notifications import delivery, stream

    async with unit_of_work(ctx.sessionmaker) as session:
        chunk = await session.get(BroadcastChunk, (broadcast_id, seq), with_for_update=True)
        if chunk is None or chunk.status == "done":
            return
        chunk.runs += 1
        session.add(chunk)
        broadcast = await session.get(Broadcast, broadcast_id)
        notification = await session.get(Notification, broadcast.notification_id)
        new_items = await _fan_out(session, broadcast, chunk, notification)
        runs, after, upto, recipients = chunk.runs, chunk.after_id, chunk.upto_id, chunk.recipients
    if new_items:
        await stream.publish_items(ctx, notification, new_items)
    report = await delivery.send_pending(ctx, notification.id, id_range=(after, upto), give_up=runs >= CHUNK_MAX_RUNS)
    if report.retry:
        raise TransientPushError(f"{report.retry} push(es) to retry")
    async with unit_of_work(ctx.sessionmaker) as session:
        reached = await repository.reached_accounts(session, notification.id, after, upto)
        await broadcast_repository.finish_chunk(
            session, broadcast_id, seq, sent=min(reached, recipients), failed=max(recipients - reached, 0)
        )


async def progress(session: AsyncSession, broadcast_id: uuid.UUID) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)

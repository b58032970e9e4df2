"""Queries of broadcasts: chunk bookkeeping and the set-based fan-out on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, text, update
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.models import Broadcast, BroadcastChunk
from superapp.db import utcnow

# A UUIDv7 built in SQL (RFC 9562 §5.7): 48-bit Unix milliseconds over a random v4 UUID, then
# the version bits turned from 0100 to 0111. PostgreSQL 15 has no uuidv7() of its own.
PG_UUID7_SQL = (
    "encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
    "substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) "
    "from 1 for 6), 52, 1), 53, 1), 'hex')::uuid"
)


def _pg_range_filter(district_code: str | None, after: uuid.UUID | None) -> str:
    sql = "a.status = 'active' AND a.id <= :upto"
    if after is not None:
        sql += " AND a.id > :after"
    if district_code is not None:
        sql += " AND a.district_code = :district"
    return sql


def _pg_channel_filter(channel: str, critical: bool, default_on: bool) -> str:
    if critical:
        return ""
    if default_on:
        return (
            f" AND NOT EXISTS (SELECT 1 FROM notification_preferences p WHERE p.account_id = a.id "
            f"AND p.category = :category AND p.{channel} = false)"
        )
    return (
        f" AND EXISTS (SELECT 1 FROM notification_preferences p WHERE p.account_id = a.id "
        f"AND p.category = :category AND p.{channel} = true)"
    )


async def fan_out_range_pg(
    session: AsyncSession,
    notification_id: uuid.UUID,
    *,
    district_code: str | None,
    after: uuid.UUID | None,
    upto: uuid.UUID,
    category: str,
    critical: bool,
    default_push: bool,
    created_at: datetime,
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """PostgreSQL: inbox and delivery rows for the audience in ``(after, upto]``, in two
    ``INSERT … SELECT`` statements (nothing travels through the application)."""
    params = {
        "nid": notification_id,
        "after": after,
        "upto": upto,
        "district": district_code,
        "category": category,
        "created": created_at,
    }
    where = _pg_range_filter(district_code, after)
    inbox = await session.execute(
        text(
            f"INSERT INTO notification_inbox (id, account_id, notification_id, created_at) "
            f"SELECT {PG_UUID7_SQL}, a.id, :nid, :created FROM accounts a WHERE {where}"
            f"{_pg_channel_filter('inbox', critical, True)} "
            f"ON CONFLICT DO NOTHING RETURNING account_id, id"
        ),
        params,
    )
    written = [(r[0], r[1]) for r in inbox.all()]
    await session.execute(
        text(
            f"INSERT INTO notification_deliveries "
            f"(notification_id, account_id, token, platform, language, status, attempts, created_at) "
            f"SELECT :nid, d.account_id, d.token, d.platform, d.language, 'pending', 0, :created "
            f"FROM notification_devices d JOIN accounts a ON a.id = d.account_id WHERE {where}"
            f"{_pg_channel_filter('push', critical, default_push)} ON CONFLICT DO NOTHING"
        ),
        params,
    )
    return written


async def add_broadcast_chunks(session: AsyncSession, chunks: list[dict[str, Any]]) -> None:
    if chunks:
        await session.execute(insert(BroadcastChunk.__table__), chunks)


async def finish_chunk(session: AsyncSession, broadcast_id: uuid.UUID, seq: int, *, sent: int, failed: int) -> bool:
    """Mark a chunk done and add its counts to the broadcast, once. True if this call did it."""
    result = await session.execute(
        update(BroadcastChunk)
        .where(
            BroadcastChunk.broadcast_id == broadcast_id, BroadcastChunk.seq == seq, BroadcastChunk.status == "pending"
        )
        .values(status="done", sent=sent, failed=failed)
    )
    if not result.rowcount:
        return False
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(sent=Broadcast.sent + sent, failed=Broadcast.failed + failed, chunks_done=Broadcast.chunks_done + 1)
    )
    await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status == "sending",
            Broadcast.chunks_total.is_not(None),
            Broadcast.chunks_done >= Broadcast.chunks_total,
        )
        .values(status="done", finished_at=utcnow())
    )
    return True

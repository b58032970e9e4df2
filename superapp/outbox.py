"""Transactional outbox.

``enqueue`` writes a job row in the caller's transaction, so nothing happens unless the
transaction commits. Workers (:mod:`superapp.workers`) claim due rows — ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL — and run the handler registered for the job's ``kind``. Handlers must
be idempotent: a job may run again after a crash or a lease timeout.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.db import utcnow
from superapp.models import OutboxJob

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
Handler = Callable[["AppContext", dict[str, Any]], Awaitable[None]]
_handlers: dict[str, Handler] = {}
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


class PermanentJobError(Exception):
    """Raised by a handler for a job that can never succeed: it goes straight to ``dead``."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the coroutine that carries out jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn

    return register


def registered_kinds() -> list[str]:
    return sorted(_handlers)


async def enqueue(
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any],
    *,
    dedupe_key: str | None = None,
    delay_seconds: float = 0,
    max_attempts: int = 10,
) -> OutboxJob | None:
    """Add a job to the caller's transaction. With ``dedupe_key``, a second enqueue is a no-op."""
    job = OutboxJob(
        kind=kind,
        payload=payload,
        dedupe_key=dedupe_key,
        run_after=utcnow() + timedelta(seconds=delay_seconds),
        max_attempts=max_attempts,
    )
    if dedupe_key is None:
        session.add(job)
        await session.flush()
        return job
    try:
        async with session.begin_nested():
            session.add(job)
            await session.flush()
        return job
    except IntegrityError:
        return None


def backoff_seconds(attempts: int) -> float:
    return min(2 ** max(attempts - 1, 0), 600)


async def claim(ctx: AppContext, batch: int = 20) -> list[tuple[int, str, dict[str, Any], int, int]]:
    """Lease up to ``batch`` due jobs to this worker; returns ``(id, kind, payload, attempts, max)``."""
    now = utcnow()
    lease = now + timedelta(seconds=ctx.settings.outbox_lease_seconds)
    skip_locked = "" if ctx.settings.is_sqlite else " FOR UPDATE SKIP LOCKED"
    sql = text(
        "UPDATE outbox SET locked_until = :lease, locked_by = :worker, attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND run_after <= :now "
        "AND (locked_until IS NULL OR locked_until < :now) ORDER BY id LIMIT :batch"
        f"{skip_locked}) RETURNING id, kind, payload, attempts, max_attempts"
    )
    async with ctx.sessionmaker() as session:
        result = await session.execute(
            sql, {"lease": lease, "worker": WORKER_ID, "now": now, "batch": batch}
        )
        rows = result.all()
        await session.commit()
    out = []
    for row in rows:
        payload = row.payload
        if isinstance(payload, str):  # SQLite returns JSON as text through raw SQL
            import json

            payload = json.loads(payload)
        out.append((row.id, row.kind, payload, row.attempts, row.max_attempts))
    return out


async def _finish(ctx: AppContext, job_id: int, **values: Any) -> None:
    async with ctx.sessionmaker() as session:
        job = await session.get(OutboxJob, job_id)
        if job is None:
            return
        for k, v in values.items():
            setattr(job, k, v)
        job.locked_until = None
        job.locked_by = None
        await session.commit()


async def run_job(ctx: AppContext, job_id: int, kind: str, payload: dict[str, Any], attempts: int, max_attempts: int) -> bool:
    """Run one claimed job; record success, retry with backoff, or give up. True on success."""
    fn = _handlers.get(kind)
    if fn is None:
        await _finish(ctx, job_id, status="dead", last_error=f"no handler for {kind!r}")
        log.error("outbox job %s: no handler for kind %r", job_id, kind)
        return False
    try:
        await fn(ctx, payload)
    except PermanentJobError as exc:
        await _finish(ctx, job_id, status="dead", last_error=str(exc)[:2000])
        log.warning("outbox job %s (%s) failed permanently: %s", job_id, kind, exc)
        return False
    except Exception as exc:  # noqa: BLE001 - any failure is retried
        dead = attempts >= max_attempts
        await _finish(
            ctx,
            job_id,
            status="dead" if dead else "pending",
            last_error=repr(exc)[:2000],
            run_after=utcnow() + timedelta(seconds=backoff_seconds(attempts)),
        )
        log.warning("outbox job %s (%s) attempt %s failed: %r", job_id, kind, attempts, exc)
        return False
    await _finish(ctx, job_id, status="done", done_at=utcnow())
    return True


async def drain(ctx: AppContext, *, batch: int = 20, max_rounds: int = 1000) -> int:
    """Run due jobs until none is left (used by tests and ``superapp worker --once``)."""
    done = 0
    for _ in range(max_rounds):
        jobs = await claim(ctx, batch)
        if not jobs:
            break
        for job in jobs:
            await run_job(ctx, *job)
            done += 1
    return done

"""Periodic jobs: close reports 7 days (configurable) after their resolution."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from feedback import repository as repo
from feedback.config import feedback_settings
from feedback.workflow import Actor, record
from superapp.db import unit_of_work, utcnow
from superapp.workers import periodic

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
BATCH = 200


async def close_resolved_reports(ctx: AppContext, *, max_batches: int = 50) -> int:
    """Close every report resolved more than ``auto_close_days`` ago; returns how many."""
    cutoff = utcnow() - timedelta(days=feedback_settings(ctx).auto_close_days)
    closed = 0
    for _ in range(max_batches):
        async with unit_of_work(ctx.sessionmaker) as session:
            rows = await repo.resolved_before(session, cutoff, limit=BATCH)
            for report in rows:
                await record(ctx, session, report, actor=Actor.system(), action="auto_close", to_status="closed")
            closed += len(rows)
        if len(rows) < BATCH:
            break
    if closed:
        log.info("feedback: closed %d resolved reports", closed)
    return closed


@periodic("feedback.auto_close", every_seconds=900)
async def auto_close_job(ctx: AppContext) -> None:
    await close_resolved_reports(ctx)

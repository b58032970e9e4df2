"""Retention (Decree 13/2023 Art. 3 storage limitation): purge jobs for records that only
serve the machinery, registered as periodic jobs of the workers."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from superapp import retention
from superapp.db import utcnow
from superapp.models import IdempotencyRecord, OutboxJob
from superapp.workers import periodic_jobs, run_periodic_once


def _job(name: str):
    return next(j for j in periodic_jobs() if j.name == name)


class TestPurgeJobs:
    def test_both_purges_are_registered_periodic_jobs(self):
        names = {j.name for j in periodic_jobs()}
        assert {"superapp.purge_idempotency_records", "superapp.purge_outbox"} <= names

    async def test_idempotency_records_older_than_24_hours_go(self, ctx):
        now = utcnow()
        async with ctx.sessionmaker() as s:
            s.add(IdempotencyRecord(scope="a", key="old", request_hash="x" * 64, created_at=now - timedelta(hours=25)))
            s.add(IdempotencyRecord(scope="a", key="new", request_hash="x" * 64, created_at=now - timedelta(hours=23)))
            await s.commit()
        assert await run_periodic_once(ctx, _job("superapp.purge_idempotency_records"))
        async with ctx.sessionmaker() as s:
            assert [r.key for r in await s.exec(select(IdempotencyRecord))] == ["new"]

    async def test_only_finished_outbox_rows_past_retention_go(self, ctx):
        old = utcnow() - retention.OUTBOX_DONE_RETENTION - timedelta(hours=1)
        async with ctx.sessionmaker() as s:
            s.add(OutboxJob(kind="k", dedupe_key="done-old", status="done", done_at=old))
            s.add(OutboxJob(kind="k", dedupe_key="done-new", status="done", done_at=utcnow()))
            s.add(OutboxJob(kind="k", dedupe_key="dead-old", status="dead", created_at=old))
            s.add(OutboxJob(kind="k", dedupe_key="pending-old", status="pending", created_at=old))
            await s.commit()
        assert await run_periodic_once(ctx, _job("superapp.purge_outbox"))
        async with ctx.sessionmaker() as s:
            kept = sorted(r.dedupe_key for r in await s.exec(select(OutboxJob)))
        assert kept == ["dead-old", "done-new", "pending-old"]

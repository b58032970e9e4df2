"""The transactional outbox and the workers: atomicity, retries, dead letters, periodic jobs,
concurrent workers."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from superapp import outbox, workers
from superapp.models import OutboxJob

seen: list[dict] = []
failures: dict[str, int] = {}


@outbox.handler("test.record")
async def _record(ctx, payload):
    seen.append(payload)


@outbox.handler("test.flaky")
async def _flaky(ctx, payload):
    key = payload["key"]
    failures[key] = failures.get(key, 0) + 1
    if failures[key] <= payload["fail_times"]:
        raise RuntimeError("temporary")
    seen.append(payload)


@outbox.handler("test.permanent")
async def _permanent(ctx, payload):
    raise outbox.PermanentJobError("cannot ever work")


@pytest.fixture(autouse=True)
def _clear():
    seen.clear()
    failures.clear()


async def jobs(ctx) -> list[OutboxJob]:
    async with ctx.sessionmaker() as s:
        return list((await s.exec(select(OutboxJob).order_by(OutboxJob.id))).all())


class TestAtomicity:
    async def test_rolled_back_transaction_enqueues_nothing(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.record", {"n": 1})
            await s.rollback()
        assert await outbox.drain(ctx) == 0
        assert seen == []

    async def test_committed_job_runs_once(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.record", {"n": 2})
            await s.commit()
        assert await outbox.drain(ctx) == 1
        assert await outbox.drain(ctx) == 0
        assert seen == [{"n": 2}]
        assert [j.status for j in await jobs(ctx)] == ["done"]

    async def test_dedupe_key_enqueues_once(self, ctx):
        async with ctx.sessionmaker() as s:
            assert await outbox.enqueue(s, "test.record", {"n": 3}, dedupe_key="same") is not None
            assert await outbox.enqueue(s, "test.record", {"n": 3}, dedupe_key="same") is None
            await s.commit()
        await outbox.drain(ctx)
        assert seen == [{"n": 3}]


class TestRetries:
    async def test_failed_job_is_retried_with_backoff(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.flaky", {"key": "a", "fail_times": 1})
            await s.commit()
        await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "pending" and job.attempts == 1 and "temporary" in job.last_error
        assert seen == []  # not due yet: backoff
        async with ctx.sessionmaker() as s:
            row = await s.get(OutboxJob, job.id)
            row.run_after = row.created_at
            await s.commit()
        await outbox.drain(ctx)
        assert seen == [{"key": "a", "fail_times": 1}]

    async def test_job_gives_up_after_max_attempts(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.flaky", {"key": "b", "fail_times": 99}, max_attempts=1)
            await s.commit()
        await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "dead"

    async def test_permanent_error_goes_straight_to_dead(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.permanent", {})
            await s.commit()
        await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "dead" and job.attempts == 1

    async def test_unknown_kind_is_dead_not_lost_silently(self, ctx):
        async with ctx.sessionmaker() as s:
            await outbox.enqueue(s, "test.nobody-handles-this", {})
            await s.commit()
        await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "dead" and "no handler" in job.last_error


class TestConcurrentWorkers:
    async def test_two_claimers_never_take_the_same_job(self, ctx):
        async with ctx.sessionmaker() as s:
            for n in range(30):
                await outbox.enqueue(s, "test.record", {"n": n})
            await s.commit()
        a, b = await asyncio.gather(outbox.claim(ctx, 20), outbox.claim(ctx, 20))
        ids_a, ids_b = {j[0] for j in a}, {j[0] for j in b}
        assert not ids_a & ids_b
        assert len(ids_a | ids_b) == 30


class TestPeriodic:
    async def test_runs_once_per_period_across_workers(self, ctx):
        calls = []

        async def tick(c):
            calls.append(1)

        job = workers.PeriodicJob("test.tick", 60, tick)
        results = await asyncio.gather(*(workers.run_periodic_once(ctx, job) for _ in range(5)))
        assert sorted(results) == [False, False, False, False, True]
        assert calls == [1]

"""Background workers: the outbox drainer and periodic jobs.

Run inside ``superapp serve`` or alone with ``superapp worker``. Any number may run at once:
outbox rows are leased, and each periodic job takes a Redis lock for its period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from superapp import outbox

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
PeriodicFn = Callable[["AppContext"], Awaitable[None]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: float
    fn: PeriodicFn


_periodic: dict[str, PeriodicJob] = {}


def periodic(name: str, every_seconds: float) -> Callable[[PeriodicFn], PeriodicFn]:
    """Register a job that runs every ``every_seconds`` on one worker of the deployment."""

    def register(fn: PeriodicFn) -> PeriodicFn:
        _periodic[name] = PeriodicJob(name, every_seconds, fn)
        return fn

    return register


def periodic_jobs() -> list[PeriodicJob]:
    return list(_periodic.values())


async def run_periodic_once(ctx: AppContext, job: PeriodicJob) -> bool:
    """Run ``job`` if no other worker ran it this period (Redis ``SET NX EX`` lock)."""
    got = await ctx.redis.set(ctx.rkey("periodic", job.name), b"1", nx=True, ex=max(1, int(job.every_seconds)))
    if not got:
        return False
    try:
        await job.fn(ctx)
    except Exception:  # noqa: BLE001
        log.exception("periodic job %s failed", job.name)
    return True


async def _outbox_loop(ctx: AppContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            jobs = await outbox.claim(ctx)
            for job in jobs:
                await outbox.run_job(ctx, *job)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - database down: wait and try again
            log.exception("outbox loop error")
            jobs = []
        if not jobs:
            try:
                await asyncio.wait_for(stop.wait(), timeout=ctx.settings.worker_poll_seconds)
            except TimeoutError:
                pass


async def _periodic_loop(ctx: AppContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        for job in periodic_jobs():
            try:
                await run_periodic_once(ctx, job)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001
                log.exception("periodic scheduler error")
        try:
            await asyncio.wait_for(stop.wait(), timeout=5)
        except TimeoutError:
            pass


async def run_workers(ctx: AppContext, stop: asyncio.Event) -> None:
    await asyncio.gather(_outbox_loop(ctx, stop), _periodic_loop(ctx, stop))

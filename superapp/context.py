"""The application context: settings, database, Redis and rate limiter of one running app.

Created by the app factory (or the CLI / worker), kept on ``app.state.ctx``. Nothing here is a
module-level singleton: tests build their own context.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.db import create_engine, create_sessionmaker
from superapp.ratelimit import RateLimiter
from superapp.redis import KeyBuilder, create_redis
from superapp.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    rkey: KeyBuilder
    limiter: RateLimiter
    # Rebuildable caches only (JWKS, clients, ...). Never authoritative state.
    cache: dict[str, Any] = field(default_factory=dict)
    # Long-running tasks of this context (listeners); cancelled by ``close``.
    tasks: list[asyncio.Task] = field(default_factory=list)

    def start_task(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=name)
        self.tasks.append(task)
        return task

    @classmethod
    def build(cls, settings: Settings, *, redis: Redis | None = None) -> AppContext:
        engine = create_engine(settings)
        redis = redis if redis is not None else create_redis(settings)
        rkey = KeyBuilder(settings.redis_prefix)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            redis=redis,
            rkey=rkey,
            limiter=RateLimiter(redis, rkey, settings.redis_url),
        )

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            # Bounded: a listener stuck on a dead connection must not hold up the shutdown.
            await asyncio.wait(self.tasks, timeout=2.0)
            self.tasks.clear()
        await self.engine.dispose()
        try:
            await self.redis.aclose()
        except Exception:  # pragma: no cover - closing a dead connection
            pass


async def get_ctx(request: Request) -> AppContext:
    """``async`` so that FastAPI calls it on the event loop, not through the thread pool."""
    return request.app.state.ctx


CtxDep = Annotated[AppContext, Depends(get_ctx)]

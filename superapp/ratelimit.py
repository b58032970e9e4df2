"""Rate limits and throttles through the ``limits`` library.

With ``SUPERAPP_REDIS_URL`` set, counters live in Redis and are shared by every process; with
the embedded default they live in process memory (one process only, as the stand-in is).
"""

from __future__ import annotations

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from redis.asyncio import Redis

from superapp.errors import AppError
from superapp.redis import KeyBuilder


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    message_key = "error.rate_limited"


class RateLimiter:
    def __init__(self, redis: Redis, rkey: KeyBuilder, redis_url: str | None = None) -> None:
        self.storage: Storage
        if redis_url:
            self.storage = RedisStorage(
                "async+" + redis_url if not redis_url.startswith("async+") else redis_url,
                implementation="redispy",
                key_prefix=rkey("rl").rstrip(":"),
            )
        else:
            self.storage = MemoryStorage()
        self.strategy = SlidingWindowCounterRateLimiter(self.storage)

    async def hit(self, limit: str, namespace: str, *identifiers: str, cost: int = 1) -> bool:
        """Count one hit; ``False`` once the limit (e.g. ``"5/minute"``) is exceeded."""
        return await self.strategy.hit(parse(limit), namespace, *identifiers, cost=cost)

    async def test(self, limit: str, namespace: str, *identifiers: str) -> bool:
        """``True`` if one more hit would be allowed (does not count)."""
        return await self.strategy.test(parse(limit), namespace, *identifiers)

    async def clear(self, limit: str, namespace: str, *identifiers: str) -> None:
        await self.strategy.clear(parse(limit), namespace, *identifiers)

    async def check(self, limit: str, namespace: str, *identifiers: str, cost: int = 1) -> None:
        """Count one hit and raise :class:`RateLimited` (429) when over the limit."""
        if not await self.hit(limit, namespace, *identifiers, cost=cost):
            stats = await self.strategy.get_window_stats(parse(limit), namespace, *identifiers)
            import time

            retry_after = max(1, int(stats.reset_time - time.time()))
            raise RateLimited(headers={"Retry-After": str(retry_after)}, retry_after=retry_after)

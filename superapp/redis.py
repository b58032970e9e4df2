"""Redis: redis-py asyncio at ``SUPERAPP_REDIS_URL``; unset, an in-process stand-in (fakeredis).

Keys are built through :func:`key` so that each deployment (and each test run) has its own
namespace. Keep to single-key operations or hash-tagged keys (cluster-ready).
"""

from __future__ import annotations

from redis.asyncio import Redis

from superapp.settings import Settings


def create_redis(settings: Settings) -> Redis:
    if settings.redis_url:
        return Redis.from_url(settings.redis_url, decode_responses=False, health_check_interval=30)
    import fakeredis

    return fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=False)


class KeyBuilder:
    """Builds namespaced Redis keys: ``KeyBuilder('sa:')('otp', phone)`` → ``sa:otp:+8491…``."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

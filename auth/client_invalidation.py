"""Cross-process invalidation of the cached client rows (``auth.deps.cached_client``).

Each process keeps client rows for a few seconds, so a suspension must reach every process at
once. The revocation index key ``rev:client:<id>`` does that: while it exists (as long as the
longest access token) the token endpoint reads the client row afresh on every request. Reading
the key costs a Redis round trip on every token request, though. Instead each process listens
on one Redis channel; revoking a client publishes its id there, and every listener keeps the
same knowledge locally: "revoked at most that long ago" (``recently_revoked``).

The announcement may arrive before the suspending transaction commits; like the key, it keeps
the row uncached for the key's whole lifetime, so the commit is seen whenever it lands.

Fail closed: only while the subscription is confirmed (``listening``) is the local knowledge
used; otherwise the caller reads the key. When the connection drops the process falls back to
the read, and when it subscribes again it starts from an empty client cache.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
# ``ctx.cache`` entry: {"listening": bool, "revoked": {client id: until}, "trusted_from": t}
STATE = "client_invalidation"
RETRY_SECONDS = 1.0
TRUST_AFTER_SECONDS = 5.0
CLOSE_SECONDS = 1.0


def channel(ctx: AppContext) -> str:
    return ctx.rkey("events", "clients")


def listening(ctx: AppContext) -> bool:
    state = ctx.cache.get(STATE)
    return bool(state and state["listening"])


def recently_revoked(ctx: AppContext, client_id: str) -> bool | None:
    """Whether the client was revoked within the revocation key's lifetime, as announced;
    ``None`` when this process is not listening (read ``rev:client:<id>`` instead)."""
    state = ctx.cache.get(STATE)
    if not state or not state["listening"] or time.monotonic() < state["trusted_from"]:
        return None
    until = state["revoked"].get(client_id)
    if until is None:
        return False
    if time.monotonic() < until:
        return True
    state["revoked"].pop(client_id, None)
    return False


def _remember(ctx: AppContext, state: dict, client_id: str) -> None:
    revoked: dict[str, float] = state["revoked"]
    lifetime = ctx.settings.access_token_ttl_seconds + 120  # as the revocation key's
    if len(revoked) > 10_000:  # a flood: stop trusting local knowledge until the keys expire
        revoked.clear()
        state["trusted_from"] = time.monotonic() + lifetime
    revoked[client_id] = time.monotonic() + lifetime
    forget(ctx, client_id)


def forget(ctx: AppContext, client_id: str | None = None) -> None:
    cache = ctx.cache.get("clients")
    if cache is None:
        return
    if client_id is None:
        cache.clear()
    else:
        cache.pop(client_id, None)


async def announce(ctx: AppContext, client_id: str) -> None:
    """Tell every process (this one included) to drop the client's cached row."""
    forget(ctx, client_id)
    await ctx.redis.publish(channel(ctx), client_id.encode())


async def _listen_once(ctx: AppContext, state: dict) -> None:
    pubsub = ctx.redis.pubsub()
    try:
        await pubsub.subscribe(channel(ctx))
        while True:  # wait for the confirmation, so that "listening" means nothing is missed
            message = await pubsub.get_message(timeout=5.0)
            if message is not None and message.get("type") in ("subscribe", b"subscribe"):
                break
        forget(ctx)
        # An announcement missed just before subscribing may belong to a transaction that
        # commits just after: read the keys for a few seconds before trusting the channel.
        state["trusted_from"] = time.monotonic() + TRUST_AFTER_SECONDS
        state["listening"] = True
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30.0)
            if message is not None and message.get("type") in ("message", b"message"):
                data = message["data"]
                _remember(ctx, state, data.decode() if isinstance(data, bytes) else str(data))
    finally:
        state["listening"] = False
        try:
            await asyncio.wait_for(pubsub.aclose(), CLOSE_SECONDS)
        except Exception:  # noqa: BLE001 - the connection may already be gone
            log.debug("closing the client invalidation subscription failed", exc_info=True)


async def listen(ctx: AppContext) -> None:
    """Run until cancelled, resubscribing after any connection failure."""
    state = ctx.cache.setdefault(STATE, {"listening": False, "revoked": {}, "trusted_from": 0.0})
    while True:
        try:
            await _listen_once(ctx, state)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - Redis down or restarting: fall back, retry
            log.warning("client invalidation channel lost; checking revocations per request", exc_info=True)
            await asyncio.sleep(RETRY_SECONDS)


async def start_listener(ctx: AppContext) -> None:
    """Startup hook: the listener runs as a task of the app context (cancelled on close)."""
    ctx.start_task(listen(ctx), name="client-invalidation")

"""Client suspensions reach every process through the invalidation channel
(``auth.client_invalidation``), and the token endpoint falls back to the revocation key whenever
the channel is not trusted."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from auth import client_invalidation
from auth.models import OAuthClient
from tests.auth.oidc.conftest import basic

FORM = {"grant_type": "client_credentials"}


async def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


@pytest.fixture
async def trusted(app, ctx):
    """The app's listener subscribed and past its start-up window."""
    await wait_until(lambda: client_invalidation.listening(ctx))
    ctx.cache[client_invalidation.STATE]["trusted_from"] = 0.0
    return ctx


class CountingExists:
    def __init__(self, redis) -> None:
        self.redis, self.calls = redis, []

    def __getattr__(self, name):
        return getattr(self.redis, name)

    async def exists(self, *keys):
        self.calls.append(keys)
        return await self.redis.exists(*keys)


async def suspend_elsewhere(ctx, client_id: str) -> None:
    """Another process suspends the client: the row changes and the revocation is published,
    while this process's cache stays warm."""
    async with ctx.sessionmaker() as s:
        await s.execute(update(OAuthClient).where(OAuthClient.client_id == client_id).values(status="suspended"))
        await s.commit()
    await ctx.redis.set(ctx.rkey("rev", "client", client_id), b"1", ex=600)
    await ctx.redis.publish(client_invalidation.channel(ctx), client_id.encode())


async def test_listening_process_reads_no_revocation_key_per_request(client, trusted, factory, monkeypatch):
    app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
    counting = CountingExists(trusted.redis)
    monkeypatch.setattr(trusted, "redis", counting)
    for _ in range(3):
        assert (await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))).status_code == 200
    assert counting.calls == []


async def test_announced_suspension_empties_the_warm_cache(client, trusted, factory):
    app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
    assert (await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))).status_code == 200
    assert app.client_id in trusted.cache["clients"]
    await suspend_elsewhere(trusted, app.client_id)
    await wait_until(lambda: client_invalidation.recently_revoked(trusted, app.client_id))
    r = await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


async def test_announcement_before_the_commit_still_bites(client, trusted, factory):
    """The suspending transaction may commit after its announcement: the row stays uncached
    while the revocation is recent, so the commit is seen as soon as it lands."""
    app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
    await trusted.redis.publish(client_invalidation.channel(trusted), app.client_id.encode())
    await wait_until(lambda: client_invalidation.recently_revoked(trusted, app.client_id))
    assert (await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))).status_code == 200
    async with trusted.sessionmaker() as s:  # the commit lands now
        await s.execute(update(OAuthClient).where(OAuthClient.client_id == app.client_id).values(status="suspended"))
        await s.commit()
    assert (await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))).status_code == 401


async def test_without_the_channel_the_revocation_key_is_read(client, ctx, factory, monkeypatch):
    await wait_until(lambda: client_invalidation.listening(ctx))
    app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
    assert (await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))).status_code == 200
    for task in ctx.tasks:  # the channel is lost
        task.cancel()
    await asyncio.gather(*ctx.tasks, return_exceptions=True)
    assert client_invalidation.recently_revoked(ctx, app.client_id) is None
    counting = CountingExists(ctx.redis)
    monkeypatch.setattr(ctx, "redis", counting)
    async with ctx.sessionmaker() as s:
        await s.execute(update(OAuthClient).where(OAuthClient.client_id == app.client_id).values(status="suspended"))
        await s.commit()
    await counting.redis.set(ctx.rkey("rev", "client", app.client_id), b"1", ex=600)
    r = await client.post("/oauth/token", data=FORM, headers=basic(app.client_id))
    assert r.status_code == 401 and counting.calls


async def test_resubscribing_starts_from_an_empty_cache_and_is_not_trusted_at_once(app, ctx):
    await wait_until(lambda: client_invalidation.listening(ctx))
    for task in ctx.tasks:
        task.cancel()
    await asyncio.gather(*ctx.tasks, return_exceptions=True)
    ctx.tasks.clear()
    assert not client_invalidation.listening(ctx)
    ctx.cache.setdefault("clients", {})["stale-row"] = (0.0, None)
    await client_invalidation.start_listener(ctx)
    await wait_until(lambda: client_invalidation.listening(ctx))
    assert "stale-row" not in ctx.cache["clients"]
    assert client_invalidation.recently_revoked(ctx, "anyone") is None  # inside the start-up window
    ctx.cache[client_invalidation.STATE]["trusted_from"] = 0.0
    assert client_invalidation.recently_revoked(ctx, "anyone") is False

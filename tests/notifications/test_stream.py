"""``GET /v1/notifications/stream``: Server-Sent Events fed by Redis pub/sub."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from notifications import stream
from superapp import outbox

TIMEOUT = 10


async def next_event(lines) -> dict[str, str]:
    """Read one SSE block (up to a blank line) as ``{field: value}``; comments under ``":"``."""
    event: dict[str, str] = {}
    while True:
        line = await asyncio.wait_for(lines.__anext__(), TIMEOUT)
        if line == "":
            if event:
                return event
            continue
        name, _, value = line.partition(":")
        event[name or ":"] = value.removeprefix(" ")


async def next_notification(lines) -> dict[str, str]:
    while True:
        event = await next_event(lines)
        if event.get("event") == "notification":
            return event


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=TIMEOUT) as c:
        yield c


class TestLiveEvents:
    async def test_new_inbox_item_arrives_in_callers_language(
        self, ctx, live_server, http, citizen, citizen_headers, send
    ):
        headers = {**citizen_headers, "Accept-Language": "en"}
        async with http.stream("GET", f"{live_server}/v1/notifications/stream", headers=headers) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            lines = r.aiter_lines()
            assert (await next_event(lines))[":"] == "connected"
            await send([citizen.id], title={"vi": "Xin chào", "en": "Hello"})
            await outbox.drain(ctx)
            event = await next_notification(lines)
        data = json.loads(event["data"])
        assert data["title"] == "Hello" and data["category"] == "system" and data["read_at"] is None
        assert event["id"] == data["id"]

    async def test_other_citizens_items_are_not_streamed(
        self, ctx, live_server, http, factory, citizen, citizen_headers, send
    ):
        other = await factory.account()
        async with http.stream("GET", f"{live_server}/v1/notifications/stream", headers=citizen_headers) as r:
            lines = r.aiter_lines()
            await next_event(lines)
            await send([other.id], title="not yours")
            await send([citizen.id], title="yours")
            await outbox.drain(ctx)
            event = await next_notification(lines)
        assert json.loads(event["data"])["title"] == "yours"

    async def test_heartbeats_keep_the_stream_alive(self, live_server, http, citizen_headers, monkeypatch):
        monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.05)
        async with http.stream("GET", f"{live_server}/v1/notifications/stream", headers=citizen_headers) as r:
            lines = r.aiter_lines()
            await next_event(lines)
            assert (await next_event(lines))[":"] == "heartbeat"

    async def test_reconnect_replays_missed_items(self, ctx, live_server, http, client, citizen, citizen_headers, send):
        await send([citizen.id], title="seen")
        seen = (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"][0]
        await send([citizen.id], title="missed")
        headers = {**citizen_headers, "Last-Event-ID": seen["id"]}
        async with http.stream("GET", f"{live_server}/v1/notifications/stream", headers=headers) as r:
            event = await next_notification(r.aiter_lines())
        assert json.loads(event["data"])["title"] == "missed"


class TestLifecycle:
    async def test_disconnect_ends_the_subscription(
        self, ctx, live_server, http, citizen, citizen_headers, monkeypatch
    ):
        monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.05)
        channel = stream.channel(ctx, citizen.id)

        async def subscribers_become(n: int) -> bool:
            for _ in range(200):
                if dict(await ctx.redis.pubsub_numsub(channel))[channel.encode()] == n:
                    return True
                await asyncio.sleep(0.025)
            return False

        async with http.stream("GET", f"{live_server}/v1/notifications/stream", headers=citizen_headers) as r:
            lines = r.aiter_lines()  # kept referenced: a collected iterator closes the response
            await next_event(lines)
            assert await subscribers_become(1)
        assert await subscribers_become(0)

    async def test_needs_a_token(self, live_server, http):
        r = await http.get(f"{live_server}/v1/notifications/stream")
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")


class TestAcrossProcesses:
    async def test_item_published_by_one_process_reaches_a_stream_on_another(
        self, ctx, http, citizen, citizen_headers, send
    ):
        """A second app with its own context (own database pool, own Redis connection when
        Redis is real) serves the stream; the worker of the first publishes."""
        import socket

        import uvicorn

        from superapp.app import create_app
        from superapp.context import AppContext

        other_ctx = AppContext.build(ctx.settings, redis=None if ctx.settings.redis_url else ctx.redis)
        other = create_app(ctx.settings, ctx=other_ctx, miniapps=[], run_background_workers=False)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(other, lifespan="off", log_level="warning"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started:
                await asyncio.sleep(0.01)
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1/notifications/stream"
            async with http.stream("GET", url, headers=citizen_headers) as r:
                lines = r.aiter_lines()
                await next_event(lines)
                await send([citizen.id], title="from elsewhere")
                await outbox.drain(ctx)
                event = await next_notification(lines)
            assert json.loads(event["data"])["title"] == "from elsewhere"
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=10)
            sock.close()
            await other_ctx.engine.dispose()
            if other_ctx.redis is not ctx.redis:
                await other_ctx.redis.aclose()

"""Fixtures of the notification hub tests: citizens with tokens, a mini-app client, publishing."""

from __future__ import annotations

import uuid

import pytest

from notifications.api import publish
from superapp.db import unit_of_work

TITLE = {"vi": "Phản ánh của bạn đã được xử lý", "en": "Your report was resolved"}
BODY = {"vi": "Cảm ơn bạn đã góp ý.", "en": "Thank you for your feedback."}


def fcm_token(n: int | str = 0) -> str:
    """A string shaped like an FCM registration token."""
    return f"fcm-token-{n}-" + "a1B2c3D4" * 5


@pytest.fixture
def miniapps() -> list:
    """No installed mini-apps: these tests exercise the hub alone."""
    return []


@pytest.fixture
async def citizen(factory):
    return await factory.account()


@pytest.fixture
async def citizen_headers(factory, citizen) -> dict[str, str]:
    return await factory.headers(citizen, ["notifications"])


@pytest.fixture
def send(ctx):
    """Publish through the Python API in a committed transaction of its own."""

    async def _send(recipients: list[uuid.UUID], category: str = "system", **kw):
        async with unit_of_work(ctx.sessionmaker) as session:
            return await publish(
                session,
                recipients=recipients,
                category=category,
                title=kw.pop("title", TITLE),
                body=kw.pop("body", BODY),
                **kw,
            )

    return _send


@pytest.fixture
async def register_device(client):
    async def _register(headers: dict[str, str], token: str, platform: str = "android", **extra):
        r = await client.post("/v1/devices", json={"token": token, "platform": platform, **extra}, headers=headers)
        assert r.status_code in (200, 201), r.text
        return r.json()

    return _register


@pytest.fixture(scope="session")
def fcm_server(tmp_path_factory):
    """One fake FCM server (and service-account file) for the whole run."""
    from tests.notifications.fake_fcm import FakeFcmServer

    server = FakeFcmServer().start()
    server.credentials_file = server.write_service_account(tmp_path_factory.mktemp("fcm") / "service-account.json")
    yield server
    server.stop()


@pytest.fixture
def fcm(ctx, fcm_server):
    """The ``fcm`` push backend pointed at the fake FCM server; yields the fake's (fresh) state."""
    from notifications.push import CACHE_KEY

    fcm_server.fake.reset()
    ctx.settings.push_backend = "fcm"
    ctx.settings.fcm_credentials_file = str(fcm_server.credentials_file)
    ctx.settings.fcm_project_id = fcm_server.fake.project_id
    ctx.settings.fcm_endpoint = fcm_server.url
    ctx.cache.pop(CACHE_KEY, None)
    yield fcm_server.fake
    backend = ctx.cache.pop(CACHE_KEY, None)
    if backend is not None and hasattr(backend, "close"):
        backend.close()


@pytest.fixture
async def live_server(app):
    """The app served by uvicorn on 127.0.0.1 (a free port), for streaming responses."""
    import asyncio
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await asyncio.wait_for(task, timeout=10)
    sock.close()

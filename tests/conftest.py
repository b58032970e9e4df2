"""Test fixtures shared by every module.

Backends: SQLite + in-process Redis stand-in by default. Set ``SUPERAPP_TEST_DATABASE_URL``
(e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``) and ``SUPERAPP_TEST_REDIS_URL``
(``redis://127.0.0.1:6379/0``) to run the same suite against PostgreSQL and Redis. On
PostgreSQL each test run gets its own database (created from the given one, dropped at the
end) and every test starts from empty tables; on Redis each test gets its own key prefix.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlmodel import SQLModel

from superapp.context import AppContext
from superapp.settings import Settings
from tests.factories import Factory

PG_URL = os.environ.get("SUPERAPP_TEST_DATABASE_URL")
# The suite builds hundreds of apps in one process: frozen objects would never be collected.
os.environ.setdefault("SUPERAPP_GC_FREEZE_AFTER_STARTUP", "false")
REDIS_URL = os.environ.get("SUPERAPP_TEST_REDIS_URL")
ISSUER = "http://testserver"


def _load_all_models() -> None:
    from superapp.metadata import load_metadata

    load_metadata()


def _pg_admin_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_database_url() -> AsyncIterator[str | None]:
    """A fresh PostgreSQL database for this test run (None on SQLite)."""
    if not PG_URL:
        yield None
        return
    import asyncpg

    _load_all_models()
    name = f"superapp_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    base = _pg_admin_url(PG_URL)

    async def create() -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(PG_URL.rsplit("/", 1)[0] + "/" + name)
        async with engine.begin() as conn2:
            await conn2.run_sync(SQLModel.metadata.create_all)
        await engine.dispose()

    async def drop() -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(create())
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(drop())


@pytest.fixture
def settings(tmp_path, pg_database_url, sqlite_template) -> Settings:
    _load_all_models()
    if not pg_database_url:
        shutil.copyfile(sqlite_template, tmp_path / "test.db")
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=pg_database_url or f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
        redis_url=REDIS_URL,
        redis_prefix=f"t{uuid.uuid4().hex[:10]}:",
        issuer=ISSUER,
        secret_key="test-secret-key-0123456789abcdef",
        pairwise_secret="test-pairwise-secret-0123456789",
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        workers_enabled=False,
        log_json=False,
    )


async def _reset_database(ctx: AppContext) -> None:
    """Empty tables for this test. SQLite: a copy of a template file made once per run (the
    settings fixture already placed it). PostgreSQL: DELETE in reverse dependency order, which
    is far cheaper than TRUNCATE for many small tables."""
    if ctx.settings.is_sqlite:
        return
    from sqlalchemy import text

    async with ctx.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await conn.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with every table, created once per test run and copied for each test."""
    from sqlalchemy import create_engine

    _load_all_models()
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    return path


@pytest.fixture
async def ctx(settings) -> AsyncIterator[AppContext]:
    context = AppContext.build(settings)
    await _reset_database(context)
    yield context
    if REDIS_URL:
        try:
            keys = [k async for k in context.redis.scan_iter(match=settings.redis_prefix + "*", count=1000)]
            if keys:
                await context.redis.delete(*keys)
        except Exception:  # noqa: BLE001
            pass
    await context.close()


@pytest.fixture
def miniapps() -> list | None:
    """Override in a test module to mount a chosen set of mini-apps (None: installed ones)."""
    return None


@pytest.fixture
async def app(ctx, miniapps):
    from superapp.app import create_app

    application = create_app(ctx.settings, ctx=ctx, miniapps=miniapps, run_background_workers=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as c:
        yield c


@pytest.fixture
async def factory(ctx, app) -> Factory:
    """Plain factory functions for accounts, clients and tokens (see tests/factories.py)."""
    return Factory(ctx)

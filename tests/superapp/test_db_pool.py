"""Pooled PostgreSQL connections: pinged only after sitting idle, and a dead one never reaches a
request twice (``superapp.db.ping_idle_connections``)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from superapp.db import create_engine
from superapp.errors import is_dependency_unavailable


@pytest.fixture
def pg_settings(settings):
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("connection pinging applies to the PostgreSQL pool")
    return settings


async def backend_pid(conn) -> int:
    return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def terminate(settings, pid: int) -> None:
    """Kill one server backend from a separate engine (another client of the same server)."""
    other = create_engine(settings)
    try:
        async with other.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await admin.commit()
    finally:
        await other.dispose()


def count_pings(engine) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def counting(dbapi_conn):
        pings.append(1)
        return original(dbapi_conn)

    engine.dialect.do_ping = counting
    return pings


async def test_connection_in_steady_use_is_not_pinged(pg_settings):
    engine = create_engine(pg_settings.model_copy(update={"database_ping_idle_seconds": 60.0}))
    pings = count_pings(engine)
    try:
        for _ in range(5):
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        assert pings == []
    finally:
        await engine.dispose()


async def test_idle_dead_connection_is_replaced_before_use(pg_settings):
    engine = create_engine(pg_settings.model_copy(update={"database_ping_idle_seconds": 0.05}))
    pings = count_pings(engine)
    reconnects: list[int] = []
    event.listen(engine.sync_engine, "connect", lambda *_: reconnects.append(1))
    try:
        async with engine.connect() as conn:
            dead = await backend_pid(conn)
        await terminate(pg_settings, dead)
        await asyncio.sleep(0.2)
        async with engine.connect() as conn:
            assert await backend_pid(conn) != dead  # no error reached the caller
        assert pings and len(reconnects) == 2
    finally:
        await engine.dispose()


async def test_busy_dead_connection_fails_once_then_the_pool_reconnects(pg_settings):
    engine = create_engine(pg_settings.model_copy(update={"database_ping_idle_seconds": 60.0}))
    try:
        async with engine.connect() as conn:
            dead = await backend_pid(conn)
        await terminate(pg_settings, dead)
        with pytest.raises(DBAPIError) as failure:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert is_dependency_unavailable(failure.value)  # answered 503, not 500
        async with engine.connect() as conn:
            assert await backend_pid(conn) != dead
    finally:
        await engine.dispose()

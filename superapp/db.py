"""Database engine and the one-unit-of-work-per-request session.

Services only ``flush()``; the request's session dependency commits at the end or rolls back.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.settings import Settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """Pessimistic disconnect handling, paid only by idle connections.

    ``pool_pre_ping`` pings on every checkout (with asyncpg: ``BEGIN``, ``;``, ``ROLLBACK``:
    three round trips before each request's first statement). Here a connection is pinged only
    when it has sat in the pool longer than ``idle_seconds``; a dead one is discarded and the
    pool connects again (``DisconnectionError``). A connection that dies while in steady use
    fails its statement instead, and SQLAlchemy then invalidates the whole pool, so the
    requests after it reconnect.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return  # a new connection, or one in steady use
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("pooled connection failed its ping") from exc


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.resolved_database_url
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        if ":memory:" not in url:
            settings.ensure_data_dir()
        kwargs = {"connect_args": {"timeout": 30}}
    else:
        kwargs.update(pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow,
                      pool_recycle=1800)
    engine = create_async_engine(url, **kwargs)
    if not url.startswith("sqlite"):
        ping_idle_connections(engine, settings.database_ping_idle_seconds)
    else:

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Request-scoped session. Commits after the handler returns, rolls back on any error.

    The commit happens before the response is sent, so a failed commit is reported to the
    client instead of being silently lost.
    """
    ctx = request.app.state.ctx
    async with ctx.sessionmaker() as session:
        try:
            yield session
            if session.in_transaction():
                await session.commit()
        except BaseException:
            await session.rollback()
            raise


# ``scope="function"``: the dependency's exit (the commit) runs when the handler returns, before
# the response is sent. With the default request scope FastAPI would commit after sending.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

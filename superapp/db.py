"""Database engine and the one-unit-of-work-per-request session.

Services only ``flush()``; the request's session dependency commits at the end or rolls back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.settings import Settings


def utcnow() -> datetime:
    return datetime.now(UTC)


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.resolved_database_url
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        if ":memory:" not in url:
            settings.ensure_data_dir()
        kwargs = {"connect_args": {"timeout": 30}}
    else:
        kwargs.update(pool_size=settings.database_pool_size, max_overflow=settings.database_max_overflow,
                      pool_recycle=1800)
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):

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

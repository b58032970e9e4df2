"""The Alembic history builds exactly the tables the models declare."""

from __future__ import annotations

import anyio
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import create_async_engine

from superapp.metadata import load_metadata
from superapp.migrations import upgrade
from superapp.settings import Settings


def _ignorable(diff) -> bool:
    # SQLite cannot tell some server-side details apart; those are not schema drift.
    kind = diff[0] if isinstance(diff, tuple) else diff[0][0]
    return kind in ("modify_default",)


@pytest.mark.slow
async def test_migrations_match_models(settings, tmp_path, pg_database_url):
    if pg_database_url:
        # An empty database of its own, next to the test database.
        import asyncpg

        base = pg_database_url.rsplit("/", 1)[0].replace("postgresql+asyncpg://", "postgresql://")
        name = "superapp_migr_" + tmp_path.name[-20:].replace("-", "_").lower()
        conn = await asyncpg.connect(base + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        url = pg_database_url.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    s = Settings(environment="test", data_dir=tmp_path / "m", database_url=url)
    await anyio.to_thread.run_sync(upgrade, s)

    engine = create_async_engine(url)
    metadata = load_metadata()

    def compare(sync_conn):
        mc = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return compare_metadata(mc, metadata)

    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(compare)
    finally:
        await engine.dispose()
        if pg_database_url:
            conn = await asyncpg.connect(base + "/postgres")
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()
    diffs = [d for d in diffs if not _ignorable(d)]
    assert diffs == [], f"models and migrations differ: {diffs[:10]}"

"""Alembic environment: async engine, every table of the host, modules and mini-apps."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from superapp.metadata import host_table_names, load_metadata
from superapp.settings import Settings

config = context.config
settings: Settings = config.attributes.get("settings") or Settings()
target_metadata = load_metadata()
HOST_TABLES = host_table_names()


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """The host history covers the host's tables; plugins with their own history keep theirs."""
    if type_ == "table":
        return name in HOST_TABLES
    table = getattr(obj, "table", None)
    return table is None or table.name in HOST_TABLES


def render_item(type_, obj, autogen_context):
    """Autogenerate writes the host's UTC timestamp type as the column type it stores."""
    from superapp.models import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or settings.resolved_database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True, include_object=include_object,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _do_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_do_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    existing = config.attributes.get("connection")
    if existing is not None:
        _do_run(existing)
    else:
        asyncio.run(run_migrations_online())

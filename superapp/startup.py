"""What runs when the app starts: signing keys, mini-app clients, module startup hooks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from miniapps.sdk import MiniApp, Module
from superapp.context import AppContext

log = logging.getLogger(__name__)
# PostgreSQL advisory lock key of the startup steps (any constant shared by every process).
STARTUP_LOCK_KEY = 0x5355504552  # "SUPER"


@asynccontextmanager
async def startup_lock(ctx: AppContext) -> AsyncIterator[None]:
    """One process at a time runs the startup steps, so that replicas started together on a
    fresh database create one set of signing keys and clients (a session-level PostgreSQL
    advisory lock; SQLite serves one process)."""
    if ctx.settings.is_sqlite:
        yield
        return
    async with ctx.engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})


async def ensure_miniapp_clients(ctx: AppContext, miniapps: list[MiniApp]) -> None:
    """Each built-in/installed mini-app gets a first-party OAuth client if it has none."""
    from auth.models import OAuthClient

    async with ctx.sessionmaker() as session:
        for mini in miniapps:
            if await session.get(OAuthClient, mini.client_id) is None:
                session.add(
                    OAuthClient(
                        client_id=mini.client_id,
                        name=mini.title.get("en") or mini.name,
                        client_type="confidential",
                        redirect_uris=list(mini.client_redirect_uris),
                        scopes=list(mini.scopes),
                        grant_types=["authorization_code", "refresh_token"],
                        first_party=True,
                    )
                )
        await session.commit()


async def run_startup(ctx: AppContext, modules: list[Module], miniapps: list[MiniApp]) -> None:
    from auth.keys import ensure_keys

    async with startup_lock(ctx):
        await ensure_keys(ctx)
        await ensure_miniapp_clients(ctx, miniapps)
        for m in modules:
            for hook in m.startup:
                try:
                    await hook(ctx)
                except Exception:  # noqa: BLE001 - a plugin's hook failing must not stop the host
                    if isinstance(m, MiniApp):
                        log.exception("startup hook of mini-app %s failed", m.slug)
                    else:
                        raise

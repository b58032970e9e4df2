"""A real uvicorn server for the console's end-to-end tests, on 127.0.0.1 and a free port.

The server runs in its own thread and event loop with ``Settings(issuer=<its base URL>)``, so
redirects, cookies and the OIDC issuer are those a browser sees; its background workers run as
in ``superapp serve`` (broadcast progress moves). Tables are created (SQLite) or emptied
(PostgreSQL) before it starts.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import uvicorn

from superapp.context import AppContext
from superapp.settings import Settings

START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def e2e_settings(data_dir: Path, port: int, database_url: str | None, redis_url: str | None, prefix: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=database_url or f"sqlite+aiosqlite:///{data_dir / 'e2e.db'}",
        redis_url=redis_url,
        redis_prefix=prefix,
        host="127.0.0.1",
        port=port,
        issuer=f"http://127.0.0.1:{port}",
        secret_key="e2e-secret-key-0123456789abcdef",
        pairwise_secret="e2e-pairwise-secret-0123456789",
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        workers_enabled=True,
        worker_poll_seconds=0.2,
        log_json=False,
        log_level="WARNING",
    )


async def prepare_database(settings: Settings) -> None:
    """Every table present and empty: created on SQLite, emptied on the run's PostgreSQL database."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    from superapp.metadata import load_metadata

    load_metadata()
    ctx = AppContext.build(settings)
    try:
        async with ctx.engine.begin() as conn:
            if settings.is_sqlite:
                await conn.run_sync(SQLModel.metadata.create_all)
            else:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    await conn.execute(text(f'DELETE FROM "{table.name}"'))
    finally:
        await ctx.close()


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        from superapp.app import create_app

        self.settings = settings
        self.url = settings.resolved_issuer
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=settings.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="console-e2e-server", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the end-to-end server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def run(coro):
    """Run setup code on its own event loop (the server has its own in its thread)."""
    return asyncio.run(coro)

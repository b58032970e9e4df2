"""An app prepared for fuzzing: its own database, a level-2 citizen and an admin with tokens.

The fuzz tests drive the app synchronously through schemathesis' ASGI transport, which runs the
lifespan on its own event loop; the accounts and tokens are therefore made beforehand, in a
throwaway event loop with a context of its own that is closed before the fuzzed app starts.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from asgi_lifespan import LifespanManager

from superapp.context import AppContext
from superapp.settings import Settings
from tests.conftest import ISSUER, REDIS_URL, _reset_database
from tests.factories import Factory

CITIZEN_SCOPES = (
    "openid", "profile", "phone", "email", "offline_access", "identity",
    "feedback", "transit", "health.read", "notifications", "miniapps",
)


@dataclass
class FuzzTokens:
    citizen: str
    admin: str


def fuzz_settings(tmp: Path, pg_database_url: str | None, sqlite_template: Path) -> Settings:
    if not pg_database_url:
        shutil.copyfile(sqlite_template, tmp / "fuzz.db")
    return Settings(
        environment="test",
        data_dir=tmp / "data",
        database_url=pg_database_url or f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}",
        redis_url=REDIS_URL,
        redis_prefix=f"fz{uuid.uuid4().hex[:10]}:",
        issuer=ISSUER,
        secret_key="test-secret-key-0123456789abcdef",
        pairwise_secret="test-pairwise-secret-0123456789",
        argon2_time_cost=1,
        argon2_memory_cost=1024,
        workers_enabled=False,
        log_json=False,
    )


async def _prepare(settings: Settings) -> FuzzTokens:
    from superapp.app import create_app

    ctx = AppContext.build(settings)
    await _reset_database(ctx)
    app = create_app(settings, ctx=ctx, run_background_workers=False)
    async with LifespanManager(app):
        factory = Factory(ctx)
        citizen = await factory.account(
            level=2, national_id=f"0010{uuid.uuid4().int % 10**8:08d}", birth_date=date(1990, 5, 17),
            email="fuzz.citizen@example.vn", district_code="001",
        )
        admin = await factory.account(roles=["admin", "moderator", "transit_operator", "developer"], level=2)
        return FuzzTokens(
            citizen=await factory.token(citizen, CITIZEN_SCOPES),
            admin=await factory.token(admin, CITIZEN_SCOPES),
        )


def prepare_tokens(settings: Settings) -> FuzzTokens:
    return asyncio.run(_prepare(settings))

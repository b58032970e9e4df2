"""Data for the identity benchmark on our side, written straight into the (already migrated)
database named by the ``SUPERAPP_*`` environment: signing keys, ``--accounts`` citizens sharing
one password, the mobile app (public, first-party), a server client for client credentials, a
published web mini-app with every citizen's consent, and a mobile access token per citizen
(scope ``openid miniapps``). Prints what the load driver needs as one JSON object.

    .venv/bin/python bench/ours_setup.py --accounts 64
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "bench-Password-2026!"
MOBILE_REDIRECT = "vn.hanoi.superapp.bench:/oauth/callback"


async def setup(accounts: int) -> dict:
    from auth.keys import ensure_keys
    from auth.models import Account
    from auth.oidc.clients import create_client
    from auth.passwords import hasher_for
    from auth.tokens import issue_access_token
    from miniapps.platform import developer, identity
    from miniapps.platform.review import review
    from miniapps.platform.schemas import MiniAppCreate
    from superapp.context import AppContext
    from superapp.db import unit_of_work
    from superapp.ids import new_id
    from superapp.metadata import load_metadata
    from superapp.settings import Settings

    load_metadata()
    ctx = AppContext.build(Settings())
    try:
        await ensure_keys(ctx)
        password_hash = await hasher_for(ctx.settings).hash(PASSWORD)
        stamp = new_id().int % 10**4
        async with unit_of_work(ctx.sessionmaker) as session:
            citizens = [
                Account(phone=f"+8498{stamp:04d}{i:03d}", password_hash=password_hash, status="active",
                        identity_level=1, name=f"Bench {i}")
                for i in range(accounts)
            ]
            developer_account = Account(phone=f"+8497{stamp:04d}000", status="active", identity_level=1,
                                        roles=["citizen", "developer"])
            session.add_all([*citizens, developer_account])
            await session.flush()
            mobile = await create_client(
                session, name="bench mobile app", client_type="public", redirect_uris=[MOBILE_REDIRECT],
                scopes=["openid", "offline_access", "profile", "miniapps"],
                grant_types=["authorization_code", "refresh_token"], first_party=True,
            )
            server = await create_client(
                session, name="bench validator server", scopes=["transit.validate"],
                grant_types=["client_credentials"],
            )
            actor = developer.Actor(id=developer_account.id, request_id="bench")
            done = await developer.register(ctx, session, actor, MiniAppCreate(
                name={"vi": "Ứng dụng đo tải", "en": "Bench mini-app"},
                description={"vi": "Đo tải đăng nhập im lặng.", "en": "Silent sign-in load."},
                home_url="https://bench.example.vn/app",
                redirect_uris=["https://bench.example.vn/callback"],
                scopes=["openid", "profile"],
            ))
            await developer.submit(session, actor, done.app)
            await review(ctx, session, actor, done.app, "approve", "benchmark")
            for citizen in citizens:
                await identity.grant_consent(session, citizen.id, done.client.client_id, ["openid", "profile"])
        tokens = [
            (await issue_access_token(ctx, sub=str(c.id), client_id=mobile.client.client_id,
                                      scopes=["openid", "miniapps"])).token
            for c in citizens
        ]
        return {
            "usernames": [c.phone for c in citizens],
            "password": PASSWORD,
            "mobile_client_id": mobile.client.client_id,
            "server_client_id": server.client.client_id,
            "server_client_secret": server.client_secret,
            "miniapp_id": str(done.app.id),
            "miniapp_client_id": done.client.client_id,
            "miniapp_client_secret": done.client_secret,
            "citizen_tokens": tokens,
            "argon2": [ctx.settings.argon2_time_cost, ctx.settings.argon2_memory_cost, ctx.settings.argon2_parallelism],
        }
    finally:
        await ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=64)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(setup(args.accounts))))


if __name__ == "__main__":
    main()

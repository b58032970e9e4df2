"""The one-statement refresh rotation on PostgreSQL (``auth.oidc.refresh_rotation``): it rotates
only when every rule holds, and otherwise changes nothing, leaving the decision to the usual
path. The endpoint-level rules (reuse revokes the family, scope only narrows, lifetimes) are in
``test_token_endpoint.py`` and run on both backends."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from auth.oidc import opaque, refresh_rotation
from auth.oidc.models import Grant, RefreshToken
from superapp.db import utcnow
from tests.auth.oidc.conftest import native_tokens
from tests.factories import MOBILE_CLIENT_ID


@pytest.fixture(autouse=True)
def _postgres_only(ctx):
    if not refresh_rotation.available(ctx):
        pytest.skip("the one-statement rotation runs on PostgreSQL; SQLite takes the usual path")


async def token_row(ctx, raw: str) -> RefreshToken | None:
    async with ctx.sessionmaker() as s:
        return await s.get(RefreshToken, opaque.digest(raw))


async def grant_row(ctx, grant_id) -> Grant:
    async with ctx.sessionmaker() as s:
        return await s.get(Grant, grant_id)


async def test_rotation_claims_the_token_touches_the_grant_and_stores_the_successor(ctx, client, mobile, citizen):
    tokens = await native_tokens(client, citizen.phone)
    rotated = await refresh_rotation.rotate(ctx, tokens["refresh_token"], MOBILE_CLIENT_ID, [])
    assert rotated is not None
    grant, successor = rotated
    presented, stored = await token_row(ctx, tokens["refresh_token"]), await token_row(ctx, successor)
    assert presented.used_at is not None
    assert stored is not None and stored.used_at is None and stored.grant_id == grant.id
    assert stored.client_id == MOBILE_CLIENT_ID
    idle = (stored.expires_at - stored.created_at).total_seconds()
    assert abs(idle - ctx.settings.refresh_token_idle_seconds) < 5
    row = await grant_row(ctx, grant.id)
    assert row.last_used_at is not None
    assert grant.subject == row.subject and grant.scopes == row.scopes and grant.amr == row.amr
    assert grant.sid == row.sid and grant.auth_time == row.auth_time


async def test_successor_never_outlives_the_grant(ctx, client, mobile, citizen):
    tokens = await native_tokens(client, citizen.phone)
    soon = utcnow() + timedelta(seconds=120)
    async with ctx.sessionmaker() as s:
        await s.execute(update(Grant).values(expires_at=soon))
        await s.commit()
    _, successor = await refresh_rotation.rotate(ctx, tokens["refresh_token"], MOBILE_CLIENT_ID, [])
    stored = await token_row(ctx, successor)
    assert abs((stored.expires_at - soon).total_seconds()) < 1


@pytest.mark.parametrize(
    "case",
    ["wider_scope", "other_client", "already_used", "token_idle_expired", "grant_revoked", "grant_expired", "unknown"],
)
async def test_nothing_changes_unless_every_rule_holds(ctx, client, mobile, citizen, case):
    tokens = await native_tokens(client, citizen.phone, scope="openid")
    raw, client_id, requested = tokens["refresh_token"], MOBILE_CLIENT_ID, []
    async with ctx.sessionmaker() as s:
        if case == "wider_scope":
            requested = ["openid", "health.read"]
        elif case == "other_client":
            client_id = "someone-else"
        elif case == "already_used":
            await s.execute(update(RefreshToken).values(used_at=utcnow()))
        elif case == "token_idle_expired":
            await s.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        elif case == "grant_revoked":
            await s.execute(update(Grant).values(revoked_at=utcnow()))
        elif case == "grant_expired":
            await s.execute(update(Grant).values(expires_at=utcnow() - timedelta(seconds=1)))
        else:
            raw = opaque.new_secret()
        await s.commit()
        before = {(t.token_hash, t.used_at) for t in (await s.exec(RefreshToken.__table__.select())).all()}
        grants_before = {(g.id, g.last_used_at) for g in (await s.exec(Grant.__table__.select())).all()}
    assert await refresh_rotation.rotate(ctx, raw, client_id, requested) is None
    async with ctx.sessionmaker() as s:
        after = {(t.token_hash, t.used_at) for t in (await s.exec(RefreshToken.__table__.select())).all()}
        grants_after = {(g.id, g.last_used_at) for g in (await s.exec(Grant.__table__.select())).all()}
    assert after == before and grants_after == grants_before


async def test_narrower_scope_rotates(ctx, client, mobile, citizen):
    tokens = await native_tokens(client, citizen.phone, scope="openid profile")
    assert await refresh_rotation.rotate(ctx, tokens["refresh_token"], MOBILE_CLIENT_ID, ["openid"]) is not None


async def test_concurrent_presentations_rotate_once_and_the_second_revokes_the_family(ctx, client, mobile, citizen):
    tokens = await native_tokens(client, citizen.phone)
    form = {"grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID, "refresh_token": tokens["refresh_token"]}
    answers = await asyncio.gather(*(client.post("/oauth/token", data=form) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [200, 400]
    winner = next(a for a in answers if a.status_code == 200).json()
    # The loser presented a token already rotated: reuse, so the winner's successor is dead too.
    again = await client.post("/oauth/token", data={**form, "refresh_token": winner["refresh_token"]})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

"""Fixtures of the contract tests: the whole product mounted, reference data seeded, and small
helpers that read the SMS outbox and sign in through the first-party challenge endpoint."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

import pytest

from auth.sms import outbox_path

CHALLENGE_PATH = "/oauth/authorize-challenge"
TOKEN_PATH = "/oauth/token"


def pkce_pair() -> tuple[str, str]:
    """An RFC 7636 ``code_verifier`` and its S256 ``code_challenge``."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def sms_lines(settings) -> list[dict]:
    path = outbox_path(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def last_code_for(settings, phone: str) -> str:
    codes = [line["code"] for line in sms_lines(settings) if line["to"] == phone]
    assert codes, f"no text sent to {phone}"
    return codes[-1]


async def native_sign_in(client, client_id: str, username: str, scope: str, **credentials) -> dict:
    """Challenge endpoint → authorization code → token endpoint; returns the token response."""
    verifier, challenge = pkce_pair()
    r = await client.post(CHALLENGE_PATH, data={
        "client_id": client_id, "username": username, "scope": scope,
        "code_challenge": challenge, "code_challenge_method": "S256", **credentials,
    })
    assert r.status_code == 200, r.text
    code = r.json()["authorization_code"]
    r = await client.post(TOKEN_PATH, data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier, "client_id": client_id,
    })
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def reference_data(ctx, app):
    """Feedback areas and categories and the transit products, as the demo seed writes them."""
    from feedback import geo
    from feedback.seed import seed_reference_data
    from miniapps.transit.seed import seed as seed_transit

    async with ctx.sessionmaker() as session:
        await seed_reference_data(session)
        await seed_transit(ctx, session)
        await session.commit()
    geo.invalidate(ctx)
    return ctx

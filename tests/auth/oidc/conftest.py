"""Helpers for the provider's tests: PKCE pairs, native sign-in, code redemption."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

import httpx
import pytest

from tests.factories import MOBILE_CLIENT_ID

PASSWORD = "Correct-horse-7"
CC_SECRET = "s3cret-" + "x" * 40


@dataclass
class Pkce:
    verifier: str
    challenge: str


def pkce_pair() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return Pkce(verifier, challenge)


def basic(client_id: str, secret: str = CC_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def native_code(
    client: httpx.AsyncClient, username: str, *, pkce: Pkce, scope: str = "openid profile phone", password: str = PASSWORD,
    client_id: str = MOBILE_CLIENT_ID,
) -> httpx.Response:
    return await client.post(
        "/oauth/authorize-challenge",
        data={
            "client_id": client_id,
            "username": username,
            "password": password,
            "scope": scope,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        },
    )


async def native_tokens(client: httpx.AsyncClient, username: str, scope: str = "openid profile phone") -> dict:
    pkce = pkce_pair()
    r = await native_code(client, username, pkce=pkce, scope=scope)
    assert r.status_code == 200, r.text
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": MOBILE_CLIENT_ID,
            "code": r.json()["authorization_code"],
            "code_verifier": pkce.verifier,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def mobile(factory):
    return await factory.mobile_client()


@pytest.fixture
async def citizen(factory):
    return await factory.account(email="an@example.vn")

"""First-party native sign-in over HTTP (authorization challenge with PKCE), for tests that
drive real server processes."""

from __future__ import annotations

import base64
import hashlib
import secrets

import httpx

from auth.oidc.oauth_http import CHALLENGE_PATH
from tests.factories import MOBILE_CLIENT_ID

PASSWORD = "Correct-horse-7"  # the factory's default password


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def native_code(http: httpx.AsyncClient, base: str, username: str, challenge: str, password: str = PASSWORD):
    return await http.post(
        base + CHALLENGE_PATH,
        data={
            "client_id": MOBILE_CLIENT_ID,
            "username": username,
            "password": password,
            "scope": "openid offline_access transit notifications",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )

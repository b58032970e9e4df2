"""A citizen's whole path: register, confirm the phone, sign in from the app, read the profile."""

from __future__ import annotations

import base64
import hashlib
import secrets

PHONE = "0912345678"
PASSWORD = "Song-Hong-2026"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def sign_in(client, mobile, **credentials) -> dict:
    """First-party native sign-in through the endpoints the discovery document names."""
    config = (await client.get("/.well-known/openid-configuration")).json()
    verifier, challenge = pkce()
    r = await client.post(
        config["authorization_challenge_endpoint"],
        data={
            "client_id": mobile.client_id,
            "username": PHONE,
            "scope": "openid profile phone",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **credentials,
        },
    )
    if r.status_code != 200:
        return r.json()
    token = await client.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "client_id": mobile.client_id,
            "code": r.json()["authorization_code"],
            "code_verifier": verifier,
        },
    )
    return token.json()


class TestJourney:
    async def test_register_verify_sign_in_with_password(self, client, factory, sms):
        mobile = await factory.mobile_client()
        r = await client.post("/v1/accounts", json={"phone": PHONE, "password": PASSWORD, "full_name": "Lê Thị Hoa"})
        assert (await sign_in(client, mobile, password=PASSWORD))["error"] == "invalid_grant"  # not confirmed yet
        code = sms.last_code("+84912345678")
        assert (await client.post("/v1/accounts/verify", json={"phone": PHONE, "code": code})).status_code == 200
        tokens = await sign_in(client, mobile, password=PASSWORD)
        me = await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == r.json()["id"] and me.json()["phone"] == "+84912345678"

    async def test_sign_in_with_a_texted_login_code(self, client, factory, sms):
        mobile = await factory.mobile_client()
        account = await factory.account(phone="+84912345678")
        assert (await client.post("/v1/auth/otp", json={"phone": PHONE})).status_code == 202
        tokens = await sign_in(client, mobile, otp=sms.last_code("+84912345678"))
        me = await client.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.json()["id"] == str(account.id)

"""First-party native sign-in at the authorization challenge endpoint."""

from __future__ import annotations

from auth.oidc.throttle import PER_ACCOUNT
from tests.auth.oidc.conftest import PASSWORD, native_code, native_tokens, pkce_pair


class TestPasswordSignIn:
    async def test_right_password_yields_a_code_redeemable_without_redirect_uri(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        assert tokens["token_type"] == "Bearer"
        assert {"access_token", "id_token", "refresh_token"} <= tokens.keys()

    async def test_any_phone_form_or_email_is_accepted(self, client, mobile, citizen):
        national = "0" + citizen.phone[3:]
        for username in (national, citizen.phone[1:], citizen.email.upper()):
            r = await native_code(client, username, pkce=pkce_pair())
            assert r.status_code == 200, username

    async def test_wrong_password_is_invalid_grant(self, client, mobile, citizen):
        r = await native_code(client, citizen.phone, pkce=pkce_pair(), password="wrong-password-1")
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        assert r.headers["cache-control"] == "no-store"

    async def test_unknown_user_is_invalid_grant(self, client, mobile):
        r = await native_code(client, "0987654321", pkce=pkce_pair())
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    async def test_inactive_account_cannot_sign_in(self, client, mobile, factory):
        pending = await factory.account(status="pending_verification")
        r = await native_code(client, pending.phone, pkce=pkce_pair())
        assert r.json()["error"] == "invalid_grant"


class TestClientRules:
    async def test_third_party_client_is_refused(self, client, factory, citizen):
        other = await factory.client(client_type="public", scopes=["openid"])
        r = await native_code(client, citizen.phone, pkce=pkce_pair(), client_id=other.client_id, scope="openid")
        assert r.status_code == 400 and r.json()["error"] == "unauthorized_client"

    async def test_first_party_client_without_the_code_grant_is_refused(self, client, factory, citizen):
        from tests.auth.oidc.conftest import basic

        server = await factory.client(first_party=True, scopes=["openid"], grant_types=["client_credentials"])
        pkce = pkce_pair()
        r = await client.post(
            "/oauth/authorize-challenge",
            data={"username": citizen.phone, "password": PASSWORD, "scope": "openid",
                  "code_challenge": pkce.challenge, "code_challenge_method": "S256"},
            headers=basic(server.client_id),
        )
        assert r.status_code == 400 and r.json()["error"] == "unauthorized_client"

    async def test_unknown_client_is_invalid_client(self, client, citizen):
        r = await native_code(client, citizen.phone, pkce=pkce_pair(), client_id="nobody")
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_plain_or_missing_pkce_is_refused(self, client, mobile, citizen):
        base = {"client_id": mobile.client_id, "username": citizen.phone, "password": PASSWORD, "scope": "openid"}
        for extra in ({}, {"code_challenge": "a" * 43, "code_challenge_method": "plain"}, {"code_challenge": "a" * 43}):
            r = await client.post("/oauth/authorize-challenge", data={**base, **extra})
            assert r.status_code == 400 and r.json()["error"] == "invalid_request", extra

    async def test_scope_beyond_the_client_is_invalid_scope(self, client, mobile, citizen):
        r = await native_code(client, citizen.phone, pkce=pkce_pair(), scope="openid transit.validate")
        assert r.json()["error"] == "invalid_scope"

    async def test_json_body_is_invalid_request(self, client, mobile):
        r = await client.post("/oauth/authorize-challenge", json={"client_id": mobile.client_id})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"


class TestThrottling:
    async def test_failed_sign_ins_are_throttled_per_account(self, client, mobile, citizen):
        limit = int(PER_ACCOUNT.split("/")[0])
        for _ in range(limit):
            r = await native_code(client, citizen.phone, pkce=pkce_pair(), password="wrong-password-1")
            assert r.status_code == 400
        r = await native_code(client, citizen.phone, pkce=pkce_pair())
        assert r.status_code == 429 and r.json()["error"] == "slow_down"
        assert "retry-after" in r.headers

    async def test_failed_sign_ins_are_throttled_per_ip(self, client, mobile, factory, monkeypatch):
        from auth.oidc import throttle

        monkeypatch.setattr(throttle, "PER_IP", "3/15 minutes")
        for i in range(3):
            r = await native_code(client, f"09{i:08d}", pkce=pkce_pair())
            assert r.status_code == 400
        fresh = await factory.account()
        r = await native_code(client, fresh.phone, pkce=pkce_pair())
        assert r.status_code == 429


class TestOtpSignIn:
    async def test_otp_sent_by_sms_signs_in(self, client, mobile, citizen, ctx):
        from auth.otp import send_otp
        from auth.sms import outbox_path

        await send_otp(ctx, phone=citizen.phone, purpose="login")
        import json

        sms = json.loads(outbox_path(ctx.settings).read_text().splitlines()[-1])
        pkce = pkce_pair()
        data = {"client_id": mobile.client_id, "username": citizen.phone, "otp": sms["code"], "scope": "openid",
                "code_challenge": pkce.challenge, "code_challenge_method": "S256"}
        r = await client.post("/oauth/authorize-challenge", data=data)
        assert r.status_code == 200
        r2 = await client.post("/oauth/authorize-challenge", data=data)
        assert r2.status_code == 400 and r2.json()["error"] == "invalid_grant"

    async def test_wrong_otp_is_invalid_grant(self, client, mobile, citizen):
        pkce = pkce_pair()
        r = await client.post(
            "/oauth/authorize-challenge",
            data={"client_id": mobile.client_id, "username": citizen.phone, "otp": "000000", "scope": "openid",
                  "code_challenge": pkce.challenge, "code_challenge_method": "S256"},
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    async def test_password_and_otp_together_is_invalid_request(self, client, mobile, citizen):
        pkce = pkce_pair()
        r = await client.post(
            "/oauth/authorize-challenge",
            data={"client_id": mobile.client_id, "username": citizen.phone, "otp": "000000", "password": PASSWORD,
                  "code_challenge": pkce.challenge, "code_challenge_method": "S256"},
        )
        assert r.json()["error"] == "invalid_request"

"""Silent SSO: the phone asks for a code for a mini-app; the mini-app's server redeems it."""

from __future__ import annotations

from jose import jwt
from sqlmodel import select

from auth.oidc.models import AuthorizationCode
from auth.pairwise import pairwise_sub
from tests.miniapps.platform.conftest import phone_sign_in, pkce_pair, redeem


async def silent_sso(client, headers, app_id: str, scope: str | None = None):
    pkce = pkce_pair()
    body = {"code_challenge": pkce.challenge, "code_challenge_method": "S256"} | ({"scope": scope} if scope else {})
    return await client.post(f"/v1/miniapps/{app_id}/authorize", json=body, headers=headers), pkce


async def consent(client, headers, client_id: str, scopes: list[str]):
    return await client.post("/v1/me/consents", json={"client_id": client_id, "scopes": scopes}, headers=headers)


class TestBuiltinApps:
    async def test_first_party_app_needs_no_consent(self, client, ctx, citizen):
        r, pkce = await silent_sso(client, citizen.headers, "parking")
        assert r.status_code == 200, r.text
        assert r.json()["expires_in"] == ctx.settings.authorization_code_ttl_seconds
        async with ctx.sessionmaker() as s:
            row = (await s.exec(select(AuthorizationCode))).one()
        assert row.client_id == "miniapp-parking" and row.account_id == citizen.account.id
        assert row.code_challenge == pkce.challenge and row.redirect_uri is None
        assert row.scopes == ["openid", "profile"]


class TestThirdPartyApps:
    async def test_consent_required_names_the_scopes_to_show(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid profile")
        assert r.status_code == 403
        body = r.json()
        assert body["code"] == "consent_required" and body["scopes"] == ["openid", "profile"]
        assert body["client_id"] == app["client_id"]

    async def test_only_missing_scopes_are_asked_again(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        assert (await consent(client, citizen.headers, app["client_id"], ["openid"])).status_code == 201
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid profile")
        assert r.status_code == 403 and r.json()["scopes"] == ["profile"]

    async def test_code_is_redeemed_for_tokens_with_a_pairwise_sub(self, lifecycle, client, ctx, citizen, factory):
        app = await lifecycle.publish()
        phone = await phone_sign_in(client, factory, citizen.account)
        scopes = ["openid", "profile", "offline_access"]
        assert (await consent(client, phone, app["client_id"], scopes)).status_code == 201
        r, pkce = await silent_sso(client, phone, app["id"], " ".join(scopes))
        assert r.status_code == 200, r.text

        tokens = await redeem(client, app, r.json()["code"], pkce.verifier)
        assert tokens.status_code == 200, tokens.text
        body = tokens.json()
        claims = jwt.get_unverified_claims(body["access_token"])
        expected = pairwise_sub(ctx.settings.secrets["pairwise_secret"], f"miniapp:{app['id']}", citizen.account.id)
        assert claims["sub"] == expected != str(citizen.account.id)
        assert claims["client_id"] == app["client_id"]
        id_claims = jwt.get_unverified_claims(body["id_token"])
        assert id_claims["sub"] == expected and id_claims["aud"] in (app["client_id"], [app["client_id"]])
        assert id_claims["acr"] == "urn:superapp:loa:1" and isinstance(id_claims["auth_time"], int)
        assert body["refresh_token"]
        userinfo = await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert userinfo.status_code == 200 and userinfo.json()["sub"] == expected

    async def test_two_apps_see_unlinkable_subs(self, lifecycle, client, citizen):
        subs = []
        for _ in range(2):
            app = await lifecycle.publish()
            await consent(client, citizen.headers, app["client_id"], ["openid"])
            r, pkce = await silent_sso(client, citizen.headers, app["id"], "openid")
            tokens = (await redeem(client, app, r.json()["code"], pkce.verifier)).json()
            subs.append(jwt.get_unverified_claims(tokens["access_token"])["sub"])
        assert subs[0] != subs[1]

    async def test_the_code_works_once(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        r, pkce = await silent_sso(client, citizen.headers, app["id"], "openid")
        assert (await redeem(client, app, r.json()["code"], pkce.verifier)).status_code == 200
        again = await redeem(client, app, r.json()["code"], pkce.verifier)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

    async def test_a_wrong_verifier_fails(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid")
        bad = await redeem(client, app, r.json()["code"], pkce_pair().verifier)
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"

    async def test_last_used_is_recorded(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        before = (await client.get("/v1/me/consents", headers=citizen.headers)).json()["items"][0]
        assert before["last_used_at"] is None
        await silent_sso(client, citizen.headers, app["id"], "openid")
        after = (await client.get("/v1/me/consents", headers=citizen.headers)).json()["items"][0]
        assert after["last_used_at"] is not None


class TestRefusals:
    async def test_scope_beyond_registration(self, lifecycle, client, citizen):
        app = await lifecycle.publish(scopes=["openid"])
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid email")
        assert r.status_code == 422
        assert r.json()["code"] == "miniapps.scope_not_registered" and r.json()["scopes"] == ["email"]

    async def test_unpublished_and_unknown_apps(self, lifecycle, client, citizen):
        draft = await lifecycle.register()
        for app_id in (draft["id"], "nowhere", "0190a000-0000-7000-8000-000000000000"):
            r, _ = await silent_sso(client, citizen.headers, app_id)
            assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found"

    async def test_suspended_app_is_not_found(self, lifecycle, client, citizen, admin):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await client.post(f"/v1/admin/miniapps/{app['id']}/suspend", headers=admin.headers)
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid")
        assert r.status_code == 404

    async def test_token_without_miniapps_scope(self, client, citizen, factory):
        headers = await factory.headers(citizen.account, ["openid", "profile"])
        r, _ = await silent_sso(client, headers, "parking")
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"

    async def test_third_party_caller_is_refused(self, lifecycle, client, citizen, factory):
        other = await factory.client(scopes=["openid", "miniapps"])
        headers = await factory.headers(citizen.account, ["openid", "miniapps"], client=other)
        r, _ = await silent_sso(client, headers, "parking")
        assert r.status_code == 403 and r.json()["code"] == "miniapps.first_party_only"

    async def test_plain_pkce_is_refused(self, client, citizen):
        r = await client.post(
            "/v1/miniapps/parking/authorize",
            json={"code_challenge": "a" * 43, "code_challenge_method": "plain"},
            headers=citizen.headers,
        )
        assert r.status_code == 422 and r.json()["code"] == "miniapps.unsupported_challenge_method"

    async def test_malformed_challenge(self, client, citizen):
        r = await client.post(
            "/v1/miniapps/parking/authorize",
            json={"code_challenge": "short", "code_challenge_method": "S256"},
            headers=citizen.headers,
        )
        assert r.status_code == 422 and r.json()["code"] == "miniapps.invalid_code_challenge"

    async def test_missing_challenge(self, client, citizen):
        r = await client.post("/v1/miniapps/parking/authorize", json={}, headers=citizen.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"

    async def test_identity_scope_needs_level_2(self, lifecycle, client, citizen):
        app = await lifecycle.publish(scopes=["openid", "identity"])
        r, _ = await silent_sso(client, citizen.headers, app["id"], "openid identity")
        assert r.status_code == 403 and r.json()["code"] == "auth.identity_level_required"

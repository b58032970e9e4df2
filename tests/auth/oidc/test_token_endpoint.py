"""The token endpoint: authorization code + PKCE, refresh rotation, client credentials."""

from __future__ import annotations

from datetime import timedelta

from jose import jwt
from sqlalchemy import update

from auth.oidc.models import AuthorizationCode, Grant
from superapp.db import utcnow
from tests.auth.oidc.conftest import CC_SECRET, basic, native_code, native_tokens, pkce_pair
from tests.factories import MOBILE_CLIENT_ID


async def code_and_pkce(client, citizen, scope="openid profile phone"):
    pkce = pkce_pair()
    r = await native_code(client, citizen.phone, pkce=pkce, scope=scope)
    return r.json()["authorization_code"], pkce


def redeem_form(code, verifier, **extra):
    return {"grant_type": "authorization_code", "client_id": MOBILE_CLIENT_ID, "code": code,
            "code_verifier": verifier, **extra}


class TestAuthorizationCode:
    async def test_tokens_carry_the_contract_claims(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        access = jwt.get_unverified_claims(tokens["access_token"])
        assert {"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "sid", "gid"} <= access.keys()
        assert access["sub"] == str(citizen.id)  # first-party
        assert access["exp"] - access["iat"] <= 900
        assert jwt.get_unverified_header(tokens["access_token"])["kid"]
        idt = jwt.get_unverified_claims(tokens["id_token"])
        assert {"auth_time", "acr", "amr", "sid", "at_hash"} <= idt.keys()
        assert idt["acr"] == "urn:superapp:loa:1" and idt["amr"] == ["pwd"]
        assert idt["aud"] == MOBILE_CLIENT_ID and idt["sid"] == access["sid"]
        assert tokens["expires_in"] <= 900

    async def test_level_two_account_gets_loa2(self, client, mobile, factory):
        account = await factory.account(level=2, national_id="001099012345")
        idt = jwt.get_unverified_claims((await native_tokens(client, account.phone))["id_token"])
        assert idt["acr"] == "urn:superapp:loa:2"

    async def test_wrong_verifier_is_invalid_grant_and_burns_the_code(self, client, mobile, citizen):
        code, pkce = await code_and_pkce(client, citizen)
        r = await client.post("/oauth/token", data=redeem_form(code, pkce_pair().verifier))
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        r = await client.post("/oauth/token", data=redeem_form(code, pkce.verifier))
        assert r.json()["error"] == "invalid_grant"

    async def test_missing_verifier_is_refused(self, client, mobile, citizen):
        code, _ = await code_and_pkce(client, citizen)
        form = redeem_form(code, "")
        r = await client.post("/oauth/token", data=form)
        assert r.json()["error"] == "invalid_grant"

    async def test_redirect_uri_must_match_the_request(self, client, mobile, citizen):
        code, pkce = await code_and_pkce(client, citizen)
        r = await client.post("/oauth/token", data=redeem_form(code, pkce.verifier, redirect_uri="https://evil.example/cb"))
        assert r.json()["error"] == "invalid_grant"

    async def test_expired_code_is_refused(self, client, mobile, citizen, ctx):
        code, pkce = await code_and_pkce(client, citizen)
        async with ctx.sessionmaker() as s:
            await s.execute(update(AuthorizationCode).values(expires_at=utcnow() - timedelta(seconds=1)))
            await s.commit()
        r = await client.post("/oauth/token", data=redeem_form(code, pkce.verifier))
        assert r.json()["error"] == "invalid_grant"

    async def test_codes_live_at_most_60_seconds(self, client, mobile, citizen, ctx):
        await code_and_pkce(client, citizen)
        async with ctx.sessionmaker() as s:
            row = (await s.exec(AuthorizationCode.__table__.select())).first()
        assert (row.expires_at - row.created_at) <= timedelta(seconds=60)

    async def test_replayed_code_fails_and_revokes_what_the_first_use_issued(self, client, mobile, citizen):
        code, pkce = await code_and_pkce(client, citizen)
        first = await client.post("/oauth/token", data=redeem_form(code, pkce.verifier))
        assert first.status_code == 200
        bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 200
        second = await client.post("/oauth/token", data=redeem_form(code, pkce.verifier))
        assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 401
        r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID,
                                                     "refresh_token": first.json()["refresh_token"]})
        assert r.json()["error"] == "invalid_grant"

    async def test_code_of_another_client_is_refused(self, client, mobile, citizen, factory):
        other = await factory.client(client_type="public", first_party=True, scopes=["openid"])
        code, pkce = await code_and_pkce(client, citizen, scope="openid")
        r = await client.post("/oauth/token", data={**redeem_form(code, pkce.verifier), "client_id": other.client_id})
        assert r.json()["error"] == "invalid_grant"

    async def test_unknown_code_is_invalid_grant(self, client, mobile):
        r = await client.post("/oauth/token", data=redeem_form("nope", pkce_pair().verifier))
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    async def test_repeated_parameter_is_invalid_request(self, client, mobile):
        r = await client.post("/oauth/token", content="grant_type=authorization_code&code=a&code=b&client_id=" + MOBILE_CLIENT_ID,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.json()["error"] == "invalid_request"

    async def test_unsupported_grant_type(self, client, mobile):
        r = await client.post("/oauth/token", data={"grant_type": "password", "client_id": MOBILE_CLIENT_ID})
        assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


class TestRefresh:
    async def refresh(self, client, token, **extra):
        return await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID,
                                                        "refresh_token": token, **extra})

    async def test_rotation_gives_a_new_refresh_token_each_time(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await self.refresh(client, tokens["refresh_token"])
        assert r.status_code == 200
        assert r.json()["refresh_token"] != tokens["refresh_token"]
        assert (await self.refresh(client, r.json()["refresh_token"])).status_code == 200

    async def test_reused_refresh_token_revokes_the_family(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        rotated = (await self.refresh(client, tokens["refresh_token"])).json()
        reuse = await self.refresh(client, tokens["refresh_token"])
        assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
        assert (await self.refresh(client, rotated["refresh_token"])).json()["error"] == "invalid_grant"
        bearer = {"Authorization": f"Bearer {rotated['access_token']}"}
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 401

    async def test_scope_may_narrow(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await self.refresh(client, tokens["refresh_token"], scope="openid")
        assert r.status_code == 200 and r.json()["scope"] == "openid"
        again = await self.refresh(client, r.json()["refresh_token"])
        assert again.json()["scope"] == "openid profile phone"  # the grant keeps its scope

    async def test_scope_escalation_is_invalid_scope(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone, scope="openid")
        r = await self.refresh(client, tokens["refresh_token"], scope="openid health.read")
        assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
        assert (await self.refresh(client, tokens["refresh_token"])).status_code == 200  # not burnt

    async def test_idle_expired_refresh_token_is_refused(self, client, mobile, citizen, ctx):
        from auth.oidc.models import RefreshToken

        tokens = await native_tokens(client, citizen.phone)
        async with ctx.sessionmaker() as s:
            await s.execute(update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
            await s.commit()
        assert (await self.refresh(client, tokens["refresh_token"])).json()["error"] == "invalid_grant"

    async def test_absolute_lifetime_ends_the_family(self, client, mobile, citizen, ctx):
        tokens = await native_tokens(client, citizen.phone)
        async with ctx.sessionmaker() as s:
            await s.execute(update(Grant).values(expires_at=utcnow() - timedelta(seconds=1)))
            await s.commit()
        assert (await self.refresh(client, tokens["refresh_token"])).json()["error"] == "invalid_grant"

    async def test_refresh_token_of_another_client_is_refused_and_not_burnt(self, client, mobile, citizen, factory):
        other = await factory.client(client_type="public", first_party=True, scopes=["openid"])
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": other.client_id,
                                                     "refresh_token": tokens["refresh_token"]})
        assert r.json()["error"] == "invalid_grant"
        assert (await self.refresh(client, tokens["refresh_token"])).status_code == 200

    async def test_idle_and_absolute_lifetimes_come_from_settings(self, client, mobile, citizen, ctx):
        from auth.oidc.models import RefreshToken

        await native_tokens(client, citizen.phone)
        async with ctx.sessionmaker() as s:
            token = (await s.exec(RefreshToken.__table__.select())).first()
            grant = (await s.exec(Grant.__table__.select())).first()
        assert abs((token.expires_at - token.created_at).total_seconds() - ctx.settings.refresh_token_idle_seconds) < 5
        assert abs((grant.expires_at - grant.created_at).total_seconds() - ctx.settings.refresh_token_absolute_seconds) < 5


class TestClientCredentials:
    async def test_allowed_scope_gets_a_client_token(self, client, factory):
        validator = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "transit.validate"},
                              headers=basic(validator.client_id))
        assert r.status_code == 200
        claims = jwt.get_unverified_claims(r.json()["access_token"])
        assert claims["sub"] == validator.client_id and claims["scope"] == "transit.validate"
        assert "refresh_token" not in r.json()

    async def test_scope_not_allowed_is_invalid_scope(self, client, factory):
        validator = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        for scope in ("notifications.publish", "openid", "transit.validate open311"):
            r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": scope},
                                  headers=basic(validator.client_id))
            assert r.status_code == 400 and r.json()["error"] == "invalid_scope", scope

    async def test_client_without_the_grant_is_unauthorized_client(self, client, factory):
        app_client = await factory.client(scopes=["open311"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(app_client.client_id))
        assert r.json()["error"] == "unauthorized_client"

    async def test_bad_secret_is_invalid_client_401(self, client, factory):
        validator = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers=basic(validator.client_id, "wrong"))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        assert r.headers["www-authenticate"].startswith("Basic")

    async def test_client_secret_post_works(self, client, factory):
        validator = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": validator.client_id,
                                                     "client_secret": CC_SECRET})
        assert r.status_code == 200 and r.json()["scope"] == "open311"

    async def test_suspended_client_is_refused(self, client, factory):
        validator = await factory.client(scopes=["open311"], grant_types=["client_credentials"], status="suspended")
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(validator.client_id))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

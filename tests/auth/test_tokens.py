"""Access tokens and the resource-server dependency: signature, algorithm allow-list,
audience, expiry, revocation, key rotation, pairwise subjects."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid

import pytest
from fastapi import APIRouter, Depends
from jose import jwt as jose_jwt

from auth import keys, revocation
from auth.deps import Authenticated, CurrentAccount, require_identity_level, require_roles, require_scopes
from auth.pairwise import pairwise_sub, sector_of
from auth.tokens import InvalidToken, api_audience, issue_access_token, verify_jwt
from miniapps.sdk import Module
from superapp import plugins

router = APIRouter(prefix="/v1/test-auth")


@router.get("/whoami")
async def whoami(p: Authenticated) -> dict:
    return {"sub": p.sub, "account_id": str(p.account_id) if p.account_id else None, "client_id": p.client_id}


@router.get("/feedback-only", dependencies=[Depends(require_scopes("feedback"))])
async def feedback_only() -> dict:
    return {"ok": True}


@router.get("/me")
async def me(current: CurrentAccount) -> dict:
    return {"id": str(current.account.id)}


@router.get("/admin", dependencies=[Depends(require_roles("admin"))])
async def admin_only() -> dict:
    return {"ok": True}


@router.get("/level2", dependencies=[Depends(require_identity_level(2))])
async def level2() -> dict:
    return {"ok": True}


@pytest.fixture
async def app(ctx):
    from asgi_lifespan import LifespanManager

    from superapp.app import create_app

    modules = [*plugins.load_core_modules(), Module(name="test-auth", routers=[router])]
    application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
    async with LifespanManager(application):
        yield application


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestVerification:
    async def test_valid_token_identifies_the_account(self, client, factory):
        account = await factory.account()
        r = await client.get("/v1/test-auth/whoami", headers=await factory.headers(account, ["openid"]))
        assert r.status_code == 200
        assert r.json()["account_id"] == str(account.id)

    async def test_missing_token_is_401_with_www_authenticate(self, client):
        r = await client.get("/v1/test-auth/whoami")
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"].startswith("application/problem+json")

    async def test_alg_none_is_refused(self, client, factory, ctx):
        account = await factory.account()
        good = await factory.token(account, ["openid"])
        claims = jose_jwt.get_unverified_claims(good)
        forged = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + "."
        r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]

    async def test_hs256_signed_with_the_public_key_is_refused(self, client, factory, ctx):
        account = await factory.account()
        good = await factory.token(account, ["openid"])
        claims = jose_jwt.get_unverified_claims(good)
        keyset = await keys.get_keyset(ctx)
        public_jwk = keyset.jwks["keys"][0]
        forged = jose_jwt.encode(claims, json.dumps(public_jwk), algorithm="HS256", headers={"kid": public_jwk["kid"]})
        with pytest.raises(InvalidToken):
            await verify_jwt(ctx, forged, audience=api_audience(ctx))
        r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {forged}"})
        assert r.status_code == 401

    async def test_tampered_payload_is_refused(self, client, factory):
        account = await factory.account()
        header, payload, sig = (await factory.token(account, ["openid"])).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["scope"] = "openid feedback health.read"
        r = await client.get(
            "/v1/test-auth/whoami", headers={"Authorization": f"Bearer {header}.{_b64(claims)}.{sig}"}
        )
        assert r.status_code == 401

    async def test_expired_token_is_refused(self, ctx, factory):
        account = await factory.account()
        client = await factory.mobile_client()
        issued = await issue_access_token(ctx, sub=str(account.id), client_id=client.client_id, scopes=["openid"])
        claims = dict(issued.claims, exp=int(time.time()) - 10, iat=int(time.time()) - 100)
        from auth.tokens import sign

        expired = await sign(ctx, claims)
        with pytest.raises(InvalidToken):
            await verify_jwt(ctx, expired, audience=api_audience(ctx))

    async def test_wrong_audience_is_refused(self, client, ctx, factory):
        account = await factory.account()
        mobile = await factory.mobile_client()
        issued = await issue_access_token(
            ctx, sub=str(account.id), client_id=mobile.client_id, scopes=["openid"], audience="https://other.example"
        )
        r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {issued.token}"})
        assert r.status_code == 401

    async def test_garbage_tokens_are_401_not_500(self, client):
        for junk in ["abc", "a.b.c", "x" * 9000, "...", _b64({"alg": "ES256"}) + ".e30.AAAA"]:
            r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {junk}"})
            assert r.status_code == 401, junk

    async def test_access_token_lifetime_is_at_most_15_minutes(self, ctx, factory):
        mobile = await factory.mobile_client()
        issued = await issue_access_token(ctx, sub="x", client_id=mobile.client_id, scopes=[], ttl_seconds=86400)
        assert issued.claims["exp"] - issued.claims["iat"] <= 900
        header = jose_jwt.get_unverified_header(issued.token)
        assert header["alg"] == "ES256" and header["kid"]


class TestScopesRolesLevels:
    async def test_missing_scope_is_403_insufficient_scope(self, client, factory):
        account = await factory.account()
        r = await client.get("/v1/test-auth/feedback-only", headers=await factory.headers(account, ["openid"]))
        assert r.status_code == 403
        assert r.json()["code"] == "auth.insufficient_scope"
        assert 'error="insufficient_scope"' in r.headers["www-authenticate"]
        ok = await client.get("/v1/test-auth/feedback-only", headers=await factory.headers(account, ["feedback"]))
        assert ok.status_code == 200

    async def test_role_required(self, client, factory):
        citizen = await factory.account()
        admin = await factory.account(roles=["admin"])
        assert (await client.get("/v1/test-auth/admin", headers=await factory.headers(citizen))).status_code == 403
        assert (await client.get("/v1/test-auth/admin", headers=await factory.headers(admin))).status_code == 200

    async def test_identity_level_required(self, client, factory):
        l1 = await factory.account(level=1)
        r = await client.get("/v1/test-auth/level2", headers=await factory.headers(l1))
        assert r.status_code == 403 and r.json()["code"] == "auth.identity_level_required"

    async def test_client_credentials_token_has_no_account(self, client, factory):
        c = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        h = await factory.headers(None, ["transit.validate"], client=c)
        r = await client.get("/v1/test-auth/whoami", headers=h)
        assert r.status_code == 200 and r.json()["account_id"] is None
        r = await client.get("/v1/test-auth/me", headers=h)
        assert r.status_code == 403 and r.json()["code"] == "auth.account_required"

    async def test_disabled_account_token_stops_working(self, client, factory, ctx):
        account = await factory.account()
        h = await factory.headers(account)
        async with ctx.sessionmaker() as s:
            row = await s.get(type(account), account.id)
            row.status = "disabled"
            await s.commit()
        assert (await client.get("/v1/test-auth/me", headers=h)).status_code == 401


class TestRevocationIndex:
    @pytest.mark.parametrize("kind", ["sid", "gid"])
    async def test_revoked_session_or_grant_bites_before_expiry(self, client, factory, ctx, kind):
        account = await factory.account()
        value = uuid.uuid4().hex
        h = await factory.headers(account, ["openid"], **{kind: value})
        assert (await client.get("/v1/test-auth/whoami", headers=h)).status_code == 200
        await revocation.revoke(ctx, kind, value)
        assert (await client.get("/v1/test-auth/whoami", headers=h)).status_code == 401

    async def test_revoked_client_kills_old_tokens_only(self, client, factory, ctx):
        account = await factory.account()
        mobile = await factory.mobile_client()
        old = await factory.headers(account, ["openid"], client=mobile)
        await revocation.revoke(ctx, "client", mobile.client_id)
        assert (await client.get("/v1/test-auth/whoami", headers=old)).status_code == 401
        await asyncio.sleep(1.1)
        fresh = await factory.headers(account, ["openid"], client=mobile)
        assert (await client.get("/v1/test-auth/whoami", headers=fresh)).status_code == 200


class TestPairwise:
    async def test_third_party_sees_a_stable_unlinkable_sub(self, client, factory, ctx):
        account = await factory.account()
        a = await factory.client(redirect_uris=["https://parking.example.vn/cb"])
        b = await factory.client(redirect_uris=["https://museum.example.vn/cb"])
        ta, tb = await factory.token(account, ["openid"], client=a), await factory.token(account, ["openid"], client=b)
        sub_a = jose_jwt.get_unverified_claims(ta)["sub"]
        sub_b = jose_jwt.get_unverified_claims(tb)["sub"]
        assert sub_a != sub_b and str(account.id) not in (sub_a, sub_b)
        assert sub_a == pairwise_sub(ctx.settings.secrets["pairwise_secret"], sector_of(a), account.id)
        assert jose_jwt.get_unverified_claims(await factory.token(account, ["openid"], client=a))["sub"] == sub_a
        for token in (ta, tb):
            r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {token}"})
            assert r.json()["account_id"] == str(account.id)

    async def test_first_party_sees_the_account_id(self, factory):
        account = await factory.account()
        token = await factory.token(account, ["openid"])
        assert jose_jwt.get_unverified_claims(token)["sub"] == str(account.id)


class TestKeyRotation:
    async def test_rotation_publishes_next_before_it_signs_and_keeps_the_old(self, ctx, factory, client):
        account = await factory.account()
        before = await keys.get_keyset(ctx, refresh=True)
        old_token = await factory.token(account, ["openid"])
        next_kids = {k["kid"] for k in before.jwks["keys"]} - {before.signing_kid}
        assert next_kids, "a next key is published before it signs"
        async with ctx.sessionmaker() as s:
            result = await keys.rotate(s, ctx.settings.secrets["secret_key"])
            await s.commit()
        assert result["active"] in next_kids
        ctx.cache.pop("keyset", None)
        after = await keys.get_keyset(ctx)
        assert after.signing_kid == result["active"]
        assert before.signing_kid in after.verify_keys  # retired, still published
        new_token = await factory.token(account, ["openid"])
        assert jose_jwt.get_unverified_header(new_token)["kid"] == result["active"]
        for token in (old_token, new_token):
            r = await client.get("/v1/test-auth/whoami", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200

    async def test_private_keys_are_encrypted_at_rest(self, ctx):
        from sqlmodel import select

        from auth.models import SigningKey

        await keys.get_keyset(ctx)
        async with ctx.sessionmaker() as s:
            rows = (await s.exec(select(SigningKey))).all()
        assert rows
        for row in rows:
            assert "PRIVATE KEY" not in row.private_key_encrypted


class TestAccountScopesDependency:
    async def test_require_account_scopes_builds_openapi_and_checks(self, ctx, factory):
        from asgi_lifespan import LifespanManager
        import httpx

        from auth.deps import require_account_scopes
        from superapp.app import create_app

        r2 = APIRouter(prefix="/v1/test-acct")

        @r2.get("/x")
        async def x(current=Depends(require_account_scopes("feedback"))) -> dict:
            return {"id": str(current.account.id)}

        modules = [*plugins.load_core_modules(), Module(name="t2", routers=[r2])]
        application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
        async with LifespanManager(application):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as c:
                assert (await c.get("/openapi.json")).status_code == 200
                account = await factory.account()
                assert (await c.get("/v1/test-acct/x", headers=await factory.headers(account, ["openid"]))).status_code == 403
                ok = await c.get("/v1/test-acct/x", headers=await factory.headers(account, ["feedback"]))
                assert ok.status_code == 200 and ok.json()["id"] == str(account.id)

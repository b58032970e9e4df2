"""Client authentication: private_key_jwt (RFC 7523), secrets, public clients."""

from __future__ import annotations

import time
import uuid

import httpx
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk, jwt

from auth.oidc.client_auth import JWT_BEARER

TOKEN_URL = "http://testserver/oauth/token"


def keypair(kid: str = "k1"):
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    public = jwk.construct(public_pem, "ES256").to_dict()
    public["kid"] = kid
    return pem, public


def assertion(pem: str, client_id: str, *, kid: str = "k1", aud: str = TOKEN_URL, lifetime: int = 60,
              jti: str | None = None, iss: str | None = None) -> str:
    now = int(time.time())
    claims = {"iss": iss or client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + lifetime,
              "jti": jti or uuid.uuid4().hex}
    return jwt.encode(claims, pem, algorithm="ES256", headers={"kid": kid})


def cc_form(token: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_assertion_type": JWT_BEARER, "client_assertion": token}


async def jwt_client(factory, public: dict | None = None, **kw):
    return await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"], secret=None,
                                jwks={"keys": [public]} if public else None, **kw)


class TestPrivateKeyJwt:
    async def test_signed_assertion_authenticates(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id)))
        assert r.status_code == 200, r.text

    async def test_issuer_as_audience_is_accepted(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id, aud="http://testserver")))
        assert r.status_code == 200

    async def test_jti_works_once(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        token = assertion(pem, app.client_id)
        assert (await client.post("/oauth/token", data=cc_form(token))).status_code == 200
        r = await client.post("/oauth/token", data=cc_form(token))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_lifetime_over_two_minutes_is_refused(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id, lifetime=600)))
        assert r.status_code == 401

    async def test_expired_assertion_is_refused(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id, lifetime=-10)))
        assert r.status_code == 401

    async def test_wrong_audience_is_refused(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id, aud="https://other.example/token")))
        assert r.status_code == 401

    async def test_another_key_is_refused(self, client, factory):
        _, public = keypair()
        other_pem, _ = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(other_pem, app.client_id)))
        assert r.status_code == 401

    async def test_iss_other_than_sub_is_refused(self, client, factory):
        pem, public = keypair()
        app = await jwt_client(factory, public)
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id, iss="someone")))
        assert r.status_code == 401

    async def test_hs256_assertion_is_refused(self, client, factory):
        _, public = keypair()
        app = await jwt_client(factory, public)
        now = int(time.time())
        forged = jwt.encode({"iss": app.client_id, "sub": app.client_id, "aud": TOKEN_URL, "iat": now, "exp": now + 60,
                             "jti": "x"}, "secret", algorithm="HS256", headers={"kid": "k1"})
        assert (await client.post("/oauth/token", data=cc_form(forged))).status_code == 401

    @respx.mock(assert_all_called=True)
    async def test_keys_from_jwks_uri(self, respx_mock, client, factory):
        pem, public = keypair()
        respx_mock.get("https://rp.example.vn/jwks").mock(return_value=httpx.Response(200, json={"keys": [public]}))
        app = await jwt_client(factory, jwks_uri="https://rp.example.vn/jwks")
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id)))
        assert r.status_code == 200, r.text

    @respx.mock(assert_all_called=True)
    async def test_unreachable_jwks_uri_is_invalid_client(self, respx_mock, client, factory):
        pem, _ = keypair()
        respx_mock.get("https://rp.example.vn/jwks").mock(return_value=httpx.Response(500))
        app = await jwt_client(factory, jwks_uri="https://rp.example.vn/jwks")
        r = await client.post("/oauth/token", data=cc_form(assertion(pem, app.client_id)))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"


class TestOtherMethods:
    async def test_two_methods_at_once_is_invalid_request(self, client, factory):
        from tests.auth.oidc.conftest import CC_SECRET, basic

        app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_secret": CC_SECRET},
                              headers=basic(app.client_id))
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"

    async def test_confidential_client_without_secret_is_refused(self, client, factory):
        app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": app.client_id})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_malformed_basic_header(self, client):
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              headers={"Authorization": "Basic !!!notbase64"})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_unknown_client(self, client):
        r = await client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": "ghost", "code": "x"})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"


class TestSuspension:
    async def test_suspended_client_gets_no_new_tokens_even_from_a_warm_cache(self, client, ctx, factory):
        from sqlalchemy import update

        from auth.models import OAuthClient
        from auth.oidc.revoke import revoke_client
        from tests.auth.oidc.conftest import basic

        app = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        form = {"grant_type": "client_credentials"}
        assert (await client.post("/oauth/token", data=form, headers=basic(app.client_id))).status_code == 200
        async with ctx.sessionmaker() as s:  # another process suspends it: this one's cache is warm
            await s.execute(update(OAuthClient).where(OAuthClient.client_id == app.client_id).values(status="suspended"))
            cache = dict(ctx.cache.get("clients", {}))
            await revoke_client(ctx, s, app.client_id)
            await s.commit()
        ctx.cache["clients"] = cache
        r = await client.post("/oauth/token", data=form, headers=basic(app.client_id))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

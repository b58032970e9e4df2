"""Revocation (RFC 7009), introspection (RFC 7662), userinfo and discovery."""

from __future__ import annotations

from jose import jwt

from tests.auth.oidc.conftest import CC_SECRET, basic, native_tokens
from tests.factories import MOBILE_CLIENT_ID


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def resource_server(factory):
    return await factory.client(first_party=True, scopes=["open311"], grant_types=["client_credentials"])


class TestRevocation:
    async def test_revoking_the_refresh_token_ends_the_grant(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/revoke", data={"client_id": MOBILE_CLIENT_ID, "token": tokens["refresh_token"],
                                                      "token_type_hint": "refresh_token"})
        assert r.status_code == 200
        refreshed = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID,
                                                              "refresh_token": tokens["refresh_token"]})
        assert refreshed.json()["error"] == "invalid_grant"
        assert (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).status_code == 401

    async def test_revoking_the_access_token_ends_the_grant(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/revoke", data={"client_id": MOBILE_CLIENT_ID, "token": tokens["access_token"]})
        assert r.status_code == 200
        assert (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).status_code == 401

    async def test_unknown_token_is_200(self, client, mobile):
        r = await client.post("/oauth/revoke", data={"client_id": MOBILE_CLIENT_ID, "token": "nothing"})
        assert r.status_code == 200

    async def test_another_clients_token_is_left_alone(self, client, factory, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        other = await factory.client(client_type="public", scopes=["openid"])
        r = await client.post("/oauth/revoke", data={"client_id": other.client_id, "token": tokens["refresh_token"]})
        assert r.status_code == 200
        refreshed = await client.post("/oauth/token", data={"grant_type": "refresh_token", "client_id": MOBILE_CLIENT_ID,
                                                             "refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200

    async def test_bad_client_secret_is_401(self, client, factory):
        rs = await resource_server(factory)
        r = await client.post("/oauth/revoke", data={"token": "x"}, headers=basic(rs.client_id, "wrong"))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"


class TestIntrospection:
    async def test_active_access_token(self, client, factory, mobile, citizen):
        rs = await resource_server(factory)
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/introspect", data={"token": tokens["access_token"]}, headers=basic(rs.client_id))
        body = r.json()
        assert r.status_code == 200 and body["active"] is True
        assert body["client_id"] == MOBILE_CLIENT_ID and body["sub"] == str(citizen.id)
        assert body["scope"] == "openid profile phone" and r.headers["cache-control"] == "no-store"

    async def test_refresh_token_of_the_caller(self, client, factory, citizen):
        app = await factory.client(first_party=True, scopes=["openid", "offline_access"])
        from tests.auth.oidc.conftest import Browser

        browser = Browser(client, app.client_id, app.redirect_uris[0])
        r = await browser.login(await browser.start(scope="openid offline_access"), citizen.phone)
        tokens = (await browser.redeem(r.headers["location"], auth=basic(app.client_id))).json()
        r = await client.post("/oauth/introspect", data={"token": tokens["refresh_token"]}, headers=basic(app.client_id))
        assert r.json()["active"] is True and r.json()["token_type"] == "refresh_token"
        rs = await resource_server(factory)
        r = await client.post("/oauth/introspect", data={"token": tokens["refresh_token"]}, headers=basic(rs.client_id))
        assert r.json() == {"active": False}

    async def test_revoked_token_is_inactive(self, client, factory, mobile, citizen):
        rs = await resource_server(factory)
        tokens = await native_tokens(client, citizen.phone)
        await client.post("/oauth/revoke", data={"client_id": MOBILE_CLIENT_ID, "token": tokens["refresh_token"]})
        r = await client.post("/oauth/introspect", data={"token": tokens["access_token"]}, headers=basic(rs.client_id))
        assert r.json() == {"active": False}

    async def test_garbage_and_expired_tokens_are_inactive(self, client, factory, ctx):
        from auth.tokens import issue_access_token

        rs = await resource_server(factory)
        old = await issue_access_token(ctx, sub="x", client_id=rs.client_id, scopes=["open311"], ttl_seconds=1,
                                       extra={"exp": 1000, "iat": 900})
        for token in ("garbage", "a.b.c", old.token):
            r = await client.post("/oauth/introspect", data={"token": token}, headers=basic(rs.client_id))
            assert r.json() == {"active": False}

    async def test_public_client_may_not_introspect(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/introspect", data={"client_id": MOBILE_CLIENT_ID, "token": tokens["access_token"]})
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_third_party_sees_only_its_own_tokens(self, client, factory, mobile, citizen):
        third = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        tokens = await native_tokens(client, citizen.phone)
        r = await client.post("/oauth/introspect", data={"token": tokens["access_token"]}, headers=basic(third.client_id))
        assert r.json() == {"active": False}
        own = await client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": third.client_id,
                                                       "client_secret": CC_SECRET})
        r = await client.post("/oauth/introspect", data={"token": own.json()["access_token"]}, headers=basic(third.client_id))
        assert r.json()["active"] is True


class TestUserinfo:
    async def test_claims_follow_the_scopes(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone, scope="openid phone")
        body = (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).json()
        assert body == {"sub": str(citizen.id), "phone_number": citizen.phone, "phone_number_verified": True}

    async def test_profile_and_email(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone, scope="openid profile email")
        body = (await client.post("/oauth/userinfo", headers=bearer(tokens["access_token"]))).json()
        assert body["name"] == citizen.full_name and body["email"] == "an@example.vn"
        assert "phone_number" not in body

    async def test_identity_claims_only_for_level_two(self, client, factory, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone, scope="openid identity")
        assert "national_id" not in (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).json()
        verified = await factory.account(level=2, national_id="001099012346")
        tokens = await native_tokens(client, verified.phone, scope="openid identity")
        body = (await client.get("/oauth/userinfo", headers=bearer(tokens["access_token"]))).json()
        assert body["national_id"] == "001099012346" and body["acr"] == "urn:superapp:loa:2"

    async def test_pairwise_sub_for_third_party(self, client, factory, citizen):
        third = await factory.client(scopes=["openid"])
        body = (await client.get("/oauth/userinfo", headers=await factory.headers(citizen, ["openid"], client=third))).json()
        assert body["sub"] != str(citizen.id) and len(body["sub"]) == 43

    async def test_without_openid_scope_is_403(self, client, factory, citizen):
        r = await client.get("/oauth/userinfo", headers=await factory.headers(citizen, ["profile"]))
        assert r.status_code == 403 and "insufficient_scope" in r.headers["www-authenticate"]

    async def test_without_token_is_401(self, client):
        r = await client.get("/oauth/userinfo")
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")

    async def test_wrong_audience_is_refused(self, client, ctx, mobile, citizen):
        from auth.tokens import issue_access_token

        other = await issue_access_token(ctx, sub=str(citizen.id), client_id=MOBILE_CLIENT_ID, scopes=["openid"],
                                         audience="https://other.example/api")
        assert (await client.get("/oauth/userinfo", headers=bearer(other.token))).status_code == 401

    async def test_id_token_is_not_an_access_token(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        assert (await client.get("/oauth/userinfo", headers=bearer(tokens["id_token"]))).status_code == 401


class TestDiscovery:
    FIELDS = ("issuer authorization_endpoint token_endpoint userinfo_endpoint jwks_uri revocation_endpoint "
              "introspection_endpoint end_session_endpoint authorization_challenge_endpoint scopes_supported "
              "response_types_supported grant_types_supported code_challenge_methods_supported "
              "token_endpoint_auth_methods_supported id_token_signing_alg_values_supported subject_types_supported "
              "claims_supported backchannel_logout_supported").split()

    async def test_every_contract_field_is_listed(self, client):
        doc = (await client.get("/.well-known/openid-configuration")).json()
        assert set(self.FIELDS) <= doc.keys()
        assert doc["issuer"] == "http://testserver"
        assert doc["response_types_supported"] == ["code"]
        assert doc["code_challenge_methods_supported"] == ["S256"]
        assert doc["backchannel_logout_supported"] is True
        assert {"client_secret_basic", "client_secret_post", "private_key_jwt", "none"} <= set(
            doc["token_endpoint_auth_methods_supported"])
        for scope in "openid profile phone email offline_access identity feedback transit health.read notifications miniapps".split():
            assert scope in doc["scopes_supported"]

    async def test_endpoints_in_the_document_answer(self, client):
        doc = (await client.get("/.well-known/openid-configuration")).json()
        jwks = (await client.get(doc["jwks_uri"].replace("http://testserver", ""))).json()
        assert jwks["keys"] and all("d" not in k for k in jwks["keys"])
        assert all(k["kid"] for k in jwks["keys"])

    async def test_tokens_verify_against_the_jwks(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        jwks = (await client.get("/oauth/jwks")).json()
        header = jwt.get_unverified_header(tokens["access_token"])
        key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(tokens["access_token"], key, algorithms=[header["alg"]], audience="http://testserver/v1")
        assert claims["client_id"] == MOBILE_CLIENT_ID


class TestForgedTokens:
    """The resource-server dependency (here guarding userinfo) refuses forged access tokens."""

    @staticmethod
    def _b64(data: dict) -> str:
        import base64
        import json

        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    async def test_alg_none(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        claims = jwt.get_unverified_claims(tokens["access_token"])
        forged = self._b64({"alg": "none", "typ": "at+jwt"}) + "." + self._b64(claims) + "."
        assert (await client.get("/oauth/userinfo", headers=bearer(forged))).status_code == 401

    async def test_hs256_signed_with_the_public_key(self, client, ctx, mobile, citizen):
        import json

        from auth.keys import get_keyset

        tokens = await native_tokens(client, citizen.phone)
        header = jwt.get_unverified_header(tokens["access_token"])
        public = json.dumps((await get_keyset(ctx)).jwks["keys"][0])
        forged = jwt.encode(jwt.get_unverified_claims(tokens["access_token"]), public, algorithm="HS256",
                            headers={"kid": header["kid"]})
        assert (await client.get("/oauth/userinfo", headers=bearer(forged))).status_code == 401

    async def test_tampered_scope(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone, scope="openid")
        head, _, sig = tokens["access_token"].split(".")
        claims = jwt.get_unverified_claims(tokens["access_token"])
        claims["scope"] = "openid identity health.read"
        forged = f"{head}.{self._b64(claims)}.{sig}"
        assert (await client.get("/oauth/userinfo", headers=bearer(forged))).status_code == 401

    async def test_expired(self, client, ctx, mobile, citizen):
        from auth.tokens import issue_access_token

        old = await issue_access_token(ctx, sub=str(citizen.id), client_id=mobile.client_id, scopes=["openid"],
                                       extra={"iat": 1000, "exp": 1900})
        assert (await client.get("/oauth/userinfo", headers=bearer(old.token))).status_code == 401

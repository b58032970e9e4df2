"""Field names the contract fixes: tokens issued to the mobile app, the mini-app catalogue,
reference lists and notification preferences."""

from __future__ import annotations

from jose import jwt

from tests.contract.conftest import native_sign_in
from tests.factories import MOBILE_CLIENT_ID


class TestTokensFromNativeSignIn:
    async def test_access_and_id_token_claims(self, client, factory):
        await factory.mobile_client()
        account = await factory.account()
        tokens = await native_sign_in(client, MOBILE_CLIENT_ID, account.phone, "openid profile offline_access",
                                      password="Correct-horse-7")
        header = jwt.get_unverified_header(tokens["access_token"])
        assert header["alg"] in ("ES256", "RS256") and header["kid"]
        access = jwt.get_unverified_claims(tokens["access_token"])
        assert {"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope"} <= set(access)
        assert access["exp"] - access["iat"] <= 15 * 60
        assert access["sub"] == str(account.id)  # first-party: the account id
        jwks = (await client.get("/oauth/jwks")).json()
        assert header["kid"] in {k["kid"] for k in jwks["keys"]}
        id_token = jwt.get_unverified_claims(tokens["id_token"])
        assert {"auth_time", "acr", "amr", "sid", "at_hash"} <= set(id_token)
        assert id_token["acr"] == "urn:superapp:loa:1"


class TestCatalogueAndReferenceFields:
    async def test_miniapp_catalogue_entries(self, client):
        items = (await client.get("/v1/miniapps")).json()["items"]
        assert items
        for item in items:
            assert {"id", "name", "description", "icon_url", "category", "kind", "launch_url", "scopes"} <= set(item)
            assert item["kind"] in ("builtin", "web")
        builtin = {i["id"]: i["launch_url"] for i in items if i["kind"] == "builtin"}
        assert builtin["transit"] == "/v1/transit" and builtin["health"] == "/v1/health"

    async def test_feedback_categories_and_transit_products(self, client, reference_data):
        for category in (await client.get("/v1/feedback/categories")).json():
            assert {"code", "name", "agency_code", "severity_default"} <= set(category)
            assert category["severity_default"] in ("urgent", "normal", "complex")
        for product in (await client.get("/v1/transit/products")).json():
            assert {"code", "name", "kind", "price_vnd", "concession"} <= set(product)

    async def test_notification_preferences_per_category(self, client, factory):
        headers = await factory.headers(await factory.account(), ["notifications"])
        prefs = (await client.get("/v1/notifications/preferences", headers=headers)).json()
        assert prefs and all(set(v) >= {"inbox", "push"} for v in prefs.values())
        assert all(isinstance(v["inbox"], bool) and isinstance(v["push"], bool) for v in prefs.values())

"""Signed-in devices: listing and signing out."""

from __future__ import annotations

import httpx
import respx
from jose import jwt

from superapp.outbox import drain
from tests.auth.oidc.conftest import Browser, basic, native_tokens

REDIRECT = "https://rp.example.vn/callback"


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class TestList:
    async def test_lists_app_and_browser_sessions_with_their_clients(self, client, factory, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        web = await factory.client(first_party=True, name="Web portal", scopes=["openid"], redirect_uris=[REDIRECT])
        browser = Browser(client, web.client_id, REDIRECT)
        r = await browser.login(await browser.start(scope="openid"), citizen.phone)
        await browser.redeem(r.headers["location"], auth=basic(web.client_id))
        listing = await client.get("/v1/me/sessions", headers=bearer(tokens))
        assert listing.status_code == 200
        items = listing.json()["items"]
        assert {i["kind"] for i in items} == {"app", "browser"}
        current = [i for i in items if i["current"]]
        assert len(current) == 1 and current[0]["kind"] == "app"
        assert current[0]["clients"] == [{"client_id": mobile.client_id, "name": mobile.name}]
        web_item = next(i for i in items if i["kind"] == "browser")
        assert web_item["clients"][0]["name"] == "Web portal"

    async def test_pagination_with_cursor(self, client, mobile, citizen):
        for _ in range(3):
            tokens = await native_tokens(client, citizen.phone)
        first = await client.get("/v1/me/sessions", params={"limit": 2}, headers=bearer(tokens))
        assert len(first.json()["items"]) == 2 and first.json()["next_cursor"]
        second = await client.get("/v1/me/sessions", params={"limit": 2, "cursor": first.json()["next_cursor"]},
                                  headers=bearer(tokens))
        assert len(second.json()["items"]) == 1 and second.json()["next_cursor"] is None
        ids = {i["id"] for i in first.json()["items"]} | {i["id"] for i in second.json()["items"]}
        assert len(ids) == 3

    async def test_bad_cursor_is_400(self, client, mobile, citizen):
        tokens = await native_tokens(client, citizen.phone)
        r = await client.get("/v1/me/sessions", params={"cursor": "garbage!"}, headers=bearer(tokens))
        assert r.status_code == 400 and r.json()["code"] == "pagination.invalid_cursor"

    async def test_other_accounts_sessions_are_not_listed(self, client, factory, mobile, citizen):
        await native_tokens(client, citizen.phone)
        other = await factory.account()
        tokens = await native_tokens(client, other.phone)
        items = (await client.get("/v1/me/sessions", headers=bearer(tokens))).json()["items"]
        assert len(items) == 1

    async def test_third_party_token_is_refused(self, client, factory, citizen):
        third = await factory.client(scopes=["openid"])
        r = await client.get("/v1/me/sessions", headers=await factory.headers(citizen, ["openid"], client=third))
        assert r.status_code == 403 and r.json()["code"] == "auth.first_party_required"

    async def test_needs_a_token(self, client):
        assert (await client.get("/v1/me/sessions")).status_code == 401


class TestSignOut:
    @respx.mock(assert_all_called=False)
    async def test_deleting_a_session_revokes_its_tokens_at_once(self, respx_mock, client, factory, mobile, citizen, ctx):
        route = respx_mock.post("https://rp.example.vn/bcl").mock(return_value=httpx.Response(200))
        phone = await native_tokens(client, citizen.phone)
        web = await factory.client(first_party=True, scopes=["openid"], redirect_uris=[REDIRECT],
                                   backchannel_logout_uri="https://rp.example.vn/bcl")
        browser = Browser(client, web.client_id, REDIRECT)
        r = await browser.login(await browser.start(scope="openid"), citizen.phone)
        web_tokens = (await browser.redeem(r.headers["location"], auth=basic(web.client_id))).json()
        sid = jwt.get_unverified_claims(web_tokens["access_token"])["sid"]
        r = await client.delete(f"/v1/me/sessions/{sid}", headers=bearer(phone))
        assert r.status_code == 204
        assert (await client.get("/oauth/userinfo", headers=bearer(web_tokens))).status_code == 401
        assert (await client.get("/oauth/userinfo", headers=bearer(phone))).status_code == 200
        await drain(ctx)
        assert route.call_count == 1
        listing = (await client.get("/v1/me/sessions", headers=bearer(phone))).json()["items"]
        assert [i["kind"] for i in listing] == ["app"]

    async def test_deleting_a_sessionless_grant(self, client, factory, mobile, citizen, ctx):
        from auth.oidc.codes import create_authorization_code
        from tests.auth.oidc.conftest import pkce_pair

        phone = await native_tokens(client, citizen.phone)
        pkce = pkce_pair()
        async with ctx.sessionmaker() as s:
            code = await create_authorization_code(ctx, s, client=mobile, account_id=citizen.id, scopes=["openid"],
                                                   code_challenge=pkce.challenge)
            await s.commit()
        loose = (await client.post("/oauth/token", data={"grant_type": "authorization_code", "client_id": mobile.client_id,
                                                          "code": code, "code_verifier": pkce.verifier})).json()
        items = (await client.get("/v1/me/sessions", headers=bearer(phone))).json()["items"]
        grant_item = next(i for i in items if i["kind"] == "grant")
        assert (await client.delete(f"/v1/me/sessions/{grant_item['id']}", headers=bearer(phone))).status_code == 204
        assert (await client.get("/oauth/userinfo", headers=bearer(loose))).status_code == 401

    async def test_someone_elses_session_is_404(self, client, factory, mobile, citizen):
        mine = await native_tokens(client, citizen.phone)
        other = await factory.account()
        theirs = await native_tokens(client, other.phone)
        sid = jwt.get_unverified_claims(theirs["access_token"])["sid"]
        r = await client.delete(f"/v1/me/sessions/{sid}", headers=bearer(mine))
        assert r.status_code == 404 and r.json()["code"] == "oidc.session_not_found"
        assert (await client.get("/oauth/userinfo", headers=bearer(theirs))).status_code == 200

    async def test_malformed_id_is_422(self, client, mobile, citizen):
        mine = await native_tokens(client, citizen.phone)
        assert (await client.delete("/v1/me/sessions/not-a-uuid", headers=bearer(mine))).status_code == 422

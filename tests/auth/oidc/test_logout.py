"""RP-initiated logout and back-channel logout."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import respx
from jose import jwt

from auth.keys import get_keyset
from superapp.outbox import drain
from tests.auth.oidc.conftest import Browser, basic, hidden_fields

REDIRECT = "https://rp.example.vn/callback"
AFTER_LOGOUT = "https://rp.example.vn/bye"
BACKCHANNEL = "https://rp.example.vn/backchannel-logout"


async def rp(factory, **kw):
    return await factory.client(first_party=True, scopes=["openid", "profile"], redirect_uris=[REDIRECT],
                                post_logout_redirect_uris=[AFTER_LOGOUT], backchannel_logout_uri=BACKCHANNEL, **kw)


async def sign_in(client, factory, citizen):
    app = await rp(factory)
    browser = Browser(client, app.client_id, REDIRECT)
    r = await browser.login(await browser.start(), citizen.phone)
    tokens = (await browser.redeem(r.headers["location"], auth=basic(app.client_id))).json()
    return app, tokens


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestEndSession:
    async def test_hint_and_registered_uri_log_out_and_redirect(self, client, factory, citizen):
        app, tokens = await sign_in(client, factory, citizen)
        r = await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"],
                                                      "post_logout_redirect_uri": AFTER_LOGOUT, "state": "s1"})
        assert r.status_code == 302 and r.headers["location"] == AFTER_LOGOUT + "?state=s1"
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 401
        refreshed = await client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
                                      headers=basic(app.client_id))
        assert refreshed.json()["error"] == "invalid_grant"
        again = await Browser(client, app.client_id, REDIRECT).start()
        assert again.status_code == 200 and 'name="password"' in again.text  # browser session ended

    async def test_unregistered_post_logout_uri_never_redirects(self, client, factory, citizen):
        _, tokens = await sign_in(client, factory, citizen)
        for uri in ("https://evil.example/", AFTER_LOGOUT + "/x", "//evil.example"):
            r = await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": uri})
            assert r.status_code == 400 and "location" not in r.headers, uri

    async def test_redirect_without_any_client_is_refused(self, client, factory, citizen):
        await sign_in(client, factory, citizen)
        r = await client.get("/oauth/logout", params={"post_logout_redirect_uri": AFTER_LOGOUT})
        assert r.status_code == 400 and "location" not in r.headers

    async def test_hint_with_alg_none_is_refused(self, client, factory, citizen):
        _, tokens = await sign_in(client, factory, citizen)
        claims = jwt.get_unverified_claims(tokens["id_token"])
        forged = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + "."
        r = await client.get("/oauth/logout", params={"id_token_hint": forged, "post_logout_redirect_uri": AFTER_LOGOUT})
        assert r.status_code == 400 and "location" not in r.headers

    async def test_hint_signed_hs256_with_the_public_key_is_refused(self, client, factory, citizen, ctx):
        _, tokens = await sign_in(client, factory, citizen)
        keyset = await get_keyset(ctx)
        kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
        public = json.dumps(keyset.jwks["keys"][0])
        forged = jwt.encode(jwt.get_unverified_claims(tokens["id_token"]), public, algorithm="HS256", headers={"kid": kid})
        r = await client.get("/oauth/logout", params={"id_token_hint": forged, "post_logout_redirect_uri": AFTER_LOGOUT})
        assert r.status_code == 400 and "location" not in r.headers

    async def test_tampered_hint_is_refused(self, client, factory, citizen):
        _, tokens = await sign_in(client, factory, citizen)
        head, body, sig = tokens["id_token"].split(".")
        claims = jwt.get_unverified_claims(tokens["id_token"])
        claims["aud"] = "someone-else"
        r = await client.get("/oauth/logout", params={"id_token_hint": f"{head}.{_b64(claims)}.{sig}"})
        assert r.status_code == 400

    async def test_without_hint_the_citizen_confirms(self, client, factory, citizen):
        app, tokens = await sign_in(client, factory, citizen)
        page = await client.get("/oauth/logout", params={"client_id": app.client_id, "post_logout_redirect_uri": AFTER_LOGOUT})
        assert page.status_code == 200 and 'name="confirm"' in page.text
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 200  # not yet
        fields = hidden_fields(page.text)
        forged = await client.post("/oauth/logout", data={**fields, "csrf_token": "x"})
        assert forged.status_code == 403
        r = await client.post("/oauth/logout", data=fields)
        assert r.status_code == 303 and r.headers["location"] == AFTER_LOGOUT
        assert (await client.get("/oauth/userinfo", headers=bearer)).status_code == 401

    async def test_without_redirect_shows_signed_out_page(self, client, factory, citizen):
        _, tokens = await sign_in(client, factory, citizen)
        r = await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"], "ui_locales": "en"})
        assert r.status_code == 200 and "signed out" in r.text


class TestBackChannel:
    @respx.mock(assert_all_called=False)
    async def test_logout_token_is_posted_to_the_client(self, respx_mock, client, factory, citizen, ctx):
        route = respx_mock.post(BACKCHANNEL).mock(return_value=httpx.Response(200))
        app, tokens = await sign_in(client, factory, citizen)
        await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"]})
        assert await drain(ctx) >= 1
        assert route.call_count == 1
        sent = parse_qs(route.calls[0].request.content.decode())["logout_token"][0]
        keyset = await get_keyset(ctx)
        header = jwt.get_unverified_header(sent)
        assert header["typ"] == "logout+jwt"
        alg, key = keyset.verify_keys[header["kid"]]
        claims = jwt.decode(sent, key, algorithms=[alg], audience=app.client_id, issuer="http://testserver")
        idt = jwt.get_unverified_claims(tokens["id_token"])
        assert claims["sid"] == idt["sid"] and claims["sub"] == idt["sub"]
        assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"]
        assert "nonce" not in claims and claims["jti"]

    @respx.mock(assert_all_called=False)
    async def test_failed_delivery_is_retried(self, respx_mock, client, factory, citizen, ctx):
        from sqlmodel import select

        from superapp.models import OutboxJob

        route = respx_mock.post(BACKCHANNEL).mock(side_effect=[httpx.Response(503), httpx.Response(200)])
        _, tokens = await sign_in(client, factory, citizen)
        await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"]})
        await drain(ctx)
        async with ctx.sessionmaker() as s:
            job = (await s.exec(select(OutboxJob).where(OutboxJob.kind == "oidc.backchannel_logout"))).one()
            assert job.status == "pending" and job.attempts == 1
            job.run_after = job.created_at
            s.add(job)
            await s.commit()
        await drain(ctx)
        assert route.call_count == 2
        async with ctx.sessionmaker() as s:
            job = (await s.exec(select(OutboxJob).where(OutboxJob.kind == "oidc.backchannel_logout"))).one()
            assert job.status == "done"

    async def test_clients_without_a_backchannel_uri_get_no_job(self, client, factory, citizen, ctx):
        from tests.auth.oidc.conftest import native_tokens

        await factory.mobile_client()
        tokens = await native_tokens(client, citizen.phone)
        await client.get("/oauth/logout", params={"id_token_hint": tokens["id_token"]})
        assert await drain(ctx) == 0

"""The authorization endpoint with its login and consent pages."""

from __future__ import annotations

from jose import jwt
from sqlalchemy import update

from auth.oidc.models import LoginSession
from tests.auth.oidc.conftest import Browser, basic, hidden_fields, parse_form, query_of

REDIRECT = "https://app.example.vn/callback"


async def first_party(factory):
    return await factory.client(first_party=True, scopes=["openid", "profile", "phone", "offline_access"],
                                redirect_uris=[REDIRECT])


async def third_party(factory, **kw):
    return await factory.client(scopes=["openid", "profile", "phone", "offline_access", "identity"],
                                redirect_uris=[REDIRECT], **kw)


async def signed_in(browser: Browser, username: str) -> None:
    page = await browser.start()
    r = await browser.login(page, username)
    assert r.status_code in (200, 303)


class TestLoginPage:
    async def test_login_form_has_the_contract_fields(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        page = await browser.start()
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        form = parse_form(page.text)
        names = {i.get("name") for i in form.inputs}
        assert {"username", "password"} <= names
        assert any(b.get("type") == "submit" for b in form.buttons)
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]

    async def test_vietnamese_by_default_english_on_request(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        assert "Đăng nhập" in (await browser.start()).text
        assert "Sign in" in (await browser.start(ui_locales="en")).text
        r = await client.get("/oauth/authorize", params=browser.params(), headers={"Accept-Language": "en"})
        assert "Sign in" in r.text and "Mật khẩu" not in r.text

    async def test_login_hint_prefills_the_username(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        page = await browser.start(login_hint="0912345678")
        assert next(i for i in parse_form(page.text).inputs if i.get("name") == "username")["value"] == "0912345678"

    async def test_wrong_password_shows_the_form_again_with_an_error(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.login(await browser.start(ui_locales="en"), citizen.phone, "wrong-password-1")
        assert r.status_code == 400 and "is not right" in r.text
        assert "location" not in r.headers

    async def test_session_cookie_is_httponly_and_lax(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.login(await browser.start(), citizen.phone)
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("sa_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")

    async def test_missing_csrf_token_is_refused(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        page = await browser.start()
        fields = hidden_fields(page.text)
        fields["csrf_token"] = "forged"
        r = await client.post("/oauth/authorize", data={**fields, "username": citizen.phone, "password": "x"})
        assert r.status_code == 403 and "location" not in r.headers

    async def test_tampered_request_is_refused(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        fields = hidden_fields((await browser.start()).text)
        fields["auth_request"] = fields["auth_request"][:-3] + "AAA"
        r = await client.post("/oauth/authorize", data={**fields, "username": citizen.phone, "password": "x"})
        assert r.status_code == 400 and "location" not in r.headers

    async def test_failed_browser_logins_are_throttled(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        for _ in range(5):
            await browser.login(await browser.start(), citizen.phone, "wrong-password-1")
        r = await browser.login(await browser.start(), citizen.phone)
        assert r.status_code == 429


class TestCodeFlow:
    async def test_first_party_gets_a_code_without_consent(self, client, factory, citizen):
        app = await first_party(factory)
        browser = Browser(client, app.client_id, REDIRECT)
        r = await browser.login(await browser.start(), citizen.phone)
        assert r.status_code == 303
        location = r.headers["location"]
        assert location.startswith(REDIRECT + "?")
        q = query_of(location)
        assert q["state"] == "st-123" and q["iss"] == "http://testserver"
        tokens = await browser.redeem(location, auth=basic(app.client_id))
        assert tokens.status_code == 200, tokens.text
        idt = jwt.get_unverified_claims(tokens.json()["id_token"])
        assert idt["nonce"] == "n-456" and idt["sub"] == str(citizen.id)

    async def test_existing_session_skips_the_login(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        await signed_in(browser, citizen.phone)
        r = await browser.start()
        assert r.status_code == 302 and "code" in query_of(r.headers["location"])

    async def test_third_party_sees_consent_then_it_is_remembered(self, client, factory, citizen):
        app = await third_party(factory)
        browser = Browser(client, app.client_id, REDIRECT)
        page = await browser.login(await browser.start(), citizen.phone)
        assert page.status_code == 200
        buttons = {(b.get("name"), b.get("value")) for b in parse_form(page.text).buttons}
        assert {("decision", "allow"), ("decision", "deny")} <= buttons
        r = await browser.decide(page, "allow")
        assert r.status_code == 303 and "code" in query_of(r.headers["location"])
        tokens = await browser.redeem(r.headers["location"], auth=basic(app.client_id))
        idt = jwt.get_unverified_claims(tokens.json()["id_token"])
        assert idt["sub"] != str(citizen.id)  # pairwise
        again = await browser.start()
        assert again.status_code == 302 and "code" in query_of(again.headers["location"])

    async def test_wider_scope_asks_again(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        page = await browser.login(await browser.start(scope="openid"), citizen.phone)
        await browser.decide(page, "allow")
        r = await browser.start(scope="openid phone")
        assert r.status_code == 200 and "decision" in r.text

    async def test_deny_sends_access_denied(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        page = await browser.login(await browser.start(), citizen.phone)
        r = await browser.decide(page, "deny")
        q = query_of(r.headers["location"])
        assert q["error"] == "access_denied" and q["state"] == "st-123"

    async def test_consent_answered_from_another_sign_in_is_asked_again(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        first_page = await browser.login(await browser.start(), citizen.phone)
        other = await factory.account()
        await browser.login(await browser.start(prompt="login"), other.phone)  # another tab, another citizen
        r = await browser.decide(first_page, "allow")
        assert r.status_code == 200 and 'value="allow"' in r.text and "location" not in r.headers

    async def test_consent_page_in_english(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        page = await browser.login(await browser.start(ui_locales="en"), citizen.phone)
        assert "Allow" in page.text and "See your phone number" not in page.text and "name" in page.text


class TestPrompt:
    async def test_prompt_none_without_session_is_login_required(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.start(prompt="none")
        assert r.status_code == 302 and query_of(r.headers["location"])["error"] == "login_required"

    async def test_prompt_none_without_consent_is_consent_required(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        await browser.login(await browser.start(), citizen.phone)
        r = await browser.start(prompt="none")
        assert query_of(r.headers["location"])["error"] == "consent_required"

    async def test_prompt_login_asks_again_even_with_a_session(self, client, factory, citizen):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        await signed_in(browser, citizen.phone)
        page = await browser.start(prompt="login")
        assert page.status_code == 200 and 'name="password"' in page.text
        r = await browser.login(page, citizen.phone)
        assert r.status_code == 303 and "code" in query_of(r.headers["location"])

    async def test_prompt_consent_asks_again_even_when_granted(self, client, factory, citizen):
        browser = Browser(client, (await third_party(factory)).client_id, REDIRECT)
        await browser.decide(await browser.login(await browser.start(), citizen.phone), "allow")
        r = await browser.start(prompt="consent")
        assert r.status_code == 200 and 'value="allow"' in r.text

    async def test_max_age_exceeded_asks_to_sign_in_again(self, client, factory, citizen, ctx):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        await signed_in(browser, citizen.phone)
        async with ctx.sessionmaker() as s:
            await s.execute(update(LoginSession).values(auth_time=LoginSession.auth_time - 120))
            await s.commit()
        assert (await browser.start(max_age="60")).status_code == 200
        assert (await browser.start(max_age="600")).status_code == 302

    async def test_unknown_prompt_is_invalid_request(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.start(prompt="none login")
        assert query_of(r.headers["location"])["error"] == "invalid_request"


class TestBadRequests:
    async def test_unknown_client_shows_an_error_page_and_never_redirects(self, client):
        browser = Browser(client, "no-such-client", REDIRECT)
        r = await browser.start()
        assert r.status_code == 400 and "location" not in r.headers
        assert r.headers["content-type"].startswith("text/html")

    async def test_redirect_uri_must_match_exactly(self, client, factory):
        app = await first_party(factory)
        for uri in (REDIRECT + "/", REDIRECT + "?x=1", REDIRECT.upper(), "https://evil.example/callback", None):
            r = await Browser(client, app.client_id, uri).start()
            assert r.status_code == 400 and "location" not in r.headers, uri

    async def test_only_response_type_code(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.start(response_type="token")
        assert query_of(r.headers["location"])["error"] == "unsupported_response_type"

    async def test_pkce_is_required_and_plain_refused(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        for extra in ({"code_challenge": None, "code_challenge_method": None},
                      {"code_challenge_method": "plain"}, {"code_challenge_method": None}):
            r = await browser.start(**extra)
            q = query_of(r.headers["location"])
            assert q["error"] == "invalid_request" and q["state"] == "st-123", extra

    async def test_scope_not_registered_is_invalid_scope(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await browser.start(scope="openid health.read")
        assert query_of(r.headers["location"])["error"] == "invalid_scope"

    async def test_repeated_parameter_is_invalid_request(self, client, factory):
        app = await first_party(factory)
        browser = Browser(client, app.client_id, REDIRECT)
        params = list(browser.params().items()) + [("scope", "openid")]
        r = await client.get("/oauth/authorize", params=params)
        assert query_of(r.headers["location"])["error"] == "invalid_request"

    async def test_suspended_client_gets_an_error_page(self, client, factory):
        app = await factory.client(redirect_uris=[REDIRECT], scopes=["openid"], status="suspended")
        r = await Browser(client, app.client_id, REDIRECT).start(scope="openid")
        assert r.status_code == 400 and "location" not in r.headers

    async def test_post_authorization_request_is_accepted(self, client, factory):
        browser = Browser(client, (await first_party(factory)).client_id, REDIRECT)
        r = await client.post("/oauth/authorize", data=browser.params())
        assert r.status_code == 200 and 'name="username"' in r.text


class TestCookieSecurity:
    def test_https_issuer_makes_the_cookie_secure_and_host_prefixed(self, settings):
        from types import SimpleNamespace

        from fastapi import Response

        from auth.oidc import browser

        https = SimpleNamespace(settings=settings.model_copy(update={"issuer": "https://id.hanoi.gov.vn"}))
        response = Response()
        browser.set_session_cookie(https, response, "opaque-value")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-sa_session=opaque-value")
        assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie and "Domain" not in cookie

"""The console shell: its OAuth client, sign-in (code + PKCE), sessions, CSRF, roles, languages."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import select

from auth.models import OAuthClient
from superapp.console.registration import CONSOLE_CLIENT_ID, console_client_secret, ensure_console_client
from superapp.console.sessions import SessionStore, _digest
from superapp.models import AuditEntry
from tests.conftest import ISSUER
from tests.console.conftest import csrf_of

JSON = {"Accept": "application/json"}


async def audit_actions(ctx, action: str) -> list[AuditEntry]:
    async with ctx.sessionmaker() as s:
        return list((await s.exec(select(AuditEntry).where(AuditEntry.action == action))).all())


class TestConsoleClient:
    async def test_startup_registers_first_party_confidential_client(self, app, ctx):
        async with ctx.sessionmaker() as s:
            client = await s.get(OAuthClient, CONSOLE_CLIENT_ID)
        assert client is not None
        assert client.first_party and client.client_type == "confidential"
        assert client.redirect_uris == [f"{ISSUER}/admin/callback"]
        assert client.secret_hash == hashlib.sha256(console_client_secret(ctx.settings).encode()).hexdigest()
        assert {"openid", "offline_access"} <= set(client.scopes)

    async def test_startup_repairs_a_stale_client(self, app, ctx):
        async with ctx.sessionmaker() as s:
            client = await s.get(OAuthClient, CONSOLE_CLIENT_ID)
            client.redirect_uris = ["https://old.example.vn/admin/callback"]
            client.secret_hash = "0" * 64
            s.add(client)
            await s.commit()
        await ensure_console_client(ctx)
        async with ctx.sessionmaker() as s:
            client = await s.get(OAuthClient, CONSOLE_CLIENT_ID)
        assert client.redirect_uris == [f"{ISSUER}/admin/callback"]
        assert client.secret_hash != "0" * 64


    async def test_processes_starting_together_both_succeed(self, app, ctx):
        import asyncio

        from sqlmodel import delete

        async with ctx.sessionmaker() as s:
            await s.exec(delete(OAuthClient).where(OAuthClient.client_id == CONSOLE_CLIENT_ID))
            await s.commit()
        await asyncio.gather(ensure_console_client(ctx), ensure_console_client(ctx))
        async with ctx.sessionmaker() as s:
            rows = (await s.exec(select(OAuthClient).where(OAuthClient.client_id == CONSOLE_CLIENT_ID))).all()
        assert len(rows) == 1


class TestLoginRedirect:
    async def test_anonymous_page_redirects_browser_to_login(self, browser):
        r = await browser.http.get("/admin/moderation?status=submitted")
        assert r.status_code == 303
        assert r.headers["location"] == "/admin/login?next=%2Fadmin%2Fmoderation%3Fstatus%3Dsubmitted"

    async def test_anonymous_api_caller_gets_problem_json(self, client):
        r = await client.get("/admin/", headers=JSON)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "console.not_signed_in"

    async def test_login_redirects_to_authorization_endpoint_with_pkce(self, browser, client):
        config = (await client.get("/.well-known/openid-configuration")).json()
        r = await browser.http.get("/admin/login")
        assert r.status_code == 303
        location = r.headers["location"]
        assert location.startswith(config["authorization_endpoint"] + "?")
        params = await browser.start_login()
        assert params["response_type"] == "code"
        assert params["client_id"] == CONSOLE_CLIENT_ID
        assert params["redirect_uri"] == f"{ISSUER}/admin/callback"
        assert params["code_challenge_method"] == "S256"
        assert len(params["code_challenge"]) == 43
        assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
        assert "openid" in params["scope"].split()

    async def test_login_binds_state_to_the_browser_with_a_strict_cookie(self, browser):
        r = await browser.http.get("/admin/login")
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("console_login=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
        assert "Secure" not in cookie  # issuer is http in tests


    async def test_login_attempts_are_rate_limited(self, browser):
        codes = [(await browser.http.get("/admin/login", headers=JSON)).status_code for _ in range(31)]
        assert codes[:30] == [303] * 30 and codes[30] == 429


class TestCallback:
    async def test_sign_in_opens_a_session_and_goes_to_next(self, browser, moderator, ctx):
        r = await browser.sign_in(moderator, next_path="/admin/stats")
        assert r.status_code == 303 and r.headers["location"] == "/admin/stats"
        cookie = [c for c in r.headers.get_list("set-cookie") if c.startswith("console_session=")][0]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/admin" in cookie
        home = await browser.http.get("/admin/")
        assert home.status_code == 200
        assert "Lê Kiểm Duyệt" in home.text
        entries = await audit_actions(ctx, "console.login")
        assert [e.actor_id for e in entries] == [moderator.id]

    async def test_session_keeps_tokens_server_side_only(self, browser, moderator, ctx):
        r = await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        assert session_id and "." not in session_id  # opaque, not a JWT
        raw = await ctx.redis.get(ctx.rkey("console", "session", _digest(session_id)))
        stored = json.loads(raw)
        assert stored["access_token"].count(".") == 2
        assert stored["staff"]["roles"] == ["citizen", "moderator"]
        assert r.status_code == 303

    async def test_signing_in_again_replaces_the_previous_session(self, browser, moderator, admin, ctx):
        await browser.sign_in(moderator)
        first = browser.http.cookies.get("console_session")
        await browser.sign_in(admin)
        second = browser.http.cookies.get("console_session")
        assert second != first
        assert await SessionStore(ctx).load(first) is None
        assert (await SessionStore(ctx).load(second)).staff.id == str(admin.id)

    async def test_next_outside_console_is_ignored(self, browser, moderator):
        r = await browser.sign_in(moderator, next_path="https://evil.example.com/")
        assert r.headers["location"] == "/admin/"

    async def test_state_from_another_browser_is_refused(self, browser, moderator):
        params = await browser.start_login()
        code = await browser.provider_code(moderator, params)
        browser.http.cookies.set("console_login", "someone-elses-state", path="/admin")
        r = await browser.http.get("/admin/callback", params={"code": code, "state": params["state"]})
        assert r.status_code == 400
        assert 'data-code="console.login_state_invalid"' in r.text

    async def test_state_cannot_be_used_twice(self, browser, moderator):
        params = await browser.start_login()
        code = await browser.provider_code(moderator, params)
        query = {"code": code, "state": params["state"]}
        first = await browser.http.get("/admin/callback", params=query)
        assert first.status_code == 303
        browser.http.cookies.set("console_login", params["state"], path="/admin")
        again = await browser.http.get("/admin/callback", params=query, headers=JSON)
        assert again.status_code == 400 and again.json()["code"] == "console.login_state_invalid"

    async def test_issuer_mix_up_is_refused(self, browser, moderator):
        params = await browser.start_login()
        code = await browser.provider_code(moderator, params)
        r = await browser.http.get(
            "/admin/callback", params={"code": code, "state": params["state"], "iss": "https://other.example"},
            headers=JSON,
        )
        assert r.status_code == 400 and r.json()["code"] == "console.login_state_invalid"

    async def test_forged_code_fails_sign_in(self, browser):
        params = await browser.start_login()
        r = await browser.http.get("/admin/callback", params={"code": "forged", "state": params["state"]}, headers=JSON)
        assert r.status_code == 400 and r.json()["code"] == "console.sign_in_failed"
        assert "console_session" not in browser.http.cookies

    async def test_id_token_with_another_nonce_is_refused(self, browser, moderator):
        params = await browser.start_login()
        code = await browser.provider_code(moderator, {**params, "nonce": "another-nonce"})
        r = await browser.http.get("/admin/callback", params={"code": code, "state": params["state"]}, headers=JSON)
        assert r.status_code == 400 and r.json()["code"] == "console.sign_in_failed"
        assert "console_session" not in browser.http.cookies

    async def test_code_bound_to_another_pkce_challenge_is_refused(self, browser, moderator):
        from superapp.console.provider import new_pkce_pair

        params = await browser.start_login()
        _verifier, foreign_challenge = new_pkce_pair()
        code = await browser.provider_code(moderator, {**params, "code_challenge": foreign_challenge})
        r = await browser.http.get("/admin/callback", params={"code": code, "state": params["state"]}, headers=JSON)
        assert r.status_code == 400 and r.json()["code"] == "console.sign_in_failed"

    async def test_provider_error_is_shown_not_followed(self, browser):
        params = await browser.start_login()
        r = await browser.http.get("/admin/callback", params={"error": "access_denied", "state": params["state"]})
        assert r.status_code == 400
        assert 'data-code="console.sign_in_failed"' in r.text

    async def test_citizen_without_staff_role_is_refused(self, browser, citizen):
        r = await browser.sign_in(citizen)
        assert r.status_code == 403
        assert 'data-code="console.no_staff_role"' in r.text
        assert "console_session" not in browser.http.cookies


class TestCsrf:
    async def test_post_without_token_is_refused(self, browser, moderator):
        await browser.sign_in(moderator)
        r = await browser.http.post("/admin/logout", data={})
        assert r.status_code == 403
        assert 'data-code="console.csrf_failed"' in r.text

    async def test_post_with_wrong_token_is_refused(self, browser, moderator):
        await browser.sign_in(moderator)
        r = await browser.http.post("/admin/logout", data={"csrf_token": "x" * 43}, headers=JSON)
        assert r.status_code == 403 and r.json()["code"] == "console.csrf_failed"

    async def test_cross_origin_post_is_refused_even_with_token(self, browser, moderator):
        await browser.sign_in(moderator)
        token = await browser.csrf()
        r = await browser.http.post(
            "/admin/logout", data={"csrf_token": token}, headers={**JSON, "Origin": "https://evil.example.com"}
        )
        assert r.status_code == 403 and r.json()["code"] == "console.csrf_failed"

    async def test_token_of_another_session_is_refused(self, browser, app, ctx, moderator, admin):
        from tests.console.conftest import ConsoleBrowser

        await browser.sign_in(moderator)
        other = ConsoleBrowser(app, ctx)
        try:
            await other.sign_in(admin)
            foreign = await other.csrf()
        finally:
            await other.aclose()
        r = await browser.http.post("/admin/logout", data={"csrf_token": foreign}, headers=JSON)
        assert r.status_code == 403


class TestLogout:
    async def test_logout_ends_session_and_is_audited(self, browser, moderator, ctx):
        await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        token = await browser.csrf()
        r = await browser.http.post("/admin/logout", data={"csrf_token": token}, headers={"Origin": ISSUER})
        assert r.status_code == 303
        config = (await browser.http.get("/.well-known/openid-configuration")).json()
        assert r.headers["location"].startswith(config["end_session_endpoint"] + "?")
        assert "id_token_hint=" in r.headers["location"]
        assert await SessionStore(ctx).load(session_id) is None
        assert [e.actor_id for e in await audit_actions(ctx, "console.logout")] == [moderator.id]
        browser.http.cookies.set("console_session", session_id, path="/admin")
        again = await browser.http.get("/admin/")
        assert again.status_code == 303 and again.headers["location"].startswith("/admin/login")


class TestRoles:
    async def test_navigation_shows_only_sections_of_the_roles(self, browser, moderator):
        await browser.sign_in(moderator)
        home = (await browser.http.get("/admin/")).text
        assert 'data-section="moderation"' in home and 'data-section="stats"' in home
        assert 'data-section="miniapps"' not in home and 'data-section="broadcasts"' not in home
        assert 'data-section="agency"' not in home

    async def test_section_of_another_role_answers_403_page(self, browser, moderator):
        await browser.sign_in(moderator)
        r = await browser.http.get("/admin/miniapps")
        assert r.status_code == 403
        assert 'data-code="console.forbidden"' in r.text

    async def test_officer_cannot_open_moderation(self, browser, officer):
        await browser.sign_in(officer)
        r = await browser.http.get("/admin/moderation", headers=JSON)
        assert r.status_code == 403 and r.json()["code"] == "console.forbidden"

    async def test_forbidden_post_is_refused_with_valid_csrf(self, browser, officer):
        await browser.sign_in(officer)
        token = await browser.csrf()
        r = await browser.http.post("/admin/broadcasts", data={"csrf_token": token, "form_key": "k" * 16}, headers=JSON)
        assert r.status_code == 403 and r.json()["code"] == "console.forbidden"


class TestLanguage:
    async def test_vietnamese_by_default(self, browser, admin):
        await browser.sign_in(admin)
        page = (await browser.http.get("/admin/")).text
        assert '<html lang="vi">' in page and "Đăng xuất" in page

    async def test_accept_language_english(self, browser, admin):
        await browser.sign_in(admin)
        page = (await browser.http.get("/admin/", headers={"Accept-Language": "en-GB,en;q=0.9"})).text
        assert '<html lang="en">' in page and "Sign out" in page

    async def test_switch_sets_a_cookie_that_wins_over_the_header(self, browser, admin):
        await browser.sign_in(admin)
        r = await browser.http.get("/admin/lang/en", params={"next": "/admin/"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/"
        page = (await browser.http.get("/admin/", headers={"Accept-Language": "vi"})).text
        assert "Sign out" in page

    async def test_error_pages_are_translated(self, browser, moderator):
        await browser.sign_in(moderator)
        vi = (await browser.http.get("/admin/miniapps")).text
        en = (await browser.http.get("/admin/miniapps", headers={"Accept-Language": "en"})).text
        assert "Vai trò của bạn không được truy cập mục này." in vi
        assert "Your roles do not give access to this part of the console." in en


class TestTokenRefresh:
    async def test_expired_access_token_is_renewed_with_the_refresh_token(self, browser, moderator, ctx):
        await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        store = SessionStore(ctx)
        session = await store.load(session_id)
        assert session.refresh_token
        old_access, old_refresh = session.access_token, session.refresh_token
        session.expires_at = 0
        await store.save(session)
        r = await browser.http.get("/admin/")
        assert r.status_code == 200
        renewed = await store.load(session_id)
        assert renewed.access_token != old_access
        assert renewed.refresh_token != old_refresh  # rotated by the provider

    async def test_concurrent_requests_refresh_once(self, browser, moderator, ctx):
        import asyncio

        await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        store = SessionStore(ctx)
        session = await store.load(session_id)
        session.expires_at = 0
        await store.save(session)
        answers = await asyncio.gather(*(browser.http.get("/admin/") for _ in range(4)))
        assert [a.status_code for a in answers] == [200] * 4
        renewed = await store.load(session_id)
        renewed.expires_at = 0
        await store.save(renewed)
        assert (await browser.http.get("/admin/")).status_code == 200  # the family was not revoked

    async def test_staff_role_withdrawn_ends_the_session_at_refresh(self, browser, moderator, ctx):
        from auth.models import Account

        await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        async with ctx.sessionmaker() as s:
            account = await s.get(Account, moderator.id)
            account.roles = ["citizen"]
            s.add(account)
            await s.commit()
        store = SessionStore(ctx)
        session = await store.load(session_id)
        session.expires_at = 0
        await store.save(session)
        r = await browser.http.get("/admin/", headers=JSON)
        assert r.status_code == 403 and r.json()["code"] == "console.no_staff_role"
        assert await store.load(session_id) is None

    async def test_revoked_refresh_token_signs_out(self, browser, moderator, ctx):
        await browser.sign_in(moderator)
        session_id = browser.http.cookies.get("console_session")
        store = SessionStore(ctx)
        session = await store.load(session_id)
        session.expires_at = 0
        session.refresh_token = "not-a-refresh-token"
        await store.save(session)
        r = await browser.http.get("/admin/")
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
        assert await store.load(session_id) is None


class TestPages:
    async def test_pages_carry_a_same_origin_content_security_policy(self, browser, admin):
        await browser.sign_in(admin)
        r = await browser.http.get("/admin/")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["cache-control"] == "no-store"

    async def test_static_files_are_served_and_unknown_ones_are_404(self, client):
        css = await client.get("/admin/static/console.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        missing = await client.get("/admin/static/../module.py", headers=JSON)
        assert missing.status_code == 404

    async def test_csrf_token_is_in_every_form(self, browser, admin):
        await browser.sign_in(admin)
        page = (await browser.http.get("/admin/")).text
        assert len(csrf_of(page)) >= 32

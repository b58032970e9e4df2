"""HTTP hardening: security headers on JSON and HTML (OWASP ASVS 4.0 V14.4), HSTS behind
https (RFC 6797), no CORS (ASVS V14.5.3), body size limits (ASVS V12.1.1, V13.1.3)."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from superapp.app import create_app

API_CSP = "default-src 'none'; frame-ancestors 'none'"


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


class TestJsonApiHeaders:
    async def test_every_answer_carries_the_hardening_headers(self, client):
        for r in (await client.get("/v1/miniapps"), await client.get("/v1/me"), await client.get("/no/such/path")):
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["referrer-policy"] == "no-referrer"
            assert r.headers["x-frame-options"] == "DENY"
            assert r.headers["content-security-policy"] == API_CSP

    async def test_no_hsts_over_plain_http(self, client):
        assert "strict-transport-security" not in (await client.get("/healthz")).headers

    async def test_hsts_when_the_issuer_is_https(self, ctx):
        settings = ctx.settings.model_copy(update={"issuer": "https://id.hanoi.gov.vn"})
        application = create_app(settings, ctx=ctx, miniapps=[], run_background_workers=False)
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="https://id.hanoi.gov.vn") as c:
                r = await c.get("/healthz")
        assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


class TestHtmlPageHeaders:
    """Each HTML page sets its own policy: no script at all on the sign-in and health pages,
    scripts only from this origin on the console, never framed."""

    async def test_sign_in_error_page_allows_no_script_and_no_framing(self, client):
        r = await client.get("/oauth/authorize", params={"client_id": "nope", "response_type": "code"})
        assert r.headers["content-type"].startswith("text/html")
        csp = _csp(r)
        assert csp["default-src"] == "default-src 'none'" and "script-src" not in csp
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["base-uri"] == "base-uri 'none'"
        assert "'unsafe-inline'" not in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"

    async def test_console_pages_allow_own_scripts_only(self, client):
        r = await client.get("/admin/callback", params={"state": "x", "code": "y"}, headers={"Accept": "text/html"})
        assert r.headers["content-type"].startswith("text/html")
        csp = _csp(r)
        assert csp["script-src"] == "script-src 'self'" and csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert "'unsafe-inline'" not in r.headers["content-security-policy"]

    async def test_swagger_ui_keeps_frame_protection(self, client):
        r = await client.get("/docs")
        assert r.status_code == 200 and r.headers["x-frame-options"] == "DENY"


class TestNoCors:
    """The citizen app is native and the console is same-origin: no endpoint opens CORS."""

    @pytest.mark.parametrize("path", ["/v1/me", "/oauth/token", "/v1/feedback/public"])
    async def test_preflight_is_not_granted(self, client, path):
        r = await client.options(path, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers
        assert r.status_code in (400, 404, 405)

    async def test_simple_request_gets_no_allow_origin(self, client):
        r = await client.get("/v1/feedback/public", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers


class TestBodyLimits:
    async def test_json_body_over_the_limit_is_413_problem(self, client, person):
        citizen = await person()
        limit = client._transport.app.state.settings.max_json_bytes
        r = await client.patch("/v1/me", content=b'{"full_name": "' + b"a" * limit + b'"}',
                               headers={**citizen.headers, "Content-Type": "application/json"})
        assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"

    async def test_streamed_body_without_length_is_cut_at_the_limit(self, client, person):
        citizen = await person()
        limit = client._transport.app.state.settings.max_json_bytes

        async def chunks():
            for _ in range(limit // 65536 + 2):
                yield b" " * 65536

        r = await client.patch("/v1/me", content=chunks(), headers={**citizen.headers, "Content-Type": "application/json"})
        assert r.status_code == 413

"""The "Everywhere" rules of CONTRACT.md, checked across every router: problem+json errors
with a stable code for unauthorised and malformed requests, RFC 6749 errors at the OAuth
endpoints, cursor-paginated lists, and human text in Vietnamese or English."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.factories import MOBILE_CLIENT_ID

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}
CITIZEN_SCOPES = ["openid", "profile", "feedback", "transit", "health.read", "notifications", "miniapps"]
# Answer families the contract gives their own error form.
OAUTH_PAGES = {"/oauth/authorize", "/oauth/logout"}  # HTML error pages, never a redirect
FHIR_PREFIXES = ("/v1/health/fhir/", "/v1/health/shared/")  # OperationOutcome (FHIR R4)


def fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.UUID(int=0x0190F3A2_0000_7000_8000_000000000001)), path)


def assert_problem(r, status: int | None = None) -> dict:
    assert r.headers["content-type"].startswith("application/problem+json"), (r.request.url, r.text)
    body = r.json()
    assert PROBLEM_FIELDS <= set(body), body
    assert body["status"] == r.status_code and body["code"]
    if status is not None:
        assert r.status_code == status, body
    return body


def assert_error_in_its_family(path: str, r) -> None:
    """4xx answers take the form the contract gives the endpoint's family."""
    if path in OAUTH_PAGES:
        assert r.headers["content-type"].startswith("text/html")
    elif path == "/oauth/userinfo":  # a protected resource: RFC 6750 §3 puts the error in the header
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert_problem(r)
    elif path.startswith("/oauth/"):
        assert isinstance(r.json().get("error"), str), (path, r.text)
    elif path.startswith("/open311/"):
        assert all({"code", "description"} <= set(e) for e in r.json()), (path, r.text)
    elif path.startswith(FHIR_PREFIXES):
        assert r.json()["resourceType"] == "OperationOutcome", (path, r.text)
    else:
        assert_problem(r)


@pytest.fixture
async def openapi(client) -> dict:
    return (await client.get("/openapi.json")).json()


@pytest.fixture
def operations(openapi) -> list[tuple[str, str]]:
    return [(method.upper(), path) for path, ops in sorted(openapi["paths"].items()) for method in ops]


@pytest.fixture
def json_operations(openapi) -> list[tuple[str, str]]:
    """Operations whose OpenAPI request body is JSON."""
    return [
        (method.upper(), path)
        for path, ops in sorted(openapi["paths"].items())
        for method, op in ops.items()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    ]


class TestEveryEndpointRefusesBadRequestsWithACode:
    async def test_without_a_token_or_with_a_garbled_one(self, client, operations):
        seen = 0
        for method, path in operations:
            if path == "/v1/notifications/stream":
                continue  # an open stream once authorised; its refusal is checked below
            for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
                r = await client.request(method, fill(path), headers=headers)
                assert r.status_code < 500, (method, path, r.status_code, r.text)
                if r.status_code >= 400:
                    assert_error_in_its_family(path, r)
                    seen += 1
        assert seen > 150

    async def test_malformed_json_bodies(self, client, factory, json_operations):
        headers = {**await factory.headers(await factory.account(), CITIZEN_SCOPES),
                   "Content-Type": "application/json"}
        assert len(json_operations) > 30
        for method, path in json_operations:
            r = await client.request(method, fill(path), headers=headers, content=b'{"broken": ')
            assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text)
            assert_error_in_its_family(path, r)

    async def test_stream_refuses_an_anonymous_caller(self, client):
        r = await client.get("/v1/notifications/stream")
        assert_problem(r, 401)

    @pytest.mark.parametrize("method,path", [
        ("GET", "/v1/admin/feedback/reports"), ("GET", "/v1/agency/feedback/reports"),
        ("GET", "/v1/admin/feedback/stats"), ("POST", "/v1/admin/miniapps/{id}/suspend"),
        ("POST", "/v1/admin/notifications/broadcast"), ("POST", "/v1/admin/transit/tickets/{id}/revoke"),
        ("POST", "/v1/developer/miniapps"),
    ])
    async def test_staff_endpoints_refuse_a_plain_citizen(self, client, factory, method, path):
        headers = await factory.headers(await factory.account(), CITIZEN_SCOPES)
        r = await client.request(method, fill(path), headers=headers, json={})
        assert_problem(r, 403)

    @pytest.mark.parametrize("method,path", [
        ("GET", "/v1/feedback/reports/mine"), ("GET", "/v1/transit/tickets"), ("GET", "/v1/notifications"),
        ("GET", "/v1/health/summary"), ("POST", "/v1/transit/validate"), ("POST", "/v1/notifications/publish"),
    ])
    async def test_tokens_without_the_scope_are_refused(self, client, factory, method, path):
        headers = await factory.headers(await factory.account(level=2), ["openid"])
        r = await client.request(method, fill(path), headers=headers, json={})
        assert_problem(r, 403)


class TestOAuthErrorsFollowRfc6749:
    async def test_unknown_code_is_invalid_grant(self, client, factory):
        await factory.mobile_client()
        r = await client.post("/oauth/token", data={"grant_type": "authorization_code", "code": "nope",
                                                    "code_verifier": "x" * 43, "client_id": MOBILE_CLIENT_ID})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    async def test_unknown_grant_type(self, client, factory):
        await factory.mobile_client()
        r = await client.post("/oauth/token", data={"grant_type": "password", "client_id": MOBILE_CLIENT_ID})
        assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"

    async def test_bad_client_secret_is_invalid_client(self, client, factory):
        confidential = await factory.client(grant_types=["client_credentials"], scopes=["transit.validate"])
        r = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                              auth=(confidential.client_id, "wrong"))
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"

    async def test_challenge_with_wrong_password_is_invalid_grant(self, client, factory):
        await factory.mobile_client()
        account = await factory.account()
        r = await client.post("/oauth/authorize-challenge", data={
            "client_id": MOBILE_CLIENT_ID, "username": account.phone, "password": "wrong-password-1",
            "scope": "openid", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    async def test_challenge_is_closed_to_third_party_clients(self, client, factory):
        third = await factory.client(client_type="public", secret=None)
        account = await factory.account()
        r = await client.post("/oauth/authorize-challenge", data={
            "client_id": third.client_id, "username": account.phone, "password": "Correct-horse-7",
            "scope": "openid", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256"})
        assert r.status_code in (400, 401) and r.json()["error"] in ("unauthorized_client", "invalid_client")


LISTS = ["/v1/miniapps", "/v1/me/consents", "/v1/me/sessions", "/v1/me/dependents", "/v1/notifications",
         "/v1/feedback/reports/mine", "/v1/feedback/public", "/v1/transit/tickets", "/v1/transit/trips",
         "/v1/health/access-log", "/v1/health/shares"]


class TestListsArePaginatedByCursor:
    @pytest.mark.parametrize("path", LISTS)
    async def test_list_shape_and_bad_cursor(self, client, factory, path):
        headers = await factory.headers(await factory.account(level=2, national_id="001188004512"), CITIZEN_SCOPES)
        r = await client.get(path, headers=headers, params={"limit": 1})
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"items", "next_cursor"}
        r = await client.get(path, headers=headers, params={"cursor": "%%not-a-cursor%%"})
        assert_problem(r, 400)

    async def test_next_cursor_walks_the_whole_list(self, client, factory, ctx):
        from notifications.api import publish

        account = await factory.account()
        async with ctx.sessionmaker() as session:
            for n in range(3):
                await publish(session, recipients=[account.id], category="broadcast", title={"vi": f"T{n}", "en": f"T{n}"},
                              body={"vi": "b", "en": "b"}, source="test")
            await session.commit()
        headers = await factory.headers(account, ["notifications"])
        seen, cursor = [], None
        for _ in range(5):
            page = (await client.get("/v1/notifications", headers=headers,
                                     params={"limit": 2, **({"cursor": cursor} if cursor else {})})).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 3


def english(text: str) -> bool:
    return text.isascii()


class TestAcceptLanguage:
    @pytest.mark.parametrize("method,path,needs_token", [
        ("GET", "/v1/me", False),
        ("GET", "/v1/feedback/reports/{id}", True),
        ("GET", "/v1/miniapps/{id}", True),
        ("GET", "/v1/transit/tickets/{id}", True),
        ("DELETE", "/v1/notifications/{id}", True),
        ("GET", "/v1/admin/feedback/reports", True),
    ])
    async def test_problems_in_vietnamese_by_default_and_english_on_request(self, client, factory, method, path,
                                                                             needs_token):
        headers = await factory.headers(await factory.account(), CITIZEN_SCOPES) if needs_token else {}
        vi = assert_problem(await client.request(method, fill(path), headers=headers))
        en = assert_problem(await client.request(method, fill(path), headers={**headers, "Accept-Language": "en"}))
        assert vi["code"] == en["code"]
        assert vi["title"] != en["title"] and english(en["title"]) and english(en["detail"])

    async def test_reference_data_names_follow_the_language(self, client, reference_data):
        for path in ("/v1/feedback/categories", "/v1/transit/products"):
            vi = (await client.get(path)).json()
            en = (await client.get(path, headers={"Accept-Language": "en"})).json()
            assert [x["code"] for x in vi] == [x["code"] for x in en]
            assert not english(vi[0]["name"]) and english(en[0]["name"]), path

    async def test_login_page_in_both_languages(self, client, factory):
        mobile = await factory.client(redirect_uris=["https://app.example.vn/cb"], scopes=["openid"])
        params = {"client_id": mobile.client_id, "redirect_uri": "https://app.example.vn/cb", "response_type": "code",
                  "scope": "openid", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                  "code_challenge_method": "S256", "state": "s"}
        vi = await client.get("/oauth/authorize", params=params)
        en = await client.get("/oauth/authorize", params=params, headers={"Accept-Language": "en"})
        for page in (vi, en):
            assert page.status_code == 200
            assert 'name="username"' in page.text and 'name="password"' in page.text
        assert vi.text != en.text and 'lang="en"' in en.text


class TestMoneyIsIntegerVnd:
    async def test_product_prices(self, client, reference_data):
        products = (await client.get("/v1/transit/products")).json()
        assert products and all(type(p["price_vnd"]) is int for p in products)
        assert {p["kind"] for p in products} <= {"single_ride", "day_pass", "monthly_pass"}

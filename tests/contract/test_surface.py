"""Every path, method and discovery field that CONTRACT.md names exists as written."""

from __future__ import annotations

import re

import pytest

# (method, path) of every endpoint in CONTRACT.md; path parameters written as {}.
CONTRACT_ENDPOINTS = [
    # Accounts
    ("POST", "/v1/accounts"), ("POST", "/v1/accounts/verify"),
    ("POST", "/v1/accounts/password-reset"), ("POST", "/v1/accounts/password-reset/confirm"),
    ("GET", "/v1/me"), ("PATCH", "/v1/me"), ("DELETE", "/v1/me"), ("POST", "/v1/me/identity"),
    ("GET", "/v1/me/consents"), ("POST", "/v1/me/consents"), ("DELETE", "/v1/me/consents/{}"),
    ("GET", "/v1/me/sessions"), ("DELETE", "/v1/me/sessions/{}"),
    ("GET", "/v1/me/dependents"), ("POST", "/v1/me/dependents"), ("GET", "/v1/me/export"),
    ("POST", "/v1/auth/otp"),
    # Mini-apps
    ("GET", "/v1/miniapps"), ("POST", "/v1/miniapps/{}/authorize"),
    ("POST", "/v1/developer/miniapps"), ("PATCH", "/v1/developer/miniapps/{}"),
    ("POST", "/v1/developer/miniapps/{}/secret"), ("POST", "/v1/developer/miniapps/{}/submit"),
    ("POST", "/v1/admin/miniapps/{}/review"), ("POST", "/v1/admin/miniapps/{}/suspend"),
    # Feedback
    ("GET", "/v1/feedback/categories"), ("POST", "/v1/feedback/reports"),
    ("GET", "/v1/feedback/reports/mine"), ("GET", "/v1/feedback/reports/{}"),
    ("GET", "/v1/feedback/reports/{}/timeline"), ("GET", "/v1/feedback/public"),
    ("GET", "/v1/feedback/nearby"), ("POST", "/v1/feedback/reports/{}/follow"),
    ("POST", "/v1/feedback/reports/{}/rating"), ("GET", "/v1/admin/feedback/reports"),
    ("POST", "/v1/admin/feedback/reports/{}/moderate"), ("GET", "/v1/agency/feedback/reports"),
    ("POST", "/v1/agency/feedback/reports/{}/transition"), ("GET", "/v1/admin/feedback/stats"),
    # Open311 GeoReport v2
    ("GET", "/open311/v2/discovery.json"), ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services/{}.json"), ("GET", "/open311/v2/requests.json"),
    ("POST", "/open311/v2/requests.json"), ("GET", "/open311/v2/requests/{}.json"),
    ("GET", "/open311/v2/tokens/{}.json"),
    # Transit
    ("GET", "/v1/transit/products"), ("POST", "/v1/transit/orders"), ("GET", "/v1/transit/tickets"),
    ("GET", "/v1/transit/trips"), ("POST", "/v1/transit/tickets/{}/device"),
    ("GET", "/v1/transit/tickets/{}/qr"), ("POST", "/v1/transit/validate"), ("GET", "/v1/transit/keys"),
    ("GET", "/v1/transit/denylist"), ("POST", "/v1/transit/validations"),
    ("POST", "/v1/admin/transit/tickets/{}/revoke"),
    # Health
    ("GET", "/v1/health/fhir/metadata"), ("GET", "/v1/health/fhir/{}/{}"), ("GET", "/v1/health/fhir/{}"),
    ("GET", "/v1/health/summary"), ("GET", "/v1/health/access-log"), ("POST", "/v1/health/shares"),
    ("DELETE", "/v1/health/shares/{}"),
    # Notifications
    ("GET", "/v1/notifications"), ("GET", "/v1/notifications/unread-count"),
    ("POST", "/v1/notifications/{}/read"), ("POST", "/v1/notifications/read-all"),
    ("DELETE", "/v1/notifications/{}"), ("POST", "/v1/devices"), ("DELETE", "/v1/devices/{}"),
    ("GET", "/v1/notifications/preferences"), ("PUT", "/v1/notifications/preferences"),
    ("GET", "/v1/notifications/stream"), ("POST", "/v1/notifications/publish"),
    ("POST", "/v1/admin/notifications/broadcast"), ("GET", "/v1/admin/notifications/broadcast/{}"),
    # Probes and discovery
    ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/.well-known/openid-configuration"),
]

DISCOVERY_FIELDS = ["issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint", "introspection_endpoint", "end_session_endpoint", "authorization_challenge_endpoint", "scopes_supported", "response_types_supported", "grant_types_supported", "code_challenge_methods_supported", "token_endpoint_auth_methods_supported", "id_token_signing_alg_values_supported", "subject_types_supported", "claims_supported", "backchannel_logout_supported"]

CONTRACT_SCOPES = ["openid", "profile", "phone", "email", "offline_access", "identity", "feedback", "transit", "health.read", "notifications", "miniapps", "transit.validate", "notifications.publish", "open311"]


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.fixture
async def openapi(client) -> dict:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


class TestOpenApiCoversTheContract:
    async def test_every_contract_endpoint_is_in_the_openapi(self, openapi):
        published = {(m.upper(), _shape(p)) for p, ops in openapi["paths"].items() for m in ops}
        missing = [e for e in CONTRACT_ENDPOINTS if e not in published and e[1] != "/.well-known/openid-configuration"]
        assert missing == []

    async def test_docs_page_is_served(self, client):
        r = await client.get("/docs")
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]

    async def test_healthz_and_readyz_answer(self, client):
        assert (await client.get("/healthz")).status_code == 200
        r = await client.get("/readyz")
        assert r.status_code == 200


class TestDiscovery:
    async def test_lists_every_required_field(self, client):
        doc = (await client.get("/.well-known/openid-configuration")).json()
        assert [f for f in DISCOVERY_FIELDS if f not in doc] == []

    async def test_fixed_values(self, client):
        doc = (await client.get("/.well-known/openid-configuration")).json()
        assert doc["response_types_supported"] == ["code"]
        assert doc["code_challenge_methods_supported"] == ["S256"]
        assert doc["backchannel_logout_supported"] is True
        assert set(doc["id_token_signing_alg_values_supported"]) <= {"ES256", "RS256"}
        assert {"pairwise", "public"} & set(doc["subject_types_supported"])
        assert [s for s in CONTRACT_SCOPES if s not in doc["scopes_supported"]] == []
        assert {"authorization_code", "refresh_token", "client_credentials"} <= set(doc["grant_types_supported"])

    async def test_every_endpoint_it_names_answers(self, client):
        doc = (await client.get("/.well-known/openid-configuration")).json()
        assert (await client.get(doc["jwks_uri"])).json()["keys"]
        for name in ("token_endpoint", "revocation_endpoint", "introspection_endpoint",
                     "authorization_challenge_endpoint"):
            r = await client.post(doc[name], data={})
            assert r.status_code in (400, 401), (name, r.status_code)
            assert "error" in r.json()

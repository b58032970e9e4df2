"""Developer lifecycle: register, list, edit, rotate secrets, submit; ownership and URL rules."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlmodel import select

from auth.models import OAuthClient
from superapp.errors import PROBLEM_JSON
from superapp.models import AuditEntry
from tests.miniapps.platform.conftest import APP_BODY


async def client_row(ctx, client_id: str) -> OAuthClient:
    async with ctx.sessionmaker() as s:
        return await s.get(OAuthClient, client_id)


async def audit_actions(ctx, target_id: str) -> list[str]:
    async with ctx.sessionmaker() as s:
        rows = await s.exec(select(AuditEntry).where(AuditEntry.target_id == target_id).order_by(AuditEntry.created_at))
        return [r.action for r in rows]


class TestRegister:
    async def test_creates_a_draft_and_its_confidential_client(self, lifecycle, ctx, developer):
        created = await lifecycle.register()
        assert created["status"] == "draft"
        assert set(created) >= {"id", "client_id", "client_secret", "webhook_secret"}
        client = await client_row(ctx, created["client_id"])
        assert client.client_type == "confidential" and not client.first_party
        assert client.secret_hash == hashlib.sha256(created["client_secret"].encode()).hexdigest()
        assert client.redirect_uris == APP_BODY["redirect_uris"]
        assert client.scopes == APP_BODY["scopes"]
        assert client.owner_id == developer.account.id
        assert client.status == "pending"  # usable only once published
        assert client.sector_id == f"miniapp:{created['id']}"

    async def test_secret_is_256_bits_of_randomness(self, lifecycle):
        one, two = await lifecycle.register(), await lifecycle.register()
        assert len(one["client_secret"]) >= 43 and one["client_secret"] != two["client_secret"]
        assert one["webhook_secret"].startswith("whsec_")

    async def test_secrets_are_never_shown_again(self, lifecycle, client, developer):
        created = await lifecycle.register()
        r = await client.get(f"/v1/developer/miniapps/{created['id']}", headers=developer.headers)
        assert r.status_code == 200
        assert created["client_secret"] not in r.text and created["webhook_secret"] not in r.text

    async def test_registration_is_audited(self, lifecycle, ctx):
        created = await lifecycle.register()
        assert await audit_actions(ctx, created["id"]) == ["miniapp.register"]

    async def test_plain_string_name_is_taken_as_vietnamese(self, lifecycle, client, developer):
        created = await lifecycle.register(name="Bản đồ", description="Bản đồ thành phố")
        r = await client.get(f"/v1/developer/miniapps/{created['id']}", headers=developer.headers)
        assert r.json()["name"] == {"vi": "Bản đồ"}

    async def test_developer_signed_in_through_a_first_party_tool(self, client, factory, developer):
        """The docs' path: a public first-party "developer tools" client and native sign-in."""
        from tests.miniapps.platform.conftest import phone_sign_in

        tools = await factory.client(client_type="public", first_party=True, scopes=["openid"], secret=None)
        headers = await phone_sign_in(client, factory, developer.account, "openid", client_id=tools.client_id)
        r = await client.post("/v1/developer/miniapps", json=APP_BODY, headers=headers)
        assert r.status_code == 201 and r.json()["status"] == "draft"

    async def test_non_developer_is_refused(self, client, citizen):
        r = await client.post("/v1/developer/miniapps", json=APP_BODY, headers=citizen.headers)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"

    async def test_anonymous_is_refused(self, client):
        r = await client.post("/v1/developer/miniapps", json=APP_BODY)
        assert r.status_code == 401 and r.headers["content-type"].startswith(PROBLEM_JSON)


class TestUrlRules:
    """The rules themselves are unit-tested in test_urls.py; here, that every URL field obeys them."""

    async def test_plain_http_is_refused_in_every_url_field(self, client, developer):
        for field, value in [
            ("redirect_uris", ["http://library.example.vn/callback"]),
            ("home_url", "http://library.example.vn/"),
            ("icon_url", "http://library.example.vn/icon.png"),
            ("webhook_url", "http://hooks.example.vn/"),
            ("backchannel_logout_uri", "http://library.example.vn/logout"),
        ]:
            r = await client.post("/v1/developer/miniapps", json={**APP_BODY, field: value}, headers=developer.headers)
            assert r.status_code == 422, field
            assert r.json()["code"] == "miniapps.insecure_url" and r.json()["field"] == field

    async def test_http_on_loopback_is_allowed_for_development(self, lifecycle):
        created = await lifecycle.register(redirect_uris=["http://localhost:3000/cb", "http://127.0.0.1:8080/cb"])
        assert created["status"] == "draft"

    async def test_loopback_http_is_refused_in_production(self, ctx):
        from miniapps.platform.developer import check_urls
        from miniapps.platform.errors import InsecureUrl

        ctx.settings.environment = "production"
        try:
            with pytest.raises(InsecureUrl):
                check_urls(ctx, {"redirect_uris": ["http://localhost:3000/cb"]})
        finally:
            ctx.settings.environment = "test"

    async def test_server_called_urls_must_be_public_in_production(self, ctx):
        from miniapps.platform.developer import check_urls
        from miniapps.platform.errors import InternalUrl

        ctx.settings.environment = "production"
        try:
            for field in ("webhook_url", "backchannel_logout_uri"):
                with pytest.raises(InternalUrl):
                    check_urls(ctx, {field: "https://10.0.0.5/hook"})
            check_urls(ctx, {"redirect_uris": ["https://10.0.0.5/cb"]})  # the browser calls it, not us
        finally:
            ctx.settings.environment = "test"

    async def test_malformed_redirect_uri_is_refused(self, client, developer):
        body = {**APP_BODY, "redirect_uris": ["https://library.example.vn/cb#frag"]}
        r = await client.post("/v1/developer/miniapps", json=body, headers=developer.headers)
        assert r.status_code == 422 and r.json()["code"] == "miniapps.invalid_url"

    async def test_error_is_localized(self, client, developer):
        body = {**APP_BODY, "redirect_uris": ["http://library.example.vn/cb"]}
        vi = await client.post("/v1/developer/miniapps", json=body, headers=developer.headers)
        en = await client.post(
            "/v1/developer/miniapps", json=body, headers={**developer.headers, "Accept-Language": "en"}
        )
        assert "https" in vi.json()["detail"] and "https" in en.json()["detail"]
        assert vi.json()["detail"] != en.json()["detail"]


class TestScopesAndFields:
    async def test_module_scopes_are_not_for_third_parties(self, client, developer):
        body = {**APP_BODY, "scopes": ["openid", "health.read", "feedback"]}
        r = await client.post("/v1/developer/miniapps", json=body, headers=developer.headers)
        assert r.status_code == 422
        assert r.json()["code"] == "miniapps.scope_not_allowed" and r.json()["scopes"] == ["health.read", "feedback"]

    async def test_scopes_as_an_oauth_scope_string(self, lifecycle, client, developer):
        created = await lifecycle.register(scopes="openid  profile")
        view = (await client.get(f"/v1/developer/miniapps/{created['id']}", headers=developer.headers)).json()
        assert view["scopes"] == ["openid", "profile"]

    async def test_unknown_category(self, client, developer):
        r = await client.post(
            "/v1/developer/miniapps", json={**APP_BODY, "category": "casino"}, headers=developer.headers
        )
        assert r.status_code == 422 and r.json()["code"] == "miniapps.unknown_category"

    async def test_missing_fields_and_unknown_fields(self, client, developer):
        r = await client.post("/v1/developer/miniapps", json={"name": "x", "surprise": 1}, headers=developer.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        fields = {e["field"] for e in r.json()["errors"]}
        assert {"description", "home_url", "redirect_uris", "scopes", "surprise"} <= fields

    async def test_empty_localized_name(self, client, developer):
        r = await client.post("/v1/developer/miniapps", json={**APP_BODY, "name": {}}, headers=developer.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"


class TestOwnership:
    async def test_list_shows_only_own_apps(self, lifecycle, client, other_developer, developer):
        mine = await lifecycle.register()
        r = await client.post("/v1/developer/miniapps", json=APP_BODY, headers=other_developer.headers)
        theirs = r.json()
        listed = (await client.get("/v1/developer/miniapps", headers=developer.headers)).json()
        assert [a["id"] for a in listed["items"]] == [mine["id"]]
        assert theirs["id"] not in str(listed)

    async def test_list_is_paginated(self, lifecycle, client, developer):
        ids = [(await lifecycle.register())["id"] for _ in range(3)]
        seen, cursor = [], None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/developer/miniapps", params=params, headers=developer.headers)).json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ids

    async def test_another_developers_app_is_not_found(self, lifecycle, client, other_developer):
        created = await lifecycle.register()
        for method, suffix, body in [
            ("GET", "", None),
            ("PATCH", "", {"home_url": "https://evil.example.vn/"}),
            ("POST", "/secret", None),
            ("POST", "/webhook-secret", None),
            ("POST", "/submit", None),
        ]:
            r = await client.request(
                method, f"/v1/developer/miniapps/{created['id']}{suffix}", json=body, headers=other_developer.headers
            )
            assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found", (method, suffix)
        mine = (await client.get(f"/v1/developer/miniapps/{created['id']}", headers=lifecycle.developer.headers)).json()
        assert mine["home_url"] == APP_BODY["home_url"] and mine["status"] == "draft"

    async def test_garbage_id_is_not_found(self, client, developer):
        r = await client.get("/v1/developer/miniapps/not-a-uuid", headers=developer.headers)
        assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found"


class TestEdit:
    async def test_patch_changes_app_and_client(self, lifecycle, client, ctx, developer):
        created = await lifecycle.register()
        body = {
            "name": {"vi": "Thư viện", "en": "Library"},
            "redirect_uris": ["https://library.example.vn/cb2"],
            "scopes": ["openid"],
            "webhook_url": None,
        }
        r = await client.patch(f"/v1/developer/miniapps/{created['id']}", json=body, headers=developer.headers)
        assert r.status_code == 200, r.text
        view = r.json()
        assert view["name"] == {"vi": "Thư viện", "en": "Library"} and view["webhook_url"] is None
        client_row_ = await client_row(ctx, created["client_id"])
        assert client_row_.redirect_uris == ["https://library.example.vn/cb2"] and client_row_.scopes == ["openid"]
        assert client_row_.sector_id == f"miniapp:{created['id']}"  # pairwise subs do not move
        assert await audit_actions(ctx, created["id"]) == ["miniapp.register", "miniapp.update"]

    async def test_patch_keeps_the_https_rule(self, lifecycle, client, developer):
        created = await lifecycle.register()
        r = await client.patch(
            f"/v1/developer/miniapps/{created['id']}",
            json={"redirect_uris": ["http://library.example.vn/cb"]},
            headers=developer.headers,
        )
        assert r.status_code == 422 and r.json()["code"] == "miniapps.insecure_url"

    async def test_no_edit_while_in_review(self, lifecycle, client, developer):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        r = await client.patch(
            f"/v1/developer/miniapps/{created['id']}", json={"category": "culture"}, headers=developer.headers
        )
        assert r.status_code == 409 and r.json()["code"] == "miniapps.invalid_status"

    async def test_published_app_cannot_widen_scopes_without_review(self, lifecycle, client, developer):
        created = await lifecycle.publish(scopes=["openid", "profile"])
        url = f"/v1/developer/miniapps/{created['id']}"
        wider = await client.patch(url, json={"scopes": ["openid", "profile", "email"]}, headers=developer.headers)
        assert wider.status_code == 409 and wider.json()["code"] == "miniapps.scope_change_needs_review"
        narrower = await client.patch(url, json={"scopes": ["openid"]}, headers=developer.headers)
        assert narrower.status_code == 200 and narrower.json()["status"] == "published"


class TestSecrets:
    async def test_rotation_replaces_the_secret(self, lifecycle, client, ctx, developer):
        created = await lifecycle.register()
        r = await client.post(f"/v1/developer/miniapps/{created['id']}/secret", headers=developer.headers)
        assert r.status_code == 200
        new = r.json()["client_secret"]
        assert new != created["client_secret"] and r.json()["client_id"] == created["client_id"]
        row = await client_row(ctx, created["client_id"])
        assert row.secret_hash == hashlib.sha256(new.encode()).hexdigest()
        assert "miniapp.rotate_secret" in await audit_actions(ctx, created["id"])

    async def test_webhook_secret_rotation(self, lifecycle, client, ctx, developer):
        from miniapps.platform.models import WebMiniApp
        from miniapps.platform.secrets import unseal

        created = await lifecycle.register()
        r = await client.post(f"/v1/developer/miniapps/{created['id']}/webhook-secret", headers=developer.headers)
        new = r.json()["webhook_secret"]
        assert new.startswith("whsec_") and new != created["webhook_secret"]
        async with ctx.sessionmaker() as s:
            app = await s.get(WebMiniApp, uuid.UUID(created["id"]))
        assert unseal(ctx.settings.secrets["secret_key"], app.webhook_secret_encrypted) == new


class TestSubmit:
    async def test_draft_goes_to_review(self, lifecycle, ctx):
        created = await lifecycle.register()
        view = await lifecycle.submit(created["id"])
        assert view["status"] == "in_review" and view["submitted_at"]
        assert await audit_actions(ctx, created["id"]) == ["miniapp.register", "miniapp.submit"]

    async def test_submitting_twice_conflicts(self, lifecycle, client, developer):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        r = await client.post(f"/v1/developer/miniapps/{created['id']}/submit", headers=developer.headers)
        assert r.status_code == 409 and r.json()["code"] == "miniapps.invalid_status"

"""The consent ledger: grant from the native sheet, list, withdraw (tokens die at once)."""

from __future__ import annotations

import pytest
from jose import jwt
from sqlmodel import select

from auth.deps import AuthError, principal_from_token
from auth.oidc.models import Grant
from tests.miniapps.platform.conftest import phone_sign_in, redeem, refresh
from tests.miniapps.platform.test_sso import consent, silent_sso


async def app_tokens(client, app, headers, scope="openid profile offline_access") -> dict:
    r, pkce = await silent_sso(client, headers, app["id"], scope)
    assert r.status_code == 200, r.text
    tokens = await redeem(client, app, r.json()["code"], pkce.verifier)
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


class TestGrant:
    async def test_grant_is_recorded_and_listed(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        r = await consent(client, citizen.headers, app["client_id"], ["openid", "profile"])
        assert r.status_code == 201
        assert r.json()["scopes"] == ["openid", "profile"] and r.json()["app"]["id"] == app["id"]
        listed = (await client.get("/v1/me/consents", headers={**citizen.headers, "Accept-Language": "en"})).json()
        assert [(c["client_id"], c["app"]["name"]) for c in listed["items"]] == [(app["client_id"], "Hanoi Library")]
        assert set(listed["items"][0]) >= {"app", "client_id", "scopes", "granted_at", "last_used_at"}

    async def test_grant_answer_is_localized(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        r = await client.post(
            "/v1/me/consents",
            json={"client_id": app["client_id"], "scopes": ["openid"]},
            headers={**citizen.headers, "Accept-Language": "en"},
        )
        assert r.json()["app"]["name"] == "Hanoi Library"

    async def test_grants_add_up(self, lifecycle, client, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        r = await consent(client, citizen.headers, app["client_id"], ["profile"])
        assert r.status_code == 200 and sorted(r.json()["scopes"]) == ["openid", "profile"]

    async def test_scopes_beyond_registration(self, lifecycle, client, citizen):
        app = await lifecycle.publish(scopes=["openid"])
        r = await consent(client, citizen.headers, app["client_id"], ["openid", "phone"])
        assert r.status_code == 422 and r.json()["code"] == "miniapps.scope_not_registered"

    async def test_suspended_app_conflicts(self, lifecycle, client, citizen, admin):
        app = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{app['id']}/suspend", headers=admin.headers)
        r = await consent(client, citizen.headers, app["client_id"], ["openid"])
        assert r.status_code == 409 and r.json()["code"] == "miniapps.suspended"

    async def test_unpublished_and_unknown_apps(self, lifecycle, client, citizen):
        draft = await lifecycle.register()
        for client_id in (draft["client_id"], "no-such-client"):
            r = await consent(client, citizen.headers, client_id, ["openid"])
            assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found"

    async def test_only_the_city_apps_may_record_consent(self, lifecycle, client, citizen, factory):
        app = await lifecycle.publish()
        other = await factory.client(scopes=["openid"])
        headers = await factory.headers(citizen.account, ["openid"], client=other)
        r = await consent(client, headers, app["client_id"], ["openid"])
        assert r.status_code == 403 and r.json()["code"] == "miniapps.first_party_only"
        assert (await client.get("/v1/me/consents", headers=headers)).status_code == 403

    async def test_consents_given_on_the_browser_consent_page_are_listed_too(self, client, ctx, citizen, factory):
        from auth.consents import grant_consent

        other = await factory.client(name="Cổng dịch vụ công", scopes=["openid", "profile"])
        async with ctx.sessionmaker() as s:
            await grant_consent(s, citizen.account.id, other.client_id, ["openid"])
            await s.commit()
        [item] = (await client.get("/v1/me/consents", headers=citizen.headers)).json()["items"]
        assert item["app"] == {"id": other.client_id, "name": "Cổng dịch vụ công", "icon_url": None, "kind": "client"}
        assert (await client.delete(f"/v1/me/consents/{other.client_id}", headers=citizen.headers)).status_code == 204
        assert (await client.get("/v1/me/consents", headers=citizen.headers)).json()["items"] == []

    async def test_ledger_is_paginated(self, lifecycle, client, citizen):
        client_ids = []
        for _ in range(3):
            app = await lifecycle.publish()
            await consent(client, citizen.headers, app["client_id"], ["openid"])
            client_ids.append(app["client_id"])
        first = (await client.get("/v1/me/consents", params={"limit": 2}, headers=citizen.headers)).json()
        second = (
            await client.get(
                "/v1/me/consents", params={"limit": 2, "cursor": first["next_cursor"]}, headers=citizen.headers
            )
        ).json()
        assert [c["client_id"] for c in first["items"] + second["items"]] == sorted(client_ids)
        assert second["next_cursor"] is None


class TestWithdraw:
    async def test_next_refresh_fails_and_access_token_dies(self, lifecycle, client, ctx, citizen, factory):
        app = await lifecycle.publish()
        phone = await phone_sign_in(client, factory, citizen.account)
        await consent(client, phone, app["client_id"], ["openid", "profile", "offline_access"])
        tokens = await app_tokens(client, app, phone)
        rotated = await refresh(client, app, tokens["refresh_token"])
        assert rotated.status_code == 200, rotated.text

        r = await client.delete(f"/v1/me/consents/{app['client_id']}", headers=phone)
        assert r.status_code == 204

        again = await refresh(client, app, rotated.json()["refresh_token"])
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
        async with ctx.sessionmaker() as s:
            with pytest.raises(AuthError):
                await principal_from_token(ctx, s, rotated.json()["access_token"])
        assert (await client.get("/v1/me/consents", headers=phone)).json()["items"] == []
        r2, _ = await silent_sso(client, phone, app["id"], "openid")
        assert r2.status_code == 403 and r2.json()["code"] == "consent_required"

    async def test_other_apps_keep_working(self, lifecycle, client, ctx, citizen):
        kept, dropped = await lifecycle.publish(), await lifecycle.publish()
        for app in (kept, dropped):
            await consent(client, citizen.headers, app["client_id"], ["openid", "offline_access"])
        kept_tokens = await app_tokens(client, kept, citizen.headers, "openid offline_access")
        await client.delete(f"/v1/me/consents/{dropped['client_id']}", headers=citizen.headers)
        assert (await refresh(client, kept, kept_tokens["refresh_token"])).status_code == 200
        async with ctx.sessionmaker() as s:
            principal = await principal_from_token(ctx, s, kept_tokens["access_token"])
        assert principal.sub == jwt.get_unverified_claims(kept_tokens["access_token"])["sub"]

    async def test_withdrawing_nothing_is_not_found(self, client, citizen):
        r = await client.delete("/v1/me/consents/no-such-client", headers=citizen.headers)
        assert r.status_code == 404 and r.json()["code"] == "miniapps.consent_not_found"


class TestSuspensionKillsRefreshTokens:
    async def test_refresh_fails_after_suspension(self, lifecycle, client, ctx, citizen, admin):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid", "offline_access"])
        tokens = await app_tokens(client, app, citizen.headers, "openid offline_access")
        await client.post(f"/v1/admin/miniapps/{app['id']}/suspend", headers=admin.headers)
        r = await refresh(client, app, tokens["refresh_token"])
        assert r.status_code in (400, 401) and r.json()["error"] in ("invalid_grant", "invalid_client")
        async with ctx.sessionmaker() as s:
            grants = (await s.exec(select(Grant).where(Grant.client_id == app["client_id"]))).all()
        assert grants and all(g.revoked_at is not None for g in grants)

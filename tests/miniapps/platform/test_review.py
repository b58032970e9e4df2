"""Admin review: approve, reject with a reason, suspend (tokens die at once), reinstate."""

from __future__ import annotations

import pytest
from sqlmodel import select

from auth.deps import AuthError, principal_from_token
from auth.models import OAuthClient
from superapp.models import AuditEntry


async def client_status(ctx, client_id: str) -> str:
    async with ctx.sessionmaker() as s:
        return (await s.get(OAuthClient, client_id)).status


class TestAdminList:
    async def test_filter_by_status(self, lifecycle, client, admin):
        draft = await lifecycle.register()
        queued = await lifecycle.register()
        await lifecycle.submit(queued["id"])
        r = await client.get("/v1/admin/miniapps", params={"status": "in_review"}, headers=admin.headers)
        assert r.status_code == 200
        assert [a["id"] for a in r.json()["items"]] == [queued["id"]]
        everything = (await client.get("/v1/admin/miniapps", headers=admin.headers)).json()["items"]
        assert {a["id"] for a in everything} == {draft["id"], queued["id"]}

    async def test_unknown_status_filter(self, client, admin):
        r = await client.get("/v1/admin/miniapps", params={"status": "lost"}, headers=admin.headers)
        assert r.status_code == 422 and r.json()["code"] == "miniapps.unknown_status"

    async def test_developers_cannot_use_admin_apis(self, lifecycle, client, developer):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        r = await client.post(
            f"/v1/admin/miniapps/{created['id']}/review", json={"decision": "approve"}, headers=developer.headers
        )
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"


class TestReview:
    async def test_approve_publishes_and_activates_the_client(self, lifecycle, ctx):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        view = await lifecycle.review(created["id"])
        assert view["status"] == "published" and view["reviewed_at"]
        assert await client_status(ctx, created["client_id"]) == "active"

    async def test_reject_needs_a_reason(self, lifecycle, client, admin):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        r = await client.post(
            f"/v1/admin/miniapps/{created['id']}/review", json={"decision": "reject"}, headers=admin.headers
        )
        assert r.status_code == 422 and r.json()["code"] == "miniapps.reason_required"

    async def test_rejection_reason_reaches_the_developer_who_can_resubmit(self, lifecycle, client, ctx, developer):
        created = await lifecycle.register()
        await lifecycle.submit(created["id"])
        await lifecycle.review(created["id"], "reject", "Thiếu chính sách quyền riêng tư")
        mine = (await client.get(f"/v1/developer/miniapps/{created['id']}", headers=developer.headers)).json()
        assert mine["status"] == "rejected" and mine["review_reason"] == "Thiếu chính sách quyền riêng tư"
        assert await client_status(ctx, created["client_id"]) == "pending"
        r = await client.patch(
            f"/v1/developer/miniapps/{created['id']}",
            json={"home_url": "https://library.example.vn/v2"},
            headers=developer.headers,
        )
        assert r.status_code == 200
        assert (await lifecycle.submit(created["id"]))["status"] == "in_review"

    async def test_unknown_decision(self, lifecycle, client, admin):
        created = await lifecycle.register()
        r = await client.post(
            f"/v1/admin/miniapps/{created['id']}/review", json={"decision": "maybe"}, headers=admin.headers
        )
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"

    async def test_a_draft_cannot_be_reviewed(self, lifecycle, client, admin):
        created = await lifecycle.register()
        r = await client.post(
            f"/v1/admin/miniapps/{created['id']}/review", json={"decision": "approve"}, headers=admin.headers
        )
        assert r.status_code == 409 and r.json()["code"] == "miniapps.invalid_status"

    async def test_unknown_app(self, client, admin):
        r = await client.post(
            "/v1/admin/miniapps/0190a000-0000-7000-8000-000000000000/review",
            json={"decision": "approve"},
            headers=admin.headers,
        )
        assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found"


class TestSuspend:
    async def test_suspension_hides_the_app_and_kills_its_access_tokens(
        self, lifecycle, client, ctx, admin, citizen, factory
    ):
        created = await lifecycle.publish()
        app_client = await factory.client(client_id=created["client_id"])  # the existing row
        token = await factory.token(citizen.account, ["openid", "profile"], client=app_client)
        async with ctx.sessionmaker() as s:
            assert (await principal_from_token(ctx, s, token)).account_id == citizen.account.id

        r = await client.post(
            f"/v1/admin/miniapps/{created['id']}/suspend", json={"reason": "abuse"}, headers=admin.headers
        )
        assert r.status_code == 200 and r.json()["status"] == "suspended"

        async with ctx.sessionmaker() as s:
            with pytest.raises(AuthError):
                await principal_from_token(ctx, s, token)
        assert await client_status(ctx, created["client_id"]) == "suspended"
        catalogue = (await client.get("/v1/miniapps", params={"limit": 100})).json()["items"]
        assert created["id"] not in {i["id"] for i in catalogue}
        assert (await client.get(f"/v1/miniapps/{created['id']}")).status_code == 404

    async def test_suspension_is_audited(self, lifecycle, client, ctx, admin):
        created = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{created['id']}/suspend", headers=admin.headers)
        async with ctx.sessionmaker() as s:
            entry = (await s.exec(select(AuditEntry).where(AuditEntry.action == "miniapp.suspend"))).one()
        assert entry.actor_id == admin.account.id and entry.target_id == created["id"]
        assert entry.detail["previous_status"] == "published"

    async def test_developer_cannot_touch_a_suspended_app(self, lifecycle, client, admin, developer):
        created = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{created['id']}/suspend", headers=admin.headers)
        for path in ("/secret", "/submit"):
            r = await client.post(f"/v1/developer/miniapps/{created['id']}{path}", headers=developer.headers)
            assert r.status_code == 409 and r.json()["code"] == "miniapps.suspended"

    async def test_suspending_twice_conflicts(self, lifecycle, client, admin):
        created = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{created['id']}/suspend", headers=admin.headers)
        r = await client.post(f"/v1/admin/miniapps/{created['id']}/suspend", headers=admin.headers)
        assert r.status_code == 409

    async def test_reinstated_app_goes_back_to_review(self, lifecycle, client, ctx, admin):
        created = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{created['id']}/suspend", headers=admin.headers)
        r = await client.post(f"/v1/admin/miniapps/{created['id']}/reinstate", headers=admin.headers)
        assert r.status_code == 200 and r.json()["status"] == "in_review"
        assert (await lifecycle.review(created["id"]))["status"] == "published"
        assert await client_status(ctx, created["client_id"]) == "active"

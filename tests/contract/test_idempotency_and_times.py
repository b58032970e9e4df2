"""`Idempotency-Key` on creating POSTs of several modules, and RFC 3339 offsets on the times of
staff and developer answers (SQLite hands timestamps back without a zone)."""

from __future__ import annotations

from tests.contract.conftest import native_sign_in
from tests.contract.test_journey import assert_times_have_offsets
from tests.factories import MOBILE_CLIENT_ID


class TestIdempotencyKey:
    async def test_same_key_same_body_returns_the_first_answer(self, client, factory, reference_data):
        headers = {**await factory.headers(await factory.account(), ["transit"]), "Idempotency-Key": "order-1"}
        body = {"product_code": "day_pass", "payment_method": "sandbox"}
        first = await client.post("/v1/transit/orders", headers=headers, json=body)
        again = await client.post("/v1/transit/orders", headers=headers, json=body)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        wallet = (await client.get("/v1/transit/tickets", headers=headers)).json()
        assert len(wallet["items"]) == 1

    async def test_same_key_other_body_is_422(self, client, factory):
        developer = await factory.account(roles=["developer"])
        headers = {**await factory.headers(developer, ["openid"]), "Idempotency-Key": "app-1"}
        body = {"name": "Sổ tay du lịch", "description": "Hướng dẫn du lịch Hà Nội", "home_url": "https://tour.example.vn",
                "redirect_uris": ["https://tour.example.vn/cb"], "scopes": ["openid", "profile"]}
        assert (await client.post("/v1/developer/miniapps", headers=headers, json=body)).status_code == 201
        r = await client.post("/v1/developer/miniapps", headers=headers, json={**body, "name": "Khác"})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json") and r.json()["code"]


class TestTimesCarryOffsets:
    async def test_sessions_developer_apps_broadcasts_and_moderation_queue(self, client, factory, ctx, reference_data):
        await factory.mobile_client()
        await factory.account(phone="+84987650022")
        tokens = await native_sign_in(client, MOBILE_CLIENT_ID, "+84987650022", "openid profile",
                                      password="Correct-horse-7")
        citizen = {"Authorization": f"Bearer {tokens['access_token']}"}
        staff = await factory.account(roles=["admin", "moderator", "developer"])
        staff_headers = await factory.headers(staff, ["openid"])

        answers = {"GET /v1/me/sessions": await client.get("/v1/me/sessions", headers=citizen)}
        created = await client.post("/v1/developer/miniapps", headers=staff_headers, json={
            "name": "Bãi đỗ xe", "description": "Tìm chỗ đỗ xe", "home_url": "https://parking.example.vn",
            "redirect_uris": ["https://parking.example.vn/cb"], "scopes": ["openid"]})
        answers["POST /v1/developer/miniapps"] = created
        answers["GET /v1/developer/miniapps"] = await client.get("/v1/developer/miniapps", headers=staff_headers)
        answers["GET /v1/admin/miniapps"] = await client.get("/v1/admin/miniapps", headers=staff_headers)
        broadcast = await client.post("/v1/admin/notifications/broadcast", headers=staff_headers, json={
            "audience": "all", "title": "Thông báo", "body": "Nội dung", "category": "broadcast"})
        answers["POST /v1/admin/notifications/broadcast"] = broadcast
        answers["GET broadcast status"] = await client.get(
            f"/v1/admin/notifications/broadcast/{broadcast.json()['id']}", headers=staff_headers)
        answers["GET /v1/admin/feedback/reports"] = await client.get("/v1/admin/feedback/reports", headers=staff_headers)
        answers["GET /v1/me/export"] = await client.get("/v1/me/export", headers=citizen)
        for where, r in answers.items():
            assert r.status_code in (200, 201, 202), (where, r.text)
            assert_times_have_offsets(r.json(), where)
        assert answers["GET /v1/me/sessions"].json()["items"]

"""Developers learn the outcome of a review, and a suspension, in their inbox."""

from __future__ import annotations


async def inbox(client, factory, account, lang: str = "vi") -> list[dict]:
    headers = {**await factory.headers(account, ["notifications"]), "Accept-Language": lang}
    r = await client.get("/v1/notifications", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


class TestReviewNotices:
    async def test_publication_is_announced(self, lifecycle, client, factory, developer):
        app = await lifecycle.publish()
        [notice] = await inbox(client, factory, developer.account, "en")
        assert notice["category"] == "miniapps.review"
        assert notice["title"] == "“Hanoi Library” is published"
        assert notice["data"] == {"miniapp_id": app["id"], "status": "published"}

    async def test_rejection_carries_the_reason(self, lifecycle, client, factory, developer):
        app = await lifecycle.register()
        await lifecycle.submit(app["id"])
        await lifecycle.review(app["id"], "reject", "Thiếu chính sách quyền riêng tư")
        [notice] = await inbox(client, factory, developer.account)
        assert notice["title"] == "“Thư viện Hà Nội” chưa được duyệt"
        assert "Thiếu chính sách quyền riêng tư" in notice["body"]

    async def test_suspension_is_announced(self, lifecycle, client, factory, developer, admin):
        app = await lifecycle.publish()
        await client.post(f"/v1/admin/miniapps/{app['id']}/suspend", json={"reason": "spam"}, headers=admin.headers)
        titles = [n["title"] for n in await inbox(client, factory, developer.account, "en")]
        assert "“Hanoi Library” is suspended" in titles

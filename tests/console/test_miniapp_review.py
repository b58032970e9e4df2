"""Mini-app review page: submitted apps with scopes and redirect URIs; approve, reject, suspend."""

from __future__ import annotations

import pytest

JSON = {"Accept": "application/json"}


@pytest.fixture
def submitted_app(client, factory):
    """A developer registers a mini-app and submits it for review; returns its id."""

    async def make(name: str = "Gửi xe Hồ Gươm") -> str:
        developer = await factory.account(roles=["developer"])
        headers = await factory.headers(developer, ["openid"])
        r = await client.post("/v1/developer/miniapps", headers=headers, json={
            "name": {"vi": name, "en": "Hoan Kiem parking"},
            "description": {"vi": "Tìm và trả tiền chỗ gửi xe.", "en": "Find and pay for parking."},
            "home_url": "https://parking.example.vn/", "redirect_uris": ["https://parking.example.vn/callback"],
            "scopes": ["openid", "profile"],
        })
        assert r.status_code == 201, r.text
        app_id = r.json()["id"]
        assert (await client.post(f"/v1/developer/miniapps/{app_id}/submit", headers=headers)).status_code == 200
        return app_id

    return make


@pytest.fixture
def app_status(client, factory, admin):
    async def status(app_id: str) -> dict:
        r = await client.get(f"/v1/admin/miniapps/{app_id}", headers=await factory.headers(admin, ["openid"]))
        assert r.status_code == 200, r.text
        return r.json()

    return status


class TestReviewQueue:
    async def test_lists_submitted_apps_with_scopes_and_redirect_uris(self, browser, admin, submitted_app):
        app_id = await submitted_app()
        await browser.sign_in(admin)
        page = await browser.http.get("/admin/miniapps")
        assert page.status_code == 200
        assert f'data-id="{app_id}"' in page.text and 'data-status="in_review"' in page.text
        assert "https://parking.example.vn/callback" in page.text
        assert '<span class="badge">profile</span>' in page.text
        assert "Gửi xe Hồ Gươm" in page.text
        english = await browser.http.get("/admin/miniapps", headers={"Accept-Language": "en"})
        assert "Hoan Kiem parking" in english.text

    async def test_unknown_status_filter_is_a_form_error(self, browser, admin):
        await browser.sign_in(admin)
        r = await browser.http.get("/admin/miniapps", params={"status": "everything"}, headers=JSON)
        assert r.status_code == 422 and r.json()["code"] == "console.invalid_form"


class TestDecisions:
    async def test_approve_publishes(self, browser, admin, submitted_app, app_status):
        app_id = await submitted_app()
        await browser.sign_in(admin)
        token = await browser.csrf("/admin/miniapps")
        r = await browser.http.post(f"/admin/miniapps/{app_id}/approve", data={"csrf_token": token, "back": "in_review"})
        assert r.status_code == 303 and r.headers["location"] == "/admin/miniapps?status=in_review"
        assert (await app_status(app_id))["status"] == "published"
        assert "Đã phát hành ứng dụng nhỏ." in (await browser.http.get(r.headers["location"])).text

    async def test_reject_requires_and_records_a_reason(self, browser, admin, submitted_app, app_status):
        app_id = await submitted_app()
        await browser.sign_in(admin)
        token = await browser.csrf("/admin/miniapps")
        missing = await browser.http.post(f"/admin/miniapps/{app_id}/reject", data={"csrf_token": token}, headers=JSON)
        assert missing.status_code == 422
        await browser.http.post(f"/admin/miniapps/{app_id}/reject",
                                data={"csrf_token": token, "reason": "Thiếu chính sách quyền riêng tư."})
        app = await app_status(app_id)
        assert app["status"] == "rejected" and app["review_reason"] == "Thiếu chính sách quyền riêng tư."

    async def test_suspend_a_published_app(self, browser, admin, submitted_app, app_status):
        app_id = await submitted_app()
        await browser.sign_in(admin)
        token = await browser.csrf("/admin/miniapps")
        await browser.http.post(f"/admin/miniapps/{app_id}/approve", data={"csrf_token": token})
        published = await browser.http.get("/admin/miniapps", params={"status": "published"})
        assert f'action="/admin/miniapps/{app_id}/suspend"' in published.text
        await browser.http.post(f"/admin/miniapps/{app_id}/suspend", data={"csrf_token": token, "reason": "Lừa đảo."})
        assert (await app_status(app_id))["status"] == "suspended"

    async def test_api_refusal_is_flashed(self, browser, admin, submitted_app):
        app_id = await submitted_app()
        await browser.sign_in(admin)
        token = await browser.csrf("/admin/miniapps")
        await browser.http.post(f"/admin/miniapps/{app_id}/approve", data={"csrf_token": token})
        await browser.http.post(f"/admin/miniapps/{app_id}/approve", data={"csrf_token": token})
        page = await browser.http.get("/admin/miniapps")
        assert 'class="flash flash-error"' in page.text and "(miniapps." in page.text

    async def test_bad_app_id_never_reaches_the_api(self, browser, admin):
        await browser.sign_in(admin)
        token = await browser.csrf("/admin/miniapps")
        r = await browser.http.post("/admin/miniapps/..%2F..%2Fme/approve", data={"csrf_token": token}, headers=JSON)
        assert r.status_code in (404, 422)

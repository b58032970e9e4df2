"""Broadcast page: compose to everyone or one district, then the live progress."""

from __future__ import annotations

import re

from superapp.outbox import drain

JSON = {"Accept": "application/json"}


def form_key_of(html: str) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', html).group(1)


async def compose(browser) -> dict[str, str]:
    page = await browser.http.get("/admin/broadcasts")
    assert page.status_code == 200
    from tests.console.conftest import csrf_of

    return {"csrf_token": csrf_of(page.text), "form_key": form_key_of(page.text)}


MESSAGE = {"audience": "all", "category": "broadcast", "title_vi": "Cắt nước", "body_vi": "Quận Hoàn Kiếm cắt nước 8–12h.",
           "title_en": "Water cut", "body_en": "Hoan Kiem: no water 8–12h."}


class TestCompose:
    async def test_send_to_everyone_then_watch_progress(self, browser, admin, citizen, ctx):
        await browser.sign_in(admin)
        r = await browser.http.post("/admin/broadcasts", data={**await compose(browser), **MESSAGE})
        assert r.status_code == 303
        match = re.fullmatch(r"/admin/broadcasts/([0-9a-f-]{36})", r.headers["location"])
        assert match
        page = await browser.http.get(r.headers["location"])
        assert page.status_code == 200 and f'data-poll="/admin/broadcasts/{match.group(1)}/status"' in page.text
        await drain(ctx)
        status = (await browser.http.get(f"{r.headers['location']}/status", headers=JSON)).json()
        assert set(status) == {"status", "total", "sent", "failed"}
        assert status["status"] == "done" and status["total"] >= 2  # the citizen and the admin

    async def test_double_submit_sends_one_broadcast(self, browser, admin):
        await browser.sign_in(admin)
        form = {**await compose(browser), **MESSAGE}
        first = await browser.http.post("/admin/broadcasts", data=form)
        second = await browser.http.post("/admin/broadcasts", data=form)
        assert first.headers["location"] == second.headers["location"]

    async def test_district_needs_a_code(self, browser, admin):
        await browser.sign_in(admin)
        form = {**await compose(browser), **MESSAGE, "audience": "district"}
        r = await browser.http.post("/admin/broadcasts", data=form, headers=JSON)
        assert r.status_code == 422 and r.json()["code"] == "console.invalid_form"

    async def test_district_audience_is_sent_as_district_code(self, browser, admin, factory):
        await factory.account(district_code="HK")
        await browser.sign_in(admin)
        form = {**await compose(browser), **MESSAGE, "audience": "district", "district_code": "HK"}
        r = await browser.http.post("/admin/broadcasts", data=form)
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/broadcasts/")

    async def test_empty_title_is_refused_before_the_api(self, browser, admin):
        await browser.sign_in(admin)
        form = {**await compose(browser), **MESSAGE, "title_vi": ""}
        r = await browser.http.post("/admin/broadcasts", data=form, headers=JSON)
        assert r.status_code == 422

    async def test_unknown_broadcast_status_is_404(self, browser, admin):
        await browser.sign_in(admin)
        r = await browser.http.get("/admin/broadcasts/01a20000-0000-7000-8000-000000000000/status", headers=JSON)
        assert r.status_code == 404

"""Moderation, agency and statistics pages, driving the real feedback APIs in-process."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from superapp.console.pages.agency import by_deadline
from superapp.console.pages.stats import to_csv
from tests.console.conftest import HANG_BAC, HOAN_KIEM_LAKE, csrf_of

JSON = {"Accept": "application/json"}


@pytest.fixture
async def gtvt_officer(factory):
    return await factory.account(full_name="Đỗ Giao Thông", roles=["agency_officer"], agency_code="HN-GTVT")


class TestModerationQueue:
    async def test_queue_lists_new_reports_with_photo_and_map(self, browser, moderator, citizen, submit_report):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        page = await browser.http.get("/admin/moderation")
        assert page.status_code == 200
        assert f'data-id="{report_id}"' in page.text
        assert "/admin/media?src=/v1/feedback/photos/" in page.text
        assert '<svg class="map"' in page.text and f'href="#r-{report_id}"' in page.text

    async def test_photo_is_served_through_the_console(self, browser, moderator, citizen, submit_report, report_status):
        report_id = await submit_report(citizen)
        detail = await report_status(report_id, moderator)
        await browser.sign_in(moderator)
        r = await browser.http.get("/admin/media", params={"src": detail["photos"][0]["thumbnail_url"]})
        assert r.status_code == 200 and r.headers["content-type"] in ("image/jpeg", "image/png", "image/webp")

    async def test_media_refuses_anything_but_local_api_paths(self, browser, moderator):
        await browser.sign_in(moderator)
        for src in ("https://evil.example.com/x.png", "//evil.example.com/x.png", "/admin/", "/v1/me",
                    "/v1/feedback/photos/../../me/export", "/v1/feedback/reports/mine"):
            r = await browser.http.get("/admin/media", params={"src": src}, headers=JSON)
            assert r.status_code == 404, src

    async def test_approve_from_the_queue(self, browser, moderator, citizen, submit_report, report_status):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        token = await browser.csrf("/admin/moderation")
        r = await browser.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": token})
        assert r.status_code == 303 and r.headers["location"] == "/admin/moderation"
        assert (await report_status(report_id, moderator))["status"] in ("approved", "assigned")
        follow = await browser.http.get("/admin/moderation")
        assert "Đã duyệt phản ánh." in follow.text

    async def test_reject_needs_a_reason(self, browser, moderator, citizen, submit_report, report_status):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        token = await browser.csrf("/admin/moderation")
        missing = await browser.http.post(f"/admin/moderation/{report_id}/reject", data={"csrf_token": token})
        assert missing.status_code == 422 and 'data-code="console.invalid_form"' in missing.text
        r = await browser.http.post(f"/admin/moderation/{report_id}/reject",
                                    data={"csrf_token": token, "reason": "Không thuộc thẩm quyền."})
        assert r.status_code == 303
        assert (await report_status(report_id, moderator))["status"] == "rejected"

    async def test_hide(self, browser, moderator, citizen, submit_report, report_status):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        token = await browser.csrf("/admin/moderation")
        await browser.http.post(f"/admin/moderation/{report_id}/hide", data={"csrf_token": token, "reason": "Nội dung xúc phạm."})
        assert (await report_status(report_id, moderator))["status"] == "hidden"

    async def test_merge_with_a_nearby_duplicate(self, browser, moderator, citizen, factory, submit_report, report_status):
        first = await submit_report(citizen, point=HOAN_KIEM_LAKE)
        second = await submit_report(await factory.account(), point=(HOAN_KIEM_LAKE[0] + 0.0003, HOAN_KIEM_LAKE[1]))
        await browser.sign_in(moderator)
        detail = await browser.http.get(f"/admin/moderation/{second}")
        assert detail.status_code == 200
        assert f'<option value="{first}"' in detail.text
        token = await browser.csrf(f"/admin/moderation/{second}")
        r = await browser.http.post(f"/admin/moderation/{second}/merge",
                                    data={"csrf_token": token, "duplicate_of": first, "back": "detail"})
        assert r.status_code == 303 and r.headers["location"] == f"/admin/moderation/{second}"
        merged = await report_status(second, moderator)
        assert merged["status"] == "duplicate" and merged["duplicate_of"] == first

    async def test_far_reports_are_not_offered_as_duplicates(self, browser, moderator, citizen, factory, submit_report):
        far = await submit_report(citizen, point=HANG_BAC)
        here = await submit_report(await factory.account(), point=HOAN_KIEM_LAKE)
        await browser.sign_in(moderator)
        detail = await browser.http.get(f"/admin/moderation/{here}")
        assert f'<option value="{far}"' not in detail.text

    async def test_ban_the_reporter(self, browser, moderator, citizen, submit_report, client, factory):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        token = await browser.csrf(f"/admin/moderation/{report_id}")
        r = await browser.http.post(f"/admin/moderation/{report_id}/ban", data={"csrf_token": token, "reason": "Spam liên tục."})
        assert r.status_code == 303
        bans = await client.get("/v1/admin/feedback/bans", headers=await factory.headers(moderator, ["feedback"]))
        assert [b["account_id"] for b in bans.json()["items"]] == [str(citizen.id)]

    async def test_refusal_of_the_api_is_shown_with_its_code(self, browser, moderator, citizen, submit_report):
        report_id = await submit_report(citizen)
        await browser.sign_in(moderator)
        token = await browser.csrf("/admin/moderation")
        await browser.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": token})
        await browser.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": token})
        page = await browser.http.get("/admin/moderation")
        assert 'class="flash flash-error"' in page.text and "(feedback." in page.text


class TestAgencyView:
    async def test_officer_resolves_an_assigned_report(self, browser, moderator, gtvt_officer, citizen, submit_report,
                                                       report_status, app, ctx):
        from tests.console.conftest import ConsoleBrowser

        report_id = await submit_report(citizen)
        mod = ConsoleBrowser(app, ctx)
        try:
            await mod.sign_in(moderator)
            await mod.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": await mod.csrf()})
        finally:
            await mod.aclose()
        await browser.sign_in(gtvt_officer)
        page = await browser.http.get("/admin/agency")
        assert page.status_code == 200 and f'data-id="{report_id}"' in page.text
        token = await browser.csrf("/admin/agency")
        started = await browser.http.post(f"/admin/agency/{report_id}/transition",
                                          data={"csrf_token": token, "status": "in_progress", "note": "Đã cử đội."})
        assert started.status_code == 303
        assert (await report_status(report_id, gtvt_officer))["status"] == "in_progress"
        await browser.http.post(f"/admin/agency/{report_id}/transition",
                                data={"csrf_token": token, "status": "resolved", "note": "Đã vá xong ổ gà."})
        assert (await report_status(report_id, gtvt_officer))["status"] == "resolved"

    async def test_overdue_filter_is_passed_to_the_api(self, browser, moderator, gtvt_officer, citizen, submit_report, app, ctx):
        from tests.console.conftest import ConsoleBrowser

        report_id = await submit_report(citizen)
        mod = ConsoleBrowser(app, ctx)
        try:
            await mod.sign_in(moderator)
            await mod.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": await mod.csrf()})
        finally:
            await mod.aclose()
        await browser.sign_in(gtvt_officer)
        everything = await browser.http.get("/admin/agency")
        overdue = await browser.http.get("/admin/agency", params={"overdue": "true"})
        assert f'data-id="{report_id}"' in everything.text
        assert f'data-id="{report_id}"' not in overdue.text  # due in working hours, not yet late

    async def test_report_page_shows_history_and_moves_it_on(self, browser, moderator, gtvt_officer, citizen,
                                                             submit_report, report_status, app, ctx):
        from tests.console.conftest import ConsoleBrowser

        report_id = await submit_report(citizen)
        mod = ConsoleBrowser(app, ctx)
        try:
            await mod.sign_in(moderator)
            await mod.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": await mod.csrf()})
        finally:
            await mod.aclose()
        await browser.sign_in(gtvt_officer)
        page = await browser.http.get(f"/admin/agency/{report_id}")
        assert page.status_code == 200
        assert "Mới gửi → Đã duyệt" in page.text and '<svg class="map"' in page.text
        token = await browser.csrf(f"/admin/agency/{report_id}")
        r = await browser.http.post(f"/admin/agency/{report_id}/transition",
                                    data={"csrf_token": token, "status": "in_progress", "note": "Đang xử lý.", "back": "detail"})
        assert r.status_code == 303 and r.headers["location"] == f"/admin/agency/{report_id}"
        after = await browser.http.get(r.headers["location"])
        assert "Đã giao → Đang xử lý" in after.text and "Đang xử lý." in after.text

    async def test_resolve_with_photos_stores_them_and_shows_them(self, browser, moderator, gtvt_officer, citizen,
                                                                  submit_report, report_status, app, ctx):
        from tests.console.conftest import ConsoleBrowser, png_bytes

        report_id = await submit_report(citizen)
        mod = ConsoleBrowser(app, ctx)
        try:
            await mod.sign_in(moderator)
            await mod.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": await mod.csrf()})
        finally:
            await mod.aclose()
        await browser.sign_in(gtvt_officer)
        page = await browser.http.get(f"/admin/agency/{report_id}")
        assert 'enctype="multipart/form-data"' in page.text
        assert '<input type="file" name="photos" multiple accept="image/*">' in page.text
        token = csrf_of(page.text)
        form = {"csrf_token": token, "status": "resolved", "note": "Đã vá xong ổ gà.", "back": "detail"}
        photo = [("photos", ("after.png", png_bytes((30, 160, 60)), "image/png"))]
        refused = await browser.http.post(f"/admin/agency/{report_id}/transition", data={**form, "csrf_token": "x"},
                                          files=photo, headers=JSON)
        assert refused.status_code == 403 and refused.json()["code"] == "console.csrf_failed"
        assert (await report_status(report_id, gtvt_officer))["resolution_photos"] == []

        r = await browser.http.post(f"/admin/agency/{report_id}/transition", data=form, files=photo)
        assert r.status_code == 303 and r.headers["location"] == f"/admin/agency/{report_id}"
        detail = await report_status(report_id, citizen)
        assert detail["status"] == "resolved" and len(detail["photos"]) == 1
        [stored] = detail["resolution_photos"]
        after = await browser.http.get(r.headers["location"])
        assert "Phản ánh đã được xử lý xong." in after.text
        assert f"/admin/media?src={stored['thumbnail_url']}" in after.text  # on the page and in its history
        assert after.text.count(f"/admin/media?src={stored['thumbnail_url']}") == 2
        image = await browser.http.get("/admin/media", params={"src": stored["url"]})
        assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"

    async def test_a_refused_photo_is_shown_and_changes_nothing(self, browser, moderator, gtvt_officer, citizen,
                                                               submit_report, report_status, app, ctx):
        from tests.console.conftest import ConsoleBrowser

        report_id = await submit_report(citizen)
        mod = ConsoleBrowser(app, ctx)
        try:
            await mod.sign_in(moderator)
            await mod.http.post(f"/admin/moderation/{report_id}/approve", data={"csrf_token": await mod.csrf()})
        finally:
            await mod.aclose()
        await browser.sign_in(gtvt_officer)
        token = await browser.csrf(f"/admin/agency/{report_id}")
        r = await browser.http.post(f"/admin/agency/{report_id}/transition",
                                    data={"csrf_token": token, "status": "resolved", "note": "Xong."},
                                    files=[("photos", ("a.png", b"not an image at all", "image/png"))])
        assert r.status_code == 303
        page = await browser.http.get(r.headers["location"])
        assert 'class="flash flash-error"' in page.text and "(feedback.invalid_photo)" in page.text
        assert (await report_status(report_id, gtvt_officer))["status"] == "assigned"

    async def test_reassign_needs_an_agency_code(self, browser, gtvt_officer):
        await browser.sign_in(gtvt_officer)
        token = await browser.csrf("/admin/agency")
        r = await browser.http.post("/admin/agency/00000000-0000-0000-0000-000000000000/transition",
                                    data={"csrf_token": token, "status": "reassign", "note": "Sai thẩm quyền."}, headers=JSON)
        assert r.status_code == 422 and r.json()["code"] == "console.invalid_form"

    def test_overdue_reports_come_first_then_by_deadline(self):
        now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        rows = [
            {"id": "later", "due_at": (now + timedelta(hours=5)).isoformat()},
            {"id": "none"},
            {"id": "overdue-1h", "due_at": (now - timedelta(hours=1)).isoformat()},
            {"id": "soon", "due_at": (now + timedelta(hours=1)).isoformat()},
            {"id": "overdue-3h", "due_at": (now - timedelta(hours=3)).isoformat().replace("+00:00", "Z")},
        ]
        assert [r["id"] for r in by_deadline(rows, now)] == ["overdue-3h", "overdue-1h", "soon", "later", "none"]


class TestStats:
    async def test_page_shows_agency_rows_with_bars(self, browser, moderator, citizen, submit_report):
        await submit_report(citizen)
        await browser.sign_in(moderator)
        today = datetime.now(UTC).date()
        r = await browser.http.get("/admin/stats", params={"from": (today - timedelta(days=7)).isoformat(),
                                                           "to": today.isoformat()})
        assert r.status_code == 200
        assert 'data-agency="HN-GTVT"' in r.text and 'data-category="traffic.road_damage"' in r.text

    async def test_bad_date_is_a_form_error(self, browser, moderator):
        await browser.sign_in(moderator)
        r = await browser.http.get("/admin/stats", params={"from": "yesterday"}, headers=JSON)
        assert r.status_code == 422 and r.json()["code"] == "console.invalid_form"

    async def test_csv_export(self, browser, moderator, citizen, submit_report):
        await submit_report(citizen)
        await browser.sign_in(moderator)
        r = await browser.http.get("/admin/stats.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"].startswith('attachment; filename="feedback-stats-')
        rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
        assert rows[0] == ["agency_code", "category", "received", "resolved", "on_time_rate", "median_hours", "mean_rating"]
        assert ["HN-GTVT", "traffic.road_damage", "1", "0", "", "", ""] in rows

    def test_csv_cells_cannot_become_formulas(self):
        text = to_csv({"items": [{"agency_code": "=HYPERLINK(\"x\")", "category": "+1", "received": 1}], "agencies": []})
        row = list(csv.reader(io.StringIO(text)))[1]
        assert row[0].startswith("'=") and row[1] == "'+1"

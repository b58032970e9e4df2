"""Moderation: the queue, reject/hide/merge/route, severity override, bans, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from feedback.workflow import calendar
from superapp.db import utcnow
from tests.feedback.conftest import HANG_BAC, image_bytes
from tests.feedback.helpers import approved_report, audit_actions, inbox

pytestmark = pytest.mark.usefixtures("seeded")


class TestQueue:
    async def test_oldest_first_with_cursor_and_status_filter(self, client, submit, moderate, citizen, moderator):
        ids = [(await submit(citizen)).json()["id"] for _ in range(3)]
        await moderate(moderator, ids[1], action="reject", reason="Spam")
        page = (await client.get("/v1/admin/feedback/reports?limit=1", headers=moderator.headers)).json()
        assert [r["id"] for r in page["items"]] == [ids[0]]
        rest = (
            await client.get(
                f"/v1/admin/feedback/reports?limit=5&cursor={page['next_cursor']}", headers=moderator.headers
            )
        ).json()
        assert [r["id"] for r in rest["items"]] == [ids[2]]
        rejected = (await client.get("/v1/admin/feedback/reports?status=rejected", headers=moderator.headers)).json()
        assert [(r["id"], r["reporter_id"]) for r in rejected["items"]] == [(ids[1], str(citizen.id))]
        bad = await client.get("/v1/admin/feedback/reports?status=lost", headers=moderator.headers)
        assert bad.status_code == 422 and bad.json()["code"] == "feedback.invalid_field"

    async def test_only_moderators_and_admins(self, client, submit, citizen, transport_officer, person):
        rid = (await submit(citizen)).json()["id"]
        for who in (citizen, transport_officer):
            r = await client.post(
                f"/v1/admin/feedback/reports/{rid}/moderate", json={"action": "approve"}, headers=who.headers
            )
            assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"
        admin = await person(roles=["admin"])
        r = await client.post(
            f"/v1/admin/feedback/reports/{rid}/moderate", json={"action": "approve"}, headers=admin.headers
        )
        assert r.status_code == 200


class TestActions:
    async def test_reject_and_hide_take_reports_out_of_public_view(
        self, client, ctx, submit, moderate, citizen, moderator
    ):
        rejected = (await submit(citizen)).json()["id"]
        r = await moderate(moderator, rejected, action="reject", reason="Nội dung không phù hợp.")
        assert (r.json()["status"], r.json()["status_note"]) == ("rejected", "Nội dung không phù hợp.")
        hidden = await approved_report(submit, moderate, citizen, moderator, photos=[image_bytes()])
        public = (await client.get("/v1/feedback/public")).json()["items"]
        assert [p["id"] for p in public] == [hidden]
        photo_url = public[0]["photos"][0]["url"]
        assert (await client.get(photo_url)).status_code == 200
        assert (await moderate(moderator, hidden, action="hide", reason="Lộ thông tin cá nhân.")).json()[
            "status"
        ] == "hidden"
        assert (await client.get("/v1/feedback/public")).json()["items"] == []
        assert (await client.get(photo_url)).status_code == 404
        assert await audit_actions(ctx, rejected) == ["feedback.reject"]
        assert await audit_actions(ctx, hidden) == ["feedback.approve", "feedback.hide"]

    async def test_merge_moves_reporter_and_followers_to_the_original(
        self, client, ctx, submit, moderate, act, citizen, person, moderator, transport_officer
    ):
        original = await approved_report(submit, moderate, citizen, moderator)
        second_reporter, follower = await person(), await person()
        duplicate = await approved_report(submit, moderate, second_reporter, moderator)
        await client.post(f"/v1/feedback/reports/{duplicate}/follow", headers=follower.headers)

        r = await moderate(moderator, duplicate, action="merge", duplicate_of=original, reason="Trùng.")
        assert r.status_code == 200 and (r.json()["status"], r.json()["duplicate_of"]) == ("duplicate", original)

        await act(transport_officer, original, "resolved", note="Đã xử lý.")
        for who in (second_reporter, follower):
            notes = await inbox(client, who)
            assert any(n["data"] == {**n["data"], "report_id": original, "status": "resolved"} for n in notes)
        assert "feedback.merge" in await audit_actions(ctx, duplicate)
        # The merged reporter follows the original, but may not rate it: only its reporter can.
        r = await client.post(
            f"/v1/feedback/reports/{original}/rating", json={"score": 4}, headers=second_reporter.headers
        )
        assert r.status_code == 403

    async def test_merge_refusals(self, submit, moderate, citizen, moderator):
        a = (await submit(citizen)).json()["id"]
        b = (await submit(citizen)).json()["id"]
        r = await moderate(moderator, a, action="merge", duplicate_of=a)
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_merge"
        r = await moderate(moderator, a, action="merge")
        assert r.status_code == 422 and r.json()["reason"] == "unknown_original"
        await moderate(moderator, b, action="reject", reason="Spam")
        r = await moderate(moderator, a, action="merge", duplicate_of=b)
        assert r.status_code == 422 and r.json()["reason"] == "original_not_open"

    async def test_route_and_severity_override(self, client, ctx, submit, moderate, citizen, moderator):
        rid = (await submit(citizen, category="urban_order.sidewalk", point=HANG_BAC)).json()["id"]
        r = await moderate(moderator, rid, action="approve", severity="urgent", agency_code="HN-DTHT")
        body = r.json()
        assert (body["severity"], body["agency_code"], body["status"]) == ("urgent", "HN-DTHT", "assigned")
        created = datetime.fromisoformat(body["created_at"])
        assert datetime.fromisoformat(body["due_at"]) == calendar(ctx).add_working_hours(created, 4)
        r = await moderate(moderator, rid, action="route", agency_code="HN-HK-UBND", reason="Thẩm quyền quận.")
        assert (r.json()["agency_code"], r.json()["status"]) == ("HN-HK-UBND", "assigned")
        r = await moderate(moderator, rid, action="route", agency_code="HN-NOPE")
        assert r.status_code == 422 and r.json()["code"] == "feedback.unknown_agency"


class TestBans:
    async def test_banned_account_cannot_report_until_lifted(self, client, ctx, submit, citizen, moderator):
        r = await client.post(
            "/v1/admin/feedback/bans",
            json={"account_id": str(citizen.id), "reason": "Spam lặp lại"},
            headers=moderator.headers,
        )
        assert r.status_code == 201 and r.json()["banned_by"] == str(moderator.id)
        r = await submit(citizen)
        assert r.status_code == 403 and r.json()["code"] == "feedback.banned"
        listed = (await client.get("/v1/admin/feedback/bans", headers=moderator.headers)).json()["items"]
        assert [b["account_id"] for b in listed] == [str(citizen.id)]
        assert (
            await client.delete(f"/v1/admin/feedback/bans/{citizen.id}", headers=moderator.headers)
        ).status_code == 204
        assert (await submit(citizen)).status_code == 201
        assert await audit_actions(ctx, citizen.id) == ["feedback.ban", "feedback.unban"]

    async def test_expired_ban_and_bad_requests(self, client, submit, citizen, moderator):
        past = (utcnow() - timedelta(days=1)).isoformat()
        r = await client.post(
            "/v1/admin/feedback/bans",
            json={"account_id": str(citizen.id), "reason": "Cũ", "until": past},
            headers=moderator.headers,
        )
        assert r.status_code == 201
        assert (await submit(citizen)).status_code == 201
        r = await client.post(
            "/v1/admin/feedback/bans",
            json={"account_id": "0190a0a0-0000-7000-8000-000000000000", "reason": "x"},
            headers=moderator.headers,
        )
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"
        r = await client.delete("/v1/admin/feedback/bans/nobody", headers=moderator.headers)
        assert r.status_code == 404 and r.json()["code"] == "feedback.ban_not_found"
        r = await client.post(
            "/v1/admin/feedback/bans", json={"account_id": str(citizen.id), "reason": "x"}, headers=citizen.headers
        )
        assert r.status_code == 403

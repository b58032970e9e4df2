"""A report's whole life through every role, the illegal transitions, deadlines and access."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from feedback.tasks import close_resolved_reports
from feedback.workflow import calendar
from superapp.db import utcnow
from tests.feedback.helpers import age_resolution, approved_report, audit_actions, inbox, set_report

pytestmark = pytest.mark.usefixtures("seeded")


class TestWholeLife:
    async def test_submit_moderate_handle_rate_close(
        self, client, ctx, submit, moderate, act, citizen, person, moderator, transport_officer
    ):
        follower = await person()
        rid = (await submit(citizen)).json()["id"]

        queue = await client.get("/v1/admin/feedback/reports?status=submitted", headers=moderator.headers)
        assert [r["id"] for r in queue.json()["items"]] == [rid]
        approved = await moderate(moderator, rid, action="approve", reason="Đúng thẩm quyền.")
        assert approved.json()["status"] == "assigned" and approved.json()["agency_code"] == "HN-GTVT"

        assert (await client.post(f"/v1/feedback/reports/{rid}/follow", headers=follower.headers)).json() == {
            "report_id": rid,
            "following": True,
        }

        mine = await client.get("/v1/agency/feedback/reports", headers=transport_officer.headers)
        assert [r["id"] for r in mine.json()["items"]] == [rid]
        assert (await act(transport_officer, rid, "in_progress")).json()["status"] == "in_progress"
        resolved = await act(transport_officer, rid, "resolved", note="Đã vá ổ gà.")
        assert resolved.json()["status"] == "resolved" and resolved.json()["status_note"] == "Đã vá ổ gà."

        rating = await client.post(
            f"/v1/feedback/reports/{rid}/rating", json={"score": 5, "comment": "Nhanh."}, headers=citizen.headers
        )
        assert rating.status_code == 201 and rating.json()["score"] == 5

        await age_resolution(ctx, rid, days=8)
        assert await close_resolved_reports(ctx) == 1
        detail = (await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)).json()
        assert detail["status"] == "closed" and detail["rating"]["score"] == 5

        timeline = (await client.get(f"/v1/feedback/reports/{rid}/timeline", headers=citizen.headers)).json()["items"]
        assert [(e["action"], e["from_status"], e["to_status"], e["actor_role"]) for e in timeline] == [
            ("submit", None, "submitted", "citizen"),
            ("approve", "submitted", "approved", "moderator"),
            ("assign", "approved", "assigned", "moderator"),
            ("in_progress", "assigned", "in_progress", "agency_officer"),
            ("resolved", "in_progress", "resolved", "agency_officer"),
            ("auto_close", "resolved", "closed", "system"),
        ]
        assert all(e["actor_id"] is None for e in timeline)  # staff identities are not shown to citizens
        assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in timeline)

        reporter_notes = await inbox(client, citizen)
        statuses = sorted(n["data"]["status"] for n in reporter_notes)
        assert statuses == sorted(["approved", "assigned", "in_progress", "resolved", "closed"])
        assert all(n["category"] == "feedback.status" and n["data"]["report_id"] == rid for n in reporter_notes)
        follower_statuses = sorted(n["data"]["status"] for n in await inbox(client, follower))
        assert follower_statuses == sorted(["in_progress", "resolved", "closed"])
        assert await audit_actions(ctx, rid) == ["feedback.approve", "feedback.in_progress", "feedback.resolved"]

    async def test_notification_text_in_both_languages(self, client, submit, moderate, citizen, moderator):
        rid = (await submit(citizen)).json()["id"]
        await moderate(moderator, rid, action="reject", reason="Không đủ thông tin.")
        vi = await client.get("/v1/notifications", headers=citizen.headers)
        en = await client.get("/v1/notifications", headers={**citizen.headers, "Accept-Language": "en"})
        assert "Bị từ chối" in vi.json()["items"][0]["title"]
        assert "Rejected" in en.json()["items"][0]["title"]
        assert "Không đủ thông tin." in vi.json()["items"][0]["body"]


class TestAutoClose:
    async def test_only_reports_resolved_over_seven_days_ago_close(
        self, client, ctx, submit, moderate, act, citizen, moderator, transport_officer
    ):
        old, recent = [await approved_report(submit, moderate, citizen, moderator) for _ in range(2)]
        for rid in (old, recent):
            await act(transport_officer, rid, "resolved")
        await age_resolution(ctx, old, days=8)
        await age_resolution(ctx, recent, days=6)
        assert await close_resolved_reports(ctx) == 1
        statuses = {
            rid: (await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)).json()["status"]
            for rid in (old, recent)
        }
        assert statuses == {old: "closed", recent: "resolved"}
        assert await close_resolved_reports(ctx) == 0


class TestIllegalTransitions:
    async def test_workflow_refuses_out_of_order_changes(
        self, client, submit, moderate, act, citizen, moderator, transport_officer
    ):
        rid = (await submit(citizen)).json()["id"]
        r = await act(transport_officer, rid, "resolved")
        assert r.status_code == 409 and r.json()["code"] == "feedback.illegal_transition"
        assert r.json()["from_status"] == "submitted"
        r = await client.post(f"/v1/feedback/reports/{rid}/rating", json={"score": 4}, headers=citizen.headers)
        assert r.status_code == 409 and r.json()["code"] == "feedback.not_resolved"

        await moderate(moderator, rid, action="approve")
        r = await moderate(moderator, rid, action="approve")
        assert r.status_code == 409 and r.json()["code"] == "feedback.illegal_transition"
        r = await moderate(moderator, rid, action="reject", reason="late")
        assert r.status_code == 409

        assert (await act(transport_officer, rid, "in_progress")).status_code == 200
        r = await act(transport_officer, rid, "in_progress")
        assert r.status_code == 409 and r.json()["code"] == "feedback.illegal_transition"
        assert (await act(transport_officer, rid, "resolved")).status_code == 200
        for status in ("in_progress", "resolved"):
            assert (await act(transport_officer, rid, status)).status_code == 409
        r = await act(transport_officer, rid, "reassign", agency_code="HN-XD")
        assert r.status_code == 409

    async def test_bad_bodies(self, client, submit, moderate, act, citizen, moderator, transport_officer):
        rid = (await submit(citizen)).json()["id"]
        r = await moderate(moderator, rid, action="reject")
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"
        r = await moderate(moderator, rid, action="explode")
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        await moderate(moderator, rid, action="approve")
        r = await act(transport_officer, rid, "resolved", note="")
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        r = await act(transport_officer, rid, "reassign")
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"
        r = await act(transport_officer, rid, "reassign", agency_code="HN-NOPE")
        assert r.status_code == 422 and r.json()["code"] == "feedback.unknown_agency"
        r = await moderate(moderator, "not-a-uuid", action="approve")
        assert r.status_code == 404 and r.json()["code"] == "feedback.report_not_found"

    async def test_rating_rules(self, client, submit, moderate, act, citizen, person, moderator, transport_officer):
        rid = await approved_report(submit, moderate, citizen, moderator)
        await act(transport_officer, rid, "resolved")
        other = await person()
        r = await client.post(f"/v1/feedback/reports/{rid}/rating", json={"score": 3}, headers=other.headers)
        assert r.status_code == 403 and r.json()["code"] == "feedback.not_reporter"
        for bad in (0, 6, "five"):
            r = await client.post(f"/v1/feedback/reports/{rid}/rating", json={"score": bad}, headers=citizen.headers)
            assert r.status_code == 422
        assert (
            await client.post(f"/v1/feedback/reports/{rid}/rating", json={"score": 2}, headers=citizen.headers)
        ).status_code == 201
        r = await client.post(f"/v1/feedback/reports/{rid}/rating", json={"score": 5}, headers=citizen.headers)
        assert r.status_code == 409 and r.json()["code"] == "feedback.already_rated"


class TestAgencyBoundaries:
    async def test_officers_see_and_touch_only_their_agency(
        self, client, submit, moderate, act, citizen, person, moderator, transport_officer, environment_officer
    ):
        rid = await approved_report(submit, moderate, citizen, moderator)
        listed = await client.get("/v1/agency/feedback/reports", headers=environment_officer.headers)
        assert listed.json()["items"] == []
        r = await act(environment_officer, rid, "in_progress")
        assert r.status_code == 404 and r.json()["code"] == "feedback.report_not_found"
        r = await client.get(f"/v1/feedback/reports/{rid}", headers=environment_officer.headers)
        assert r.status_code == 404

        no_agency = await person(roles=["agency_officer"])
        r = await client.get("/v1/agency/feedback/reports", headers=no_agency.headers)
        assert r.status_code == 403 and r.json()["code"] == "feedback.no_agency"
        r = await client.get("/v1/agency/feedback/reports", headers=citizen.headers)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"

    async def test_reassignment_hands_the_report_over(
        self, client, ctx, submit, moderate, act, citizen, moderator, transport_officer, environment_officer
    ):
        rid = await approved_report(submit, moderate, citizen, moderator, category="environment.waste")
        r = await act(environment_officer, rid, "reassign", note="Thuộc thẩm quyền Sở GTVT.", agency_code="HN-GTVT")
        assert r.status_code == 200 and (r.json()["status"], r.json()["agency_code"]) == ("assigned", "HN-GTVT")
        assert (await act(environment_officer, rid, "in_progress")).status_code == 404
        assert (await act(transport_officer, rid, "in_progress")).status_code == 200
        r = await act(transport_officer, rid, "reassign", agency_code="HN-GTVT")
        assert r.status_code == 422
        timeline = (await client.get(f"/v1/feedback/reports/{rid}/timeline", headers=moderator.headers)).json()["items"]
        reassign = next(e for e in timeline if e["action"] == "reassign")
        assert reassign["agency_code"] == "HN-GTVT" and reassign["actor_id"] == str(environment_officer.id)
        assert "feedback.reassign" in await audit_actions(ctx, rid)

    async def test_queue_is_ordered_by_deadline_with_overdue_first(
        self, client, ctx, submit, moderate, citizen, moderator, transport_officer
    ):
        normal = await approved_report(submit, moderate, citizen, moderator)
        urgent = await approved_report(submit, moderate, citizen, moderator, category="traffic.signal")
        late = await approved_report(submit, moderate, citizen, moderator)
        await set_report(ctx, late, due_at=utcnow() - timedelta(hours=1))
        items = (await client.get("/v1/agency/feedback/reports", headers=transport_officer.headers)).json()["items"]
        assert [i["id"] for i in items] == [late, urgent, normal]
        assert [i["overdue"] for i in items] == [True, False, False]
        page = await client.get("/v1/agency/feedback/reports?limit=2", headers=transport_officer.headers)
        nxt = await client.get(
            f"/v1/agency/feedback/reports?limit=2&cursor={page.json()['next_cursor']}",
            headers=transport_officer.headers,
        )
        assert [i["id"] for i in nxt.json()["items"]] == [normal]
        overdue = await client.get("/v1/agency/feedback/reports?overdue=true", headers=transport_officer.headers)
        assert [i["id"] for i in overdue.json()["items"]] == [late]


class TestDeadlines:
    async def test_deadlines_follow_severity_in_working_hours(self, client, ctx, submit, citizen):
        cal = calendar(ctx)
        for category, ack_hours, due_hours in [
            ("traffic.road_damage", 8, 40),
            ("traffic.signal", 4, 4),
            ("construction.violation", 8, 80),
        ]:
            rid = (await submit(citizen, category=category)).json()["id"]
            d = (await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)).json()
            created = datetime.fromisoformat(d["created_at"])
            assert datetime.fromisoformat(d["ack_due_at"]) == cal.add_working_hours(created, ack_hours)
            assert datetime.fromisoformat(d["due_at"]) == cal.add_working_hours(created, due_hours)
            assert d["overdue"] is False

    async def test_unacknowledged_report_is_flagged(self, client, ctx, submit, citizen):
        rid = (await submit(citizen)).json()["id"]
        await set_report(ctx, rid, ack_due_at=utcnow() - timedelta(minutes=1))
        d = (await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)).json()
        assert d["ack_overdue"] is True


class TestReading:
    async def test_reporter_and_staff_read_others_do_not(self, client, submit, citizen, person, moderator):
        rid = (await submit(citizen)).json()["id"]
        mine = await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)
        assert mine.status_code == 200 and mine.json()["reporter_id"] is None
        staff = await client.get(f"/v1/feedback/reports/{rid}", headers=moderator.headers)
        assert staff.json()["reporter_id"] == str(citizen.id)
        other = await person()
        for path in (f"/v1/feedback/reports/{rid}", f"/v1/feedback/reports/{rid}/timeline"):
            r = await client.get(path, headers=other.headers)
            assert r.status_code == 404 and r.json()["code"] == "feedback.report_not_found"
        assert (await client.post(f"/v1/feedback/reports/{rid}/follow", headers=other.headers)).status_code == 404

    async def test_mine_lists_newest_first_with_a_cursor(self, client, submit, citizen, person):
        ids = [(await submit(citizen)).json()["id"] for _ in range(3)]
        await submit(await person())
        first = (await client.get("/v1/feedback/reports/mine?limit=2", headers=citizen.headers)).json()
        assert [r["id"] for r in first["items"]] == ids[::-1][:2]
        rest = (
            await client.get(
                f"/v1/feedback/reports/mine?limit=2&cursor={first['next_cursor']}", headers=citizen.headers
            )
        ).json()
        assert [r["id"] for r in rest["items"]] == ids[:1] and rest["next_cursor"] is None
        from superapp.pagination import encode_cursor

        for cursor in ("!!!", encode_cursor(["not-an-id"]), encode_cursor([1, 2])):
            bad = await client.get(f"/v1/feedback/reports/mine?cursor={cursor}", headers=citizen.headers)
            assert bad.status_code == 400 and bad.json()["code"] == "pagination.invalid_cursor"

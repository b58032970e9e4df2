"""Statistics per agency and category: received, resolved, on-time rate, median hours, rating."""

from __future__ import annotations

from datetime import timedelta

import pytest

from superapp.db import utcnow
from tests.feedback.helpers import approved_report, set_report

pytestmark = pytest.mark.usefixtures("seeded")


class TestStats:
    async def test_figures_per_agency_and_category(
        self, client, ctx, submit, moderate, act, citizen, moderator, transport_officer
    ):
        on_time = await approved_report(submit, moderate, citizen, moderator)
        late = await approved_report(submit, moderate, citizen, moderator)
        await approved_report(submit, moderate, citizen, moderator)  # still open
        await approved_report(submit, moderate, citizen, moderator, category="traffic.signal")
        rejected = (await submit(citizen, category="environment.waste")).json()["id"]
        await moderate(moderator, rejected, action="reject", reason="Spam")

        now = utcnow()
        await act(transport_officer, on_time, "resolved")
        await act(transport_officer, late, "resolved")
        await set_report(
            ctx,
            on_time,
            created_at=now - timedelta(hours=10),
            resolved_at=now - timedelta(hours=8),
            due_at=now,
            rating_score=4,
        )
        await set_report(
            ctx,
            late,
            created_at=now - timedelta(hours=10),
            resolved_at=now,
            due_at=now - timedelta(hours=1),
            rating_score=1,
        )

        r = await client.get("/v1/admin/feedback/stats", headers=moderator.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert {"from", "to", "items", "agencies"} <= set(body)
        rows = {(i["agency_code"], i["category"]): i for i in body["items"]}
        assert set(rows) == {("HN-GTVT", "traffic.road_damage"), ("HN-GTVT", "traffic.signal")}
        road = rows[("HN-GTVT", "traffic.road_damage")]
        assert (road["received"], road["resolved"], road["on_time_rate"]) == (3, 2, 0.5)
        assert road["median_hours"] == pytest.approx(6.0)  # median of 2 h and 10 h
        assert road["mean_rating"] == 2.5
        signal = rows[("HN-GTVT", "traffic.signal")]
        assert (
            signal["received"],
            signal["resolved"],
            signal["on_time_rate"],
            signal["median_hours"],
            signal["mean_rating"],
        ) == (1, 0, None, None, None)
        assert [(a["agency_code"], a["received"], a["resolved"]) for a in body["agencies"]] == [("HN-GTVT", 4, 2)]

    async def test_date_range(self, client, submit, citizen, moderator):
        await submit(citizen)
        today = utcnow().date()
        inside = await client.get(
            f"/v1/admin/feedback/stats?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}",
            headers=moderator.headers,
        )
        assert sum(i["received"] for i in inside.json()["items"]) == 1
        before = await client.get("/v1/admin/feedback/stats?from=2020-01-01&to=2020-12-31", headers=moderator.headers)
        assert before.json()["items"] == []
        for query in ("from=2026-02-30", "from=2026-05-01&to=2026-04-01", "to=yesterday"):
            r = await client.get(f"/v1/admin/feedback/stats?{query}", headers=moderator.headers)
            assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_date_range", query
        assert (await client.get("/v1/admin/feedback/stats", headers=citizen.headers)).status_code == 403

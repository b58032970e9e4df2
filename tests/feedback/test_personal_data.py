"""The module's export and erase hooks, and what it declares to the host."""

from __future__ import annotations

import pytest
from sqlmodel import select

from feedback.models import Follow, Report, TimelineEntry
from feedback.module import module
from superapp.db import unit_of_work
from tests.feedback.helpers import approved_report

pytestmark = pytest.mark.usefixtures("seeded")


class TestExportAndErase:
    async def test_export_then_erase_keeps_reports_anonymised(
        self, client, ctx, submit, moderate, citizen, person, moderator
    ):
        rid = await approved_report(submit, moderate, citizen, moderator)
        other = await approved_report(submit, moderate, await person(), moderator)
        await client.post(f"/v1/feedback/reports/{other}/follow", headers=citizen.headers)
        await client.post(
            "/v1/admin/feedback/bans", json={"account_id": str(citizen.id), "reason": "x"}, headers=moderator.headers
        )

        async with unit_of_work(ctx.sessionmaker) as s:
            exported = await module.export(ctx, s, citizen.id)
        assert [r["id"] for r in exported["reports"]] == [rid]
        assert exported["reports"][0]["description"] and exported["following"] == [other]
        assert exported["ban"]["reason"] == "x"

        async with unit_of_work(ctx.sessionmaker) as s:
            await module.erase(ctx, s, citizen.id)
        async with ctx.sessionmaker() as s:
            report = (await s.exec(select(Report).where(Report.tracking_code != ""))).all()
            assert {r.reporter_id for r in report if str(r.id) == rid} == {None}
            assert (await s.exec(select(Follow).where(Follow.account_id == citizen.id))).all() == []
            assert (await s.exec(select(TimelineEntry).where(TimelineEntry.actor_id == citizen.id))).all() == []
        async with unit_of_work(ctx.sessionmaker) as s:
            assert (await module.export(ctx, s, citizen.id)) == {"reports": [], "following": [], "ban": None}
        public = (await client.get("/v1/feedback/public")).json()["items"]
        assert {p["id"] for p in public} == {rid, other}


class TestDeclaration:
    def test_module_declares_tables_category_and_open311_router(self):
        assert module.models == ["feedback.models"]
        assert [c.code for c in module.notification_categories] == ["feedback.status"]
        assert any(r.prefix == "/open311/v2" for r in module.routers)
        assert module.seed is not None and module.export is not None and module.erase is not None

    async def test_seed_is_idempotent_and_tells_demo_stories(self, client, ctx):
        from feedback.seed import seed

        async with unit_of_work(ctx.sessionmaker) as s:
            first = await seed(ctx, s)
        async with unit_of_work(ctx.sessionmaker) as s:
            second = await seed(ctx, s)
        assert first[:2] == ["feedback: 18 areas, 6 agencies, 9 categories", "feedback: 6 demo reports"]
        assert second[0] == first[0] and "feedback: 6 demo reports" not in second
        async with ctx.sessionmaker() as s:
            statuses = sorted(r.status for r in (await s.exec(select(Report))).all())
        assert statuses == ["assigned", "in_progress", "rejected", "resolved", "submitted", "submitted"]
        public = (await client.get("/v1/feedback/public")).json()["items"]
        assert len(public) == 3

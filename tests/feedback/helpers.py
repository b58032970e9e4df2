"""Small helpers shared by the feedback API tests."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import func, select

from feedback.models import Report
from superapp.db import utcnow
from superapp.models import AuditEntry


async def approved_report(submit, moderate, citizen, moderator, **kw) -> str:
    """Submit a report and have it approved (so assigned to its agency); returns its id."""
    r = await submit(citizen, **kw)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    m = await moderate(moderator, rid, action="approve")
    assert m.status_code == 200, m.text
    return rid


async def inbox(client, who) -> list[dict]:
    r = await client.get("/v1/notifications?limit=100", headers=who.headers)
    assert r.status_code == 200, r.text
    return [n for n in r.json()["items"] if n["source"] == "feedback"]


async def audit_actions(ctx, target_id: str) -> list[str]:
    async with ctx.sessionmaker() as s:
        rows = await s.exec(select(AuditEntry).where(AuditEntry.target_id == str(target_id)).order_by(AuditEntry.id))
        return [e.action for e in rows.all()]


async def set_report(ctx, report_id: str, **values) -> None:
    async with ctx.sessionmaker() as s:
        await s.exec(update(Report).where(Report.id == uuid.UUID(report_id)).values(**values))
        await s.commit()


async def age_resolution(ctx, report_id: str, days: int) -> None:
    await set_report(ctx, report_id, resolved_at=utcnow() - timedelta(days=days))


async def count_reports(ctx) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(Report))).one()

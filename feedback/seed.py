"""``superapp seed demo`` for feedback (idempotent): areas, agencies, categories, jurisdictions,
demo officers of the local committees and a few demo reports."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import geo, reference, seed_data
from feedback.models import Agency, Area, Category, Jurisdiction, Report

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)

DEMO_OFFICERS = [
    ("+84900000601", "HN-HK-UBND", "Cán bộ UBND quận Hoàn Kiếm"),
    ("+84900000602", "HN-TT-CAP", "Cán bộ UBND phường Tràng Tiền"),
]
DEMO_PASSWORD = "Demo-Feedback-2026"


async def _upsert(session: AsyncSession, model, key, values: dict) -> None:
    row = await session.get(model, key)
    if row is None:
        session.add(model(**values))
    else:
        for name, value in values.items():
            setattr(row, name, value)


async def seed_reference_data(session: AsyncSession) -> dict[str, int]:
    """Insert or update every area, agency, category and jurisdiction; flush only."""
    for area in seed_data.areas():
        await _upsert(session, Area, area["code"], area)
    for code, name in seed_data.AGENCIES:
        await _upsert(session, Agency, code, {"code": code, "name": name, "active": True})
    await session.flush()
    for position, (code, group, agency, severity, name, description) in enumerate(seed_data.CATEGORIES):
        await _upsert(
            session,
            Category,
            code,
            {
                "code": code,
                "group": group,
                "agency_code": agency,
                "severity_default": severity,
                "name": name,
                "description": description,
                "active": True,
                "position": position,
            },
        )
    await session.flush()
    for agency, category, area in seed_data.JURISDICTIONS:
        existing = (
            await session.exec(
                select(Jurisdiction).where(Jurisdiction.category_code == category, Jurisdiction.area_code == area)
            )
        ).first()
        if existing is None:
            session.add(Jurisdiction(agency_code=agency, category_code=category, area_code=area))
        else:
            existing.agency_code = agency
    await session.flush()
    return {
        "areas": len(seed_data.areas()),
        "agencies": len(seed_data.AGENCIES),
        "categories": len(seed_data.CATEGORIES),
    }


async def _seed_officers(ctx: AppContext, session: AsyncSession) -> list[str]:
    """Demo officers for the two local committees (the department officers come with the
    accounts seed)."""
    from auth.accounts.service import create_account
    from auth.models import Account

    lines = []
    for phone, agency, name in DEMO_OFFICERS:
        found = (await session.exec(select(Account).where(Account.phone == phone))).first()
        if found is None:
            await create_account(
                session,
                ctx.settings,
                phone=phone,
                password=DEMO_PASSWORD,
                full_name=name,
                roles=["agency_officer"],
                agency_code=agency,
            )
        lines.append(f"feedback officer ({agency}): {phone} / {DEMO_PASSWORD}")
    return lines


STORY = {
    "submitted": [],
    "assigned": [("approve", None)],
    "in_progress": [("approve", None), ("in_progress", "Đã cử đội kiểm tra hiện trường.")],
    "resolved": [("approve", None), ("in_progress", "Đã cử đội kiểm tra hiện trường."), ("resolved", "Đã khắc phục.")],
    "rejected": [("reject", "Công trình đã được cấp phép.")],
}


async def seed_demo_reports(ctx: AppContext, session: AsyncSession) -> int:
    """A few reports in different states, once (only into an empty table)."""
    from feedback import moderation, reports
    from feedback.workflow import Actor, transition

    if (await session.exec(select(func.count()).select_from(Report))).one():
        return 0
    staff = Actor(role="system", label="demo seed")
    for category, (lat, lon), address, description, state in seed_data.DEMO_REPORTS:
        data = reports.ReportInput(
            category=category, description=description, latitude=lat, longitude=lon, address=address
        )
        report = await reports.submit(ctx, session, data, actor=Actor(role="citizen"), reporter_id=None, client_id=None)
        for action, note in STORY[state]:
            if action in ("approve", "reject"):
                await moderation.moderate(ctx, session, str(report.id), staff, action=action, reason=note)
            else:
                await transition(ctx, session, report, actor=staff, action=action, to_status=action, note=note)
    return len(seed_data.DEMO_REPORTS)


async def seed(ctx: AppContext, session: AsyncSession) -> list[str]:
    counts = await seed_reference_data(session)
    geo.invalidate(ctx)
    reference.invalidate(ctx)
    lines = [f"feedback: {counts['areas']} areas, {counts['agencies']} agencies, {counts['categories']} categories"]
    demo = await seed_demo_reports(ctx, session)
    if demo:
        lines.append(f"feedback: {demo} demo reports")
    lines.extend(await _seed_officers(ctx, session))
    return lines

"""Personal-data hooks: what the feedback module holds about a citizen, and erasure.

Erasure keeps the reports (they are the city's record) but anonymises them: the reporter link
and the citizen's own timeline actor links are removed, follows and bans are deleted.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import repository as repo
from feedback.models import Ban, Follow, Report, TimelineEntry

if TYPE_CHECKING:
    from superapp.context import AppContext


def _iso(value) -> str | None:
    value = repo.aware(value)
    return value.isoformat() if value else None


async def export(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    reports = await repo.all_reports_of(session, account_id)
    photos = await repo.photos_for(session, [r.id for r in reports])
    follows = await repo.follows_of(session, account_id)
    ban = await repo.ban(session, account_id)
    return {
        "reports": [
            {
                "id": str(r.id),
                "tracking_code": r.tracking_code,
                "category": r.category_code,
                "description": r.description,
                "latitude": r.latitude,
                "longitude": r.longitude,
                "address": r.address,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "resolved_at": _iso(r.resolved_at),
                "rating": r.rating_score,
                "rating_comment": r.rating_comment,
                "photos": [f"/v1/feedback/photos/{p.id}" for p in photos[r.id]],
            }
            for r in reports
        ],
        "following": [str(f.report_id) for f in follows],
        "ban": {"reason": ban.reason, "until": _iso(ban.until)} if ban else None,
    }


async def erase(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    await session.exec(update(Report).where(Report.reporter_id == account_id).values(reporter_id=None))
    await session.exec(
        update(TimelineEntry)
        .where(TimelineEntry.actor_id == account_id, TimelineEntry.actor_role == "citizen")
        .values(actor_id=None)
    )
    await session.exec(delete(Follow).where(Follow.account_id == account_id))
    await session.exec(delete(Ban).where(Ban.account_id == account_id))
    await session.flush()

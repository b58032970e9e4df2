"""What citizens do with a report besides submitting it: follow it, rate its resolution."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import repository as repo
from feedback.errors import AlreadyRated, NotReporter, NotResolved, ReportNotFound
from feedback.models import Report
from superapp.db import utcnow

RATEABLE = frozenset({"resolved", "closed"})


async def follow(session: AsyncSession, report_id: str, account_id: uuid.UUID) -> Report:
    """Follow a published report (or one's own); following twice changes nothing."""
    report = await repo.report(session, report_id)
    if report is None or not (report.is_public or report.reporter_id == account_id):
        raise ReportNotFound()
    if report.reporter_id != account_id:
        await repo.follow(session, report.id, account_id)
    return report


async def unfollow(session: AsyncSession, report_id: str, account_id: uuid.UUID) -> None:
    report = await repo.report(session, report_id)
    if report is None:
        raise ReportNotFound()
    await repo.unfollow(session, report.id, account_id)


async def rate(
    session: AsyncSession, report_id: str, account_id: uuid.UUID, *, score: int, comment: str | None
) -> Report:
    """The reporter's 1–5 rating, once, after resolution."""
    report = await repo.report(session, report_id, for_update=True)
    if report is None or not (report.is_public or report.reporter_id == account_id):
        raise ReportNotFound()
    if report.reporter_id != account_id:
        raise NotReporter()
    if report.status not in RATEABLE:
        raise NotResolved(current_status=report.status)
    if report.rating_score is not None:
        raise AlreadyRated()
    report.rating_score = score
    report.rating_comment = (comment or "").strip() or None
    report.rated_at = utcnow()
    report.updated_at = report.rated_at
    await session.flush()
    return report

"""Statistics per agency and category over a date range (by submission time).

- ``received``: reports submitted in the range, less those rejected or merged as duplicates
  (they never reached an agency).
- ``resolved``: of those, the ones resolved (or since closed).
- ``on_time_rate``: resolved by the deadline ÷ resolved (``null`` when nothing was resolved).
- ``median_hours``: median wall-clock hours from submission to resolution.
- ``mean_rating``: mean of the citizens' 1–5 ratings.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback.config import feedback_settings
from feedback.errors import InvalidDateRange
from feedback.models import Report
from feedback.repository import aware
from superapp.db import utcnow

if TYPE_CHECKING:
    from superapp.context import AppContext

NOT_RECEIVED = ("rejected", "duplicate")
DEFAULT_DAYS = 30
MAX_DAYS = 731


class StatsRow(BaseModel):
    agency_code: str | None
    category: str | None = None
    received: int
    resolved: int
    on_time_rate: float | None
    median_hours: float | None
    mean_rating: float | None


class StatsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime
    items: list[StatsRow]
    agencies: list[StatsRow]


def _parse_bound(raw: str, tz: ZoneInfo, *, end: bool) -> datetime:
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            start = datetime.combine(day + timedelta(days=1) if end else day, time(0), tz)
            return start
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidDateRange() from exc
    return value if value.tzinfo else value.replace(tzinfo=tz)


def parse_range(ctx: AppContext, raw_from: str | None, raw_to: str | None) -> tuple[datetime, datetime]:
    """``from``/``to`` as dates (whole local days, ``to`` included) or RFC 3339 instants."""
    tz = ZoneInfo(feedback_settings(ctx).timezone)
    end = _parse_bound(raw_to, tz, end=True) if raw_to else utcnow()
    start = _parse_bound(raw_from, tz, end=False) if raw_from else end - timedelta(days=DEFAULT_DAYS)
    if start >= end or end - start > timedelta(days=MAX_DAYS):
        raise InvalidDateRange()
    return start.astimezone(UTC), end.astimezone(UTC)


def _row(
    agency: str | None,
    category: str | None,
    counts: tuple[int, int, int],
    ratings: tuple[float, int],
    hours: list[float],
) -> StatsRow:
    received, resolved, on_time = counts
    rating_sum, rating_n = ratings
    return StatsRow(
        agency_code=agency,
        category=category,
        received=received,
        resolved=resolved,
        on_time_rate=round(on_time / resolved, 4) if resolved else None,
        median_hours=round(statistics.median(hours), 2) if hours else None,
        mean_rating=round(rating_sum / rating_n, 2) if rating_n else None,
    )


async def compute(ctx: AppContext, session: AsyncSession, start: datetime, end: datetime) -> StatsOut:
    in_range = (col(Report.created_at) >= start, col(Report.created_at) < end, col(Report.status).not_in(NOT_RECEIVED))
    resolved_flag = case((col(Report.resolved_at).is_not(None), 1), else_=0)
    on_time_flag = case((col(Report.resolved_at) <= col(Report.due_at), 1), else_=0)
    grouped = await session.exec(
        select(
            Report.agency_code,
            Report.category_code,
            func.count(),
            func.sum(resolved_flag),
            func.sum(on_time_flag),
            func.sum(Report.rating_score),
            func.count(Report.rating_score),
        )
        .where(*in_range)
        .group_by(Report.agency_code, Report.category_code)
    )
    durations = await session.exec(
        select(Report.agency_code, Report.category_code, Report.created_at, Report.resolved_at).where(
            *in_range, col(Report.resolved_at).is_not(None)
        )
    )
    hours: dict[tuple, list[float]] = defaultdict(list)
    for agency, category, created, resolved in durations.all():
        value = (aware(resolved) - aware(created)).total_seconds() / 3600
        hours[(agency, category)].append(value)
        hours[(agency, None)].append(value)

    items: list[StatsRow] = []
    per_agency: dict[str | None, list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0])
    for agency, category, received, resolved, on_time, rating_sum, rating_n in grouped.all():
        counts = (int(received), int(resolved or 0), int(on_time or 0))
        ratings = (float(rating_sum or 0), int(rating_n or 0))
        items.append(_row(agency, category, counts, ratings, hours[(agency, category)]))
        totals = per_agency[agency]
        for i, v in enumerate((*counts, *ratings)):
            totals[i] += v
    items.sort(key=lambda r: (r.agency_code or "", r.category or ""))
    agencies = [
        _row(agency, None, (int(t[0]), int(t[1]), int(t[2])), (t[3], int(t[4])), hours[(agency, None)])
        for agency, t in sorted(per_agency.items(), key=lambda kv: kv[0] or "")
    ]
    return StatsOut(from_=start, to=end, items=items, agencies=agencies)

"""Every query of the feedback module."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import and_, delete, or_, union_all
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import geo
from feedback.models import Agency, Ban, Category, Follow, Photo, Report, TimelineEntry
from superapp.pagination import InvalidCursor, decode_cursor


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without an offset; every stored time is UTC."""
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=UTC)


def parse_uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID) or value is None:
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError):
        return None


def id_after(cursor: str | None) -> uuid.UUID | None:
    """The report id a one-key cursor points after (``None`` without a cursor)."""
    if not cursor:
        return None
    value = parse_uuid(str(decode_cursor(cursor, 1)[0]))
    if value is None:
        raise InvalidCursor()
    return value


# --- reference data ---------------------------------------------------------------------------


async def categories(session: AsyncSession, *, active_only: bool = True) -> Sequence[Category]:
    query = select(Category).order_by(Category.position, Category.code)
    if active_only:
        query = query.where(Category.active == True)  # noqa: E712
    return (await session.exec(query)).all()


async def category(session: AsyncSession, code: str) -> Category | None:
    return await session.get(Category, code)


async def agency(session: AsyncSession, code: str) -> Agency | None:
    return await session.get(Agency, code)


async def agencies(session: AsyncSession) -> Sequence[Agency]:
    return (await session.exec(select(Agency).order_by(Agency.code))).all()


# --- reports ----------------------------------------------------------------------------------


async def report(session: AsyncSession, report_id: str | uuid.UUID, *, for_update: bool = False) -> Report | None:
    rid = parse_uuid(report_id)
    if rid is None:
        return None
    query = select(Report).where(Report.id == rid)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def report_by_tracking_code(session: AsyncSession, code: str) -> Report | None:
    return (await session.exec(select(Report).where(Report.tracking_code == code.upper()))).first()


async def tracking_code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.exec(select(Report.id).where(Report.tracking_code == code))).first() is not None


def _before(cursor_id: uuid.UUID | None, descending: bool = True):
    if cursor_id is None:
        return None
    return col(Report.id) < cursor_id if descending else col(Report.id) > cursor_id


async def reports_of(
    session: AsyncSession, reporter_id: uuid.UUID, *, limit: int, after: uuid.UUID | None
) -> Sequence[Report]:
    query = select(Report).where(Report.reporter_id == reporter_id)
    if after is not None:
        query = query.where(_before(after))
    return (await session.exec(query.order_by(col(Report.id).desc()).limit(limit + 1))).all()


async def moderation_queue(
    session: AsyncSession, *, statuses: list[str], category_code: str | None, limit: int, after: uuid.UUID | None
) -> Sequence[Report]:
    """Oldest first, so the report nearest its 8-hour acknowledgement deadline comes first."""
    query = select(Report).where(col(Report.status).in_(statuses))
    if category_code:
        query = query.where(Report.category_code == category_code)
    if after is not None:
        query = query.where(_before(after, descending=False))
    return (await session.exec(query.order_by(col(Report.id).asc()).limit(limit + 1))).all()


async def agency_reports(
    session: AsyncSession,
    *,
    agency_code: str | None,
    statuses: list[str],
    overdue_at: datetime | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> Sequence[Report]:
    """By deadline, earliest (so overdue) first; ``agency_code=None`` means every agency."""
    query = select(Report).where(col(Report.status).in_(statuses))
    if agency_code is not None:
        query = query.where(Report.agency_code == agency_code)
    if overdue_at is not None:
        query = query.where(col(Report.due_at) < overdue_at)
    if after is not None:
        due, rid = after
        query = query.where(or_(col(Report.due_at) > due, and_(col(Report.due_at) == due, col(Report.id) > rid)))
    query = query.order_by(col(Report.due_at).asc(), col(Report.id).asc()).limit(limit + 1)
    return (await session.exec(query)).all()


async def public_reports(
    session: AsyncSession,
    *,
    bbox: tuple[float, float, float, float] | None,
    statuses: list[str] | None,
    category_code: str | None,
    limit: int,
    after: uuid.UUID | None,
) -> Sequence[Report]:
    """Published reports, newest first; ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)``.

    A small box is read cell by cell (``feedback.geo`` grid; each cell an index range in id
    order, at most ``limit + 1`` rows from each) and the newest of those are kept; a large box, where
    matching rows are common, scans the newest published reports and filters.
    """
    filters = [Report.is_public == True]  # noqa: E712
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        filters += [col(Report.latitude).between(min_lat, max_lat), col(Report.longitude).between(min_lon, max_lon)]
    if statuses:
        filters.append(col(Report.status).in_(statuses))
    if category_code:
        filters.append(Report.category_code == category_code)
    if after is not None:
        filters.append(_before(after))
    cells = geo.cells_for_bbox(bbox) if bbox is not None else None
    if cells:
        per_cell = [
            select(
                select(Report.id)
                .where(*filters, Report.cell == cell)
                .order_by(col(Report.id).desc())
                .limit(limit + 1)
                .subquery()
                .c.id
            )
            for cell in cells
        ]
        filters = [col(Report.id).in_(union_all(*per_cell))]
    return (await session.exec(select(Report).where(*filters).order_by(col(Report.id).desc()).limit(limit + 1))).all()


async def reports_in_box(
    session: AsyncSession,
    *,
    box: tuple[float, float, float, float],
    statuses: Iterable[str],
    category_code: str | None,
    cap: int = 500,
) -> Sequence[Report]:
    """Reports whose point lies in ``(min_lat, min_lon, max_lat, max_lon)`` (nearby search)."""
    min_lat, min_lon, max_lat, max_lon = box
    query = select(Report).where(
        col(Report.latitude).between(min_lat, max_lat),
        col(Report.longitude).between(min_lon, max_lon),
        col(Report.status).in_(list(statuses)),
    )
    if category_code:
        query = query.where(Report.category_code == category_code)
    return (await session.exec(query.order_by(col(Report.id).desc()).limit(cap))).all()


async def resolved_before(session: AsyncSession, cutoff: datetime, *, limit: int) -> Sequence[Report]:
    """Reports resolved before ``cutoff``, locked for closing (rows another transaction holds
    are skipped and picked up on the next run)."""
    query = (
        select(Report)
        .where(Report.status == "resolved", col(Report.resolved_at) < cutoff)
        .order_by(col(Report.resolved_at).asc())
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(query)).all()


# --- photos, timeline, follows ------------------------------------------------------------------


async def photos_for(
    session: AsyncSession, report_ids: Sequence[uuid.UUID], *, kinds: Sequence[str] | None = ("report",)
) -> dict[uuid.UUID, list[Photo]]:
    """Each report's photos in order: the citizen's own by default, every kind with ``kinds=None``."""
    out: dict[uuid.UUID, list[Photo]] = {rid: [] for rid in report_ids}
    if not report_ids:
        return out
    query = select(Photo).where(col(Photo.report_id).in_(list(report_ids)))
    if kinds is not None:
        query = query.where(col(Photo.kind).in_(list(kinds)))
    rows = await session.exec(query.order_by(Photo.report_id, Photo.position, Photo.id))
    for photo in rows.all():
        out.setdefault(photo.report_id, []).append(photo)
    return out


async def next_photo_position(session: AsyncSession, report_id: uuid.UUID) -> int:
    top = (await session.exec(select(func.max(Photo.position)).where(Photo.report_id == report_id))).one()
    return 0 if top is None else top + 1


async def photo(session: AsyncSession, photo_id: str) -> Photo | None:
    pid = parse_uuid(photo_id)
    return await session.get(Photo, pid) if pid else None


async def timeline(session: AsyncSession, report_id: uuid.UUID) -> Sequence[TimelineEntry]:
    query = select(TimelineEntry).where(TimelineEntry.report_id == report_id).order_by(col(TimelineEntry.id).asc())
    return (await session.exec(query)).all()


async def follower_ids(session: AsyncSession, report_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.exec(select(Follow.account_id).where(Follow.report_id == report_id))
    return list(rows.all())


async def follow(session: AsyncSession, report_id: uuid.UUID, account_id: uuid.UUID) -> bool:
    """Add a follow row; ``False`` if it was already there."""
    if await session.get(Follow, (report_id, account_id)) is not None:
        return False
    session.add(Follow(report_id=report_id, account_id=account_id))
    await session.flush()
    return True


async def unfollow(session: AsyncSession, report_id: uuid.UUID, account_id: uuid.UUID) -> None:
    await session.exec(delete(Follow).where(Follow.report_id == report_id, Follow.account_id == account_id))


async def move_followers(
    session: AsyncSession, source: uuid.UUID, target: uuid.UUID, extra: Iterable[uuid.UUID]
) -> int:
    """Copy ``source``'s followers plus ``extra`` accounts onto ``target``; drop ``source``'s rows."""
    accounts = set(await follower_ids(session, source)) | {a for a in extra if a}
    added = 0
    for account_id in sorted(accounts):
        if await follow(session, target, account_id):
            added += 1
    await session.exec(delete(Follow).where(Follow.report_id == source))
    return added


# --- bans ---------------------------------------------------------------------------------------


async def ban(session: AsyncSession, account_id: uuid.UUID) -> Ban | None:
    return await session.get(Ban, account_id)


async def bans(session: AsyncSession, *, limit: int, after: uuid.UUID | None) -> Sequence[Ban]:
    query = select(Ban)
    if after is not None:
        query = query.where(col(Ban.account_id) > after)
    return (await session.exec(query.order_by(col(Ban.account_id)).limit(limit + 1))).all()


# --- personal data ------------------------------------------------------------------------------


async def all_reports_of(session: AsyncSession, account_id: uuid.UUID) -> Sequence[Report]:
    return (await session.exec(select(Report).where(Report.reporter_id == account_id).order_by(Report.id))).all()


async def follows_of(session: AsyncSession, account_id: uuid.UUID) -> Sequence[Follow]:
    return (await session.exec(select(Follow).where(Follow.account_id == account_id))).all()


# --- Open311 ------------------------------------------------------------------------------------


async def open311_requests(
    session: AsyncSession,
    *,
    tracking_codes: list[str] | None,
    categories: list[str] | None,
    statuses: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    offset: int,
    limit: int,
) -> Sequence[Report]:
    """Published reports for GeoReport ``requests.json``, newest first."""
    query = select(Report).where(Report.is_public == True)  # noqa: E712
    if tracking_codes:
        query = query.where(col(Report.tracking_code).in_(tracking_codes))
    if categories:
        query = query.where(col(Report.category_code).in_(categories))
    if statuses:
        query = query.where(col(Report.status).in_(statuses))
    if start is not None:
        query = query.where(col(Report.created_at) >= start)
    if end is not None:
        query = query.where(col(Report.created_at) <= end)
    query = query.order_by(col(Report.id).desc()).offset(offset).limit(limit)
    return (await session.exec(query)).all()

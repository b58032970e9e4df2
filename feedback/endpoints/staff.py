"""Staff endpoints: moderation and bans (``/v1/admin/feedback``), agency work
(``/v1/agency/feedback``), statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from feedback import agency, moderation, stats
from feedback import repository as repo
from feedback.auth import MODERATOR_ROLES, OFFICER_ROLES, Moderator, Officer, actor
from feedback.endpoints.public import parse_statuses
from feedback.config import feedback_settings
from feedback.errors import BanNotFound
from feedback.forms import TransitionBodyDep, read_transition
from feedback.models import STATUSES
from feedback.schemas import BanIn, BanOut, ModerateIn, ReportDetail, TransitionIn, report_detail
from feedback.stats import StatsOut
from superapp.context import CtxDep
from superapp.db import SessionDep, utcnow
from superapp.pagination import InvalidCursor, Page, PageDep, decode_cursor, paginate

admin_router = APIRouter(prefix="/v1/admin/feedback", tags=["feedback admin"])
agency_router = APIRouter(prefix="/v1/agency/feedback", tags=["feedback agency"])
ALL_STATUSES = frozenset(STATUSES)
AGENCY_DEFAULT_STATUSES = ["assigned", "in_progress"]


async def _details(session, rows, *, staff: bool = True) -> list[ReportDetail]:
    photos = await repo.photos_for(session, [r.id for r in rows], kinds=None)
    now = utcnow()
    return [report_detail(r, photos[r.id], now, staff=staff) for r in rows]


@admin_router.get("/reports", response_model=Page[ReportDetail])
async def moderation_queue(
    current: Moderator,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ReportDetail]:
    statuses = parse_statuses(status, ALL_STATUSES) or ["submitted"]
    after = repo.id_after(page.cursor)
    rows = await repo.moderation_queue(
        session, statuses=statuses, category_code=category, limit=page.limit, after=after
    )
    items, cursor = paginate(list(rows), page.limit, lambda r: [str(r.id)])
    return Page(items=await _details(session, items), next_cursor=cursor)


@admin_router.post("/reports/{report_id}/moderate", response_model=ReportDetail)
async def moderate_report(
    report_id: str, body: ModerateIn, current: Moderator, session: SessionDep, ctx: CtxDep
) -> ReportDetail:
    report = await moderation.moderate(
        ctx,
        session,
        report_id,
        actor(current.account, *MODERATOR_ROLES),
        action=body.action,
        reason=body.reason,
        duplicate_of=body.duplicate_of,
        agency_code=body.agency_code,
        severity=body.severity,
    )
    return (await _details(session, [report]))[0]


def _ban_out(ban) -> BanOut:
    return BanOut(
        account_id=ban.account_id,
        reason=ban.reason,
        banned_by=ban.banned_by,
        created_at=repo.aware(ban.created_at),
        until=repo.aware(ban.until),
    )


@admin_router.post("/bans", status_code=201, response_model=BanOut)
async def ban_account(body: BanIn, current: Moderator, session: SessionDep) -> BanOut:
    ban = await moderation.ban_account(
        session,
        actor(current.account, *MODERATOR_ROLES),
        account_id=body.account_id,
        reason=body.reason.strip(),
        until=body.until,
    )
    return _ban_out(ban)


@admin_router.get("/bans", response_model=Page[BanOut])
async def list_bans(current: Moderator, session: SessionDep, page: PageDep) -> Page[BanOut]:
    after = repo.id_after(page.cursor)
    rows = await repo.bans(session, limit=page.limit, after=after)
    items, cursor = paginate(list(rows), page.limit, lambda b: [str(b.account_id)])
    return Page(items=[_ban_out(b) for b in items], next_cursor=cursor)


@admin_router.delete("/bans/{account_id}", status_code=204)
async def lift_ban(account_id: str, current: Moderator, session: SessionDep) -> None:
    parsed = repo.parse_uuid(account_id)
    if parsed is None:
        raise BanNotFound()
    await moderation.lift_ban(session, actor(current.account, *MODERATOR_ROLES), parsed)


@admin_router.get("/stats", response_model=StatsOut)
async def feedback_stats(
    current: Moderator,
    session: SessionDep,
    ctx: CtxDep,
    from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Annotated[str | None, Query(max_length=40)] = None,
) -> StatsOut:
    start, end = stats.parse_range(ctx, from_, to)
    return await stats.compute(ctx, session, start, end)


@agency_router.get("/reports", response_model=Page[ReportDetail])
async def agency_reports(
    current: Officer,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=200)] = None,
    overdue: bool = False,
) -> Page[ReportDetail]:
    code = agency.officer_agency(current.account)
    statuses = parse_statuses(status, ALL_STATUSES) or AGENCY_DEFAULT_STATUSES
    after = None
    if page.cursor:
        due, rid = decode_cursor(page.cursor, 2)
        try:
            after = (datetime.fromisoformat(due), repo.parse_uuid(rid))
        except (TypeError, ValueError) as exc:
            raise InvalidCursor() from exc
        if after[1] is None:
            raise InvalidCursor()
    rows = await repo.agency_reports(
        session,
        agency_code=code,
        statuses=statuses,
        overdue_at=utcnow() if overdue else None,
        limit=page.limit,
        after=after,
    )
    items, cursor = paginate(list(rows), page.limit, lambda r: [repo.aware(r.due_at).isoformat(), str(r.id)])
    return Page(items=await _details(session, items), next_cursor=cursor)


TRANSITION_FORM_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": TransitionIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["status", "note"],
                    "properties": {
                        "status": {"type": "string", "enum": ["in_progress", "resolved", "reassign"]},
                        "note": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "agency_code": {"type": "string", "maxLength": 50},
                        "photos[]": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
}


@agency_router.post(
    "/reports/{report_id}/transition", response_model=ReportDetail, openapi_extra=TRANSITION_FORM_DOC
)
async def transition_report(
    report_id: str,
    request: Request,
    raw: TransitionBodyDep,
    current: Officer,
    session: SessionDep,
    ctx: CtxDep,
) -> ReportDetail:
    """JSON ``{status, note, agency_code?}``, or the same fields as ``multipart/form-data`` with
    up to five photos in ``photos[]`` (kept as the report's resolution photos)."""
    body, photos = await read_transition(request, raw, feedback_settings(ctx))
    report = await agency.transition(
        ctx,
        session,
        report_id,
        current.account,
        actor(current.account, *OFFICER_ROLES),
        status=body.status,
        note=body.note.strip() or body.note,
        agency_code=body.agency_code,
        photos=photos,
    )
    return (await _details(session, [report]))[0]

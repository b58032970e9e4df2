"""Public endpoints (no login): the published feed and the photos of published reports."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from auth.deps import OptionalPrincipal
from auth.models import Account
from feedback import repository as repo
from feedback.auth import may_read
from feedback.errors import InvalidBbox, InvalidField, ReportNotFound
from feedback.models import PUBLIC_STATUSES
from feedback.schemas import PublicReport, public_report
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep, paginate
from superapp.storage import storage_for

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])
MAX_BBOX_DEGREES = 2.0


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``min_lon,min_lat,max_lon,max_lat`` (west, south, east, north), at most 2° a side."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError as exc:
        raise InvalidBbox() from exc
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidBbox()
    west, south, east, north = values
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InvalidBbox()
    if east - west > MAX_BBOX_DEGREES or north - south > MAX_BBOX_DEGREES:
        raise InvalidBbox(max_degrees=MAX_BBOX_DEGREES)
    return west, south, east, north


def parse_statuses(raw: str | None, allowed: frozenset[str]) -> list[str] | None:
    if not raw:
        return None
    statuses = [s.strip() for s in raw.split(",") if s.strip()]
    if not statuses or any(s not in allowed for s in statuses):
        raise InvalidField(field="status", allowed=sorted(allowed))
    return statuses


@router.get("/public", response_model=Page[PublicReport], response_class=JSONResponse)
async def public_feed(
    session: SessionDep,
    page: PageDep,
    bbox: Annotated[str | None, Query(max_length=128)] = None,
    status: Annotated[str | None, Query(max_length=128)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    after = repo.id_after(page.cursor)
    rows = await repo.public_reports(
        session,
        bbox=parse_bbox(bbox),
        statuses=parse_statuses(status, PUBLIC_STATUSES),
        category_code=category,
        limit=page.limit,
        after=after,
    )
    items, cursor = paginate(list(rows), page.limit, lambda r: [str(r.id)])
    photos = await repo.photos_for(session, [r.id for r in items])
    page_out = Page[PublicReport](items=[public_report(r, photos[r.id]) for r in items], next_cursor=cursor)
    # Already validated: serialise once instead of letting the response model validate it again.
    return Response(page_out.model_dump_json(), media_type="application/json")


async def _photo_bytes(ctx, session, principal, photo_id: str, thumbnail: bool) -> Response:
    photo = await repo.photo(session, photo_id)
    report = await repo.report(session, photo.report_id) if photo else None
    if photo is None or report is None:
        raise ReportNotFound()
    if not report.is_public:
        account = await session.get(Account, principal.account_id) if principal and principal.account_id else None
        if account is None or not account.is_active or not may_read(account, report):
            raise ReportNotFound()
    data = await storage_for(ctx).get(photo.thumbnail_key if thumbnail else photo.key)
    if data is None:
        raise ReportNotFound()
    cache = "public, max-age=86400" if report.is_public else "private, max-age=300"
    return Response(content=data, media_type=photo.content_type, headers={"Cache-Control": cache})


@router.get("/photos/{photo_id}", response_class=Response)
async def get_photo(photo_id: str, session: SessionDep, ctx: CtxDep, principal: OptionalPrincipal) -> Response:
    return await _photo_bytes(ctx, session, principal, photo_id, thumbnail=False)


@router.get("/photos/{photo_id}/thumbnail", response_class=Response)
async def get_thumbnail(photo_id: str, session: SessionDep, ctx: CtxDep, principal: OptionalPrincipal) -> Response:
    return await _photo_bytes(ctx, session, principal, photo_id, thumbnail=True)

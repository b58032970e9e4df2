"""Citizen endpoints under ``/v1/feedback`` (scope ``feedback``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from feedback import engagement, nearby, reports
from feedback import repository as repo
from feedback.auth import FeedbackUser, actor, is_staff_for, may_read
from feedback.config import feedback_settings
from feedback.errors import ReportNotFound
from feedback.forms import read_report_form
from feedback.schemas import (
    CategoryOut,
    FollowOut,
    NearbyReport,
    RatingIn,
    RatingOut,
    ReportCreated,
    ReportDetail,
    TimelineItem,
    category_out,
    report_detail,
    timeline_item,
)
from superapp.context import CtxDep
from superapp.db import SessionDep, utcnow
from superapp.i18n import request_language
from superapp.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

REPORT_FORM_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["category", "description", "latitude", "longitude"],
                    "properties": {
                        "category": {"type": "string"},
                        "description": {"type": "string", "minLength": 10, "maxLength": 2000},
                        "latitude": {"type": "number"},
                        "longitude": {"type": "number"},
                        "address": {"type": "string", "maxLength": 300},
                        "photos[]": {"type": "array", "maxItems": 5, "items": {"type": "string", "format": "binary"}},
                    },
                }
            }
        },
    }
}


@router.get("/categories", response_model=list[CategoryOut])
async def list_categories(request: Request, session: SessionDep) -> list[CategoryOut]:
    lang = request_language(request)
    return [category_out(c, lang) for c in await repo.categories(session)]


@router.post("/reports", status_code=201, response_model=ReportCreated, openapi_extra=REPORT_FORM_DOC)
async def create_report(request: Request, current: FeedbackUser, session: SessionDep, ctx: CtxDep) -> ReportCreated:
    settings = feedback_settings(ctx)
    await ctx.limiter.check(settings.report_rate_limit, "feedback.report", str(current.id))
    data = await read_report_form(request, settings)
    report = await reports.submit(
        ctx,
        session,
        data,
        actor=actor(current.account),
        reporter_id=current.id,
        client_id=current.principal.client_id,
    )
    return ReportCreated(id=report.id, tracking_code=report.tracking_code, status=report.status)


@router.get("/reports/mine", response_model=Page[ReportDetail])
async def my_reports(current: FeedbackUser, session: SessionDep, page: PageDep) -> Page[ReportDetail]:
    after = repo.id_after(page.cursor)
    rows = await repo.reports_of(session, current.id, limit=page.limit, after=after)
    items, cursor = paginate(list(rows), page.limit, lambda r: [str(r.id)])
    photos = await repo.photos_for(session, [r.id for r in items], kinds=None)
    now = utcnow()
    return Page(items=[report_detail(r, photos[r.id], now, staff=False) for r in items], next_cursor=cursor)


async def _readable(session, current, report_id: str):
    report = await repo.report(session, report_id)
    if report is None or not may_read(current.account, report):
        raise ReportNotFound()
    return report


@router.get("/reports/{report_id}", response_model=ReportDetail)
async def get_report(report_id: str, current: FeedbackUser, session: SessionDep) -> ReportDetail:
    report = await _readable(session, current, report_id)
    photos = await repo.photos_for(session, [report.id], kinds=None)
    return report_detail(report, photos[report.id], utcnow(), staff=is_staff_for(current.account, report))


@router.get("/reports/{report_id}/timeline", response_model=Page[TimelineItem])
async def get_timeline(report_id: str, current: FeedbackUser, session: SessionDep) -> Page[TimelineItem]:
    report = await _readable(session, current, report_id)
    staff = is_staff_for(current.account, report)
    return Page(items=[timeline_item(e, staff=staff) for e in await repo.timeline(session, report.id)])


@router.post("/reports/{report_id}/follow", response_model=FollowOut)
async def follow_report(report_id: str, current: FeedbackUser, session: SessionDep) -> FollowOut:
    report = await engagement.follow(session, report_id, current.id)
    return FollowOut(report_id=report.id, following=True)


@router.delete("/reports/{report_id}/follow", response_model=FollowOut)
async def unfollow_report(report_id: str, current: FeedbackUser, session: SessionDep) -> FollowOut:
    await engagement.unfollow(session, report_id, current.id)
    return FollowOut(report_id=repo.parse_uuid(report_id), following=False)


@router.post("/reports/{report_id}/rating", status_code=201, response_model=RatingOut)
async def rate_report(report_id: str, body: RatingIn, current: FeedbackUser, session: SessionDep) -> RatingOut:
    report = await engagement.rate(session, report_id, current.id, score=body.score, comment=body.comment)
    return RatingOut(score=report.rating_score, comment=report.rating_comment, rated_at=repo.aware(report.rated_at))


@router.get("/nearby", response_model=Page[NearbyReport])
async def nearby_reports(
    current: FeedbackUser,
    session: SessionDep,
    ctx: CtxDep,
    lat: Annotated[str, Query(max_length=32)],
    lon: Annotated[str, Query(max_length=32)],
    radius_m: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> Page[NearbyReport]:
    items = await nearby.find(
        ctx, session, lat=lat, lon=lon, radius_m=radius_m, category=category, viewer_id=current.id, limit=limit
    )
    return Page(items=items)

"""Moderation queue: new reports with photos and a map; approve, reject, hide, merge, ban.

Drives ``GET /v1/admin/feedback/reports?status=``, ``GET /v1/feedback/reports/{id}`` (+ timeline),
``GET /v1/feedback/nearby`` and ``POST /v1/admin/feedback/reports/{id}/moderate``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section, section_form
from superapp.console.errors import ApiProblem, InvalidForm
from superapp.console.mapplot import plot
from superapp.console.pages.common import act, category_names
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession, SessionStore

router = APIRouter(prefix="/admin/moderation", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("moderation"))]
Actor = Annotated[ConsoleSession, Depends(section_form("moderation"))]
ReportId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
QUEUE_STATUSES = ("submitted", "approved", "assigned", "in_progress", "resolved", "rejected", "hidden", "duplicate")
NEARBY_RADIUS_M = 300


@router.get("")
async def queue(
    request: Request,
    session: Viewer,
    status: Annotated[Literal[QUEUE_STATUSES], Query()] = "submitted",  # type: ignore[valid-type]
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
):
    api = ConsoleApi(request, session)
    page = await api.get("/v1/admin/feedback/reports", status=status, cursor=cursor, limit=20)
    reports = page.get("items", [])
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request, "moderation.html", session=session, flashes=flashes, reports=reports, markers=plot(reports),
        next_cursor=page.get("next_cursor"), status=status, statuses=QUEUE_STATUSES,
        category_names=await category_names(request, api),
    )


@router.get("/{report_id}")
async def report_detail(request: Request, session: Viewer, report_id: ReportId):
    api = ConsoleApi(request, session)
    report = await api.get(f"/v1/feedback/reports/{report_id}")
    try:
        timeline = await api.get(f"/v1/feedback/reports/{report_id}/timeline")
    except ApiProblem:
        timeline = []
    timeline = timeline.get("items", []) if isinstance(timeline, dict) else timeline
    nearby = await _nearby(api, report)
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request, "moderation_report.html", session=session, flashes=flashes, report=report, timeline=timeline,
        nearby=nearby, markers=plot([report, *nearby]),
        category_names=await category_names(request, api),
    )


async def _nearby(api: ConsoleApi, report: dict) -> list[dict]:
    """Possible duplicates of ``report`` (itself excluded), for the merge form."""
    lat, lon = report.get("latitude"), report.get("longitude")
    if lat is None or lon is None:
        return []
    category = report.get("category")
    if isinstance(category, dict):
        category = category.get("code")
    try:
        found = await api.get("/v1/feedback/nearby", lat=lat, lon=lon, radius_m=NEARBY_RADIUS_M, category=category)
    except ApiProblem:
        return []
    items = found.get("items", []) if isinstance(found, dict) else found
    return [r for r in items if isinstance(r, dict) and str(r.get("id")) != str(report.get("id"))]


def _back(report_id: str, back: str | None) -> str:
    return f"/admin/moderation/{report_id}" if back == "detail" else "/admin/moderation"


async def _moderate(request: Request, session: ConsoleSession, report_id: str, body: dict, done_key: str, back: str | None):
    api = ConsoleApi(request, session)
    return await act(
        request, session, lambda: api.post(f"/v1/admin/feedback/reports/{report_id}/moderate", body),
        done_key=done_key, back=_back(report_id, back),
    )


Back = Annotated[str | None, Form(max_length=16)]
Reason = Annotated[str, Form(min_length=3, max_length=2000)]


@router.post("/{report_id}/approve")
async def approve(request: Request, session: Actor, report_id: ReportId, back: Back = None,
                  reason: Annotated[str | None, Form(max_length=2000)] = None,
                  severity: Annotated[Literal["", "urgent", "normal", "complex"], Form()] = "",
                  agency_code: Annotated[str | None, Form(max_length=50)] = None):
    body: dict[str, str] = {"action": "approve"}
    for name, value in (("reason", reason), ("severity", severity), ("agency_code", agency_code)):
        if value:
            body[name] = value
    return await _moderate(request, session, report_id, body, "console.moderation.approved", back)


@router.post("/{report_id}/reject")
async def reject(request: Request, session: Actor, report_id: ReportId, reason: Reason, back: Back = None):
    return await _moderate(request, session, report_id, {"action": "reject", "reason": reason},
                           "console.moderation.rejected", back)


@router.post("/{report_id}/hide")
async def hide(request: Request, session: Actor, report_id: ReportId, reason: Reason, back: Back = None):
    return await _moderate(request, session, report_id, {"action": "hide", "reason": reason},
                           "console.moderation.hidden", back)


@router.post("/{report_id}/merge")
async def merge(request: Request, session: Actor, report_id: ReportId,
                duplicate_of: Annotated[str, Form(min_length=1, max_length=64)], back: Back = None,
                reason: Annotated[str | None, Form(max_length=2000)] = None):
    body = {"action": "merge", "duplicate_of": duplicate_of, **({"reason": reason} if reason else {})}
    return await _moderate(request, session, report_id, body, "console.moderation.merged", back)


@router.post("/{report_id}/ban")
async def ban_reporter(request: Request, session: Actor, report_id: ReportId,
                       reason: Annotated[str, Form(min_length=3, max_length=500)]):
    """Ban the report's author from reporting (``POST /v1/admin/feedback/bans``)."""
    api = ConsoleApi(request, session)
    report = await api.get(f"/v1/feedback/reports/{report_id}")
    reporter = report.get("reporter_id")
    if not reporter:
        raise InvalidForm(errors=[{"field": "reporter_id", "type": "missing"}])
    return await act(
        request, session, lambda: api.post("/v1/admin/feedback/bans", {"account_id": reporter, "reason": reason}),
        done_key="console.moderation.banned", back=f"/admin/moderation/{report_id}",
    )

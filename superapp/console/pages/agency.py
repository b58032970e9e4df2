"""Agency view: the officer's agency's reports by deadline, overdue first; progress, resolve,
reassign, with photos of the work. Drives ``GET /v1/agency/feedback/reports`` and
``POST …/{id}/transition`` (JSON, or multipart when photos are attached).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.datastructures import UploadFile

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section, section_form
from superapp.console.errors import InvalidForm
from superapp.console.mapplot import plot
from superapp.console.pages.common import act, category_names
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession, SessionStore

router = APIRouter(prefix="/admin/agency", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("agency"))]
Actor = Annotated[ConsoleSession, Depends(section_form("agency"))]
ReportId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def by_deadline(reports: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Overdue first (most overdue on top), then by deadline; reports without one last."""

    def key(r: dict[str, Any]) -> tuple[int, datetime]:
        due = parse_time(r.get("due_at"))
        if due is None:
            return (2, FAR_FUTURE)
        return (0 if due < now else 1, due)

    return sorted(reports, key=key)


@router.get("")
async def agency_queue(
    request: Request,
    session: Viewer,
    status: Annotated[Literal["assigned", "in_progress", "resolved", "closed"] | None, Query()] = None,
    overdue: Annotated[bool, Query()] = False,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
):
    api = ConsoleApi(request, session)
    page = await api.get("/v1/agency/feedback/reports", status=status, overdue="true" if overdue else None,
                         cursor=cursor, limit=50)
    now = datetime.now(UTC)
    reports = by_deadline(page.get("items", []), now)
    for r in reports:
        due = parse_time(r.get("due_at"))
        r["_overdue"] = bool(due and due < now and r.get("status") not in ("resolved", "closed"))
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request, "agency.html", session=session, flashes=flashes, reports=reports,
        next_cursor=page.get("next_cursor"), status=status, overdue=overdue, category_names=await category_names(request, api),
    )


@router.get("/{report_id}")
async def agency_report(request: Request, session: Viewer, report_id: ReportId):
    """One report with its photos, place and history, and the form to move it on."""
    api = ConsoleApi(request, session)
    report = await api.get(f"/v1/feedback/reports/{report_id}")
    timeline = await api.get(f"/v1/feedback/reports/{report_id}/timeline")
    due = parse_time(report.get("due_at"))
    report["_overdue"] = bool(due and due < datetime.now(UTC) and report.get("status") not in ("resolved", "closed"))
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request, "agency_report.html", session=session, flashes=flashes, report=report,
        timeline=timeline.get("items", []), markers=plot([report]), category_names=await category_names(request, api),
    )


async def chosen_photos(request: Request) -> list[tuple[str, tuple[str, bytes, str]]]:
    """The files of the form's ``photos`` input, ready to forward as ``photos[]`` (a file input
    left empty arrives as an empty, unnamed part and is skipped)."""
    form = await request.form()
    files = []
    for item in form.getlist("photos"):
        if not isinstance(item, UploadFile) or (not item.filename and not item.size):
            continue
        ctype = item.content_type or "application/octet-stream"
        files.append(("photos[]", (item.filename or "photo", await item.read(), ctype)))
    return files


@router.post("/{report_id}/transition")
async def transition(
    request: Request,
    session: Actor,
    report_id: ReportId,
    status: Annotated[Literal["in_progress", "resolved", "reassign"], Form()],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
    agency_code: Annotated[str | None, Form(max_length=50)] = None,
    back: Annotated[Literal["detail"] | None, Form()] = None,
):
    body: dict[str, Any] = {"status": status, "note": note}
    if status == "reassign":
        if not agency_code:
            raise InvalidForm(errors=[{"field": "agency_code", "type": "missing"}])
        body["agency_code"] = agency_code
    photos = await chosen_photos(request)  # number, size and type are the API's to check
    api = ConsoleApi(request, session)
    path = f"/v1/agency/feedback/reports/{report_id}/transition"

    async def call() -> Any:
        if photos:  # the same fields as a multipart form, with the photos
            return (await api.send("POST", path, data=body, files=photos)).json()
        return await api.post(path, body)

    return await act(
        request, session, call,
        done_key=f"console.agency.done.{status}",
        back=f"/admin/agency/{report_id}" if back == "detail" and status != "reassign" else "/admin/agency",
    )

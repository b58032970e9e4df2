"""Mini-app review: submitted apps with their scopes and redirect URIs; approve, reject, suspend.

Drives ``GET /v1/admin/miniapps``, ``POST /v1/admin/miniapps/{id}/review`` and ``…/suspend``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section, section_form
from superapp.console.pages.common import act, localized
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession, SessionStore

router = APIRouter(prefix="/admin/miniapps", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("miniapps"))]
Actor = Annotated[ConsoleSession, Depends(section_form("miniapps"))]
AppId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
STATUSES = ("in_review", "published", "rejected", "suspended", "draft")
Reason = Annotated[str, Form(max_length=2000)]


@router.get("")
async def review_queue(
    request: Request,
    session: Viewer,
    status: Annotated[Literal["in_review", "published", "rejected", "suspended", "draft"], Query()] = "in_review",
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
):
    page = await ConsoleApi(request, session).get("/v1/admin/miniapps", status=status, cursor=cursor, limit=20)
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request,
        "miniapps.html",
        session=session,
        flashes=flashes,
        apps=page.get("items", []),
        next_cursor=page.get("next_cursor"),
        status=status,
        statuses=STATUSES,
        localized=localized,
    )


def _back(status: str | None) -> str:
    return f"/admin/miniapps?status={status}" if status in STATUSES else "/admin/miniapps"


@router.post("/{app_id}/approve")
async def approve(request: Request, session: Actor, app_id: AppId, back: Annotated[str | None, Form()] = None):
    api = ConsoleApi(request, session)
    return await act(
        request, session, lambda: api.post(f"/v1/admin/miniapps/{app_id}/review", {"decision": "approve"}),
        done_key="console.miniapps.approved", back=_back(back),
    )


@router.post("/{app_id}/reject")
async def reject(request: Request, session: Actor, app_id: AppId, reason: Annotated[str, Form(min_length=3, max_length=2000)],
                 back: Annotated[str | None, Form()] = None):
    api = ConsoleApi(request, session)
    body = {"decision": "reject", "reason": reason}
    return await act(
        request, session, lambda: api.post(f"/v1/admin/miniapps/{app_id}/review", body),
        done_key="console.miniapps.rejected", back=_back(back),
    )


@router.post("/{app_id}/suspend")
async def suspend(request: Request, session: Actor, app_id: AppId, reason: Annotated[str | None, Form(max_length=2000)] = None,
                  back: Annotated[str | None, Form()] = None):
    api = ConsoleApi(request, session)
    body = {"reason": reason} if reason else None
    return await act(
        request, session, lambda: api.post(f"/v1/admin/miniapps/{app_id}/suspend", body),
        done_key="console.miniapps.suspended", back=_back(back),
    )

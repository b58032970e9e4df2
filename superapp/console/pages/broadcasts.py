"""Broadcasts: compose to everyone or one district, then watch the progress live.

Drives ``POST /v1/admin/notifications/broadcast`` and ``GET …/broadcast/{id}``. The compose form
carries a one-time key sent as ``Idempotency-Key``, so a double click sends one broadcast.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section, section_form
from superapp.console.errors import ApiProblem, InvalidForm
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession, SessionStore

router = APIRouter(prefix="/admin/broadcasts", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("broadcasts"))]
Actor = Annotated[ConsoleSession, Depends(section_form("broadcasts"))]
BroadcastId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CATEGORIES = ("broadcast", "broadcast.emergency")
BROADCAST_API = "/v1/admin/notifications/broadcast"


@router.get("")
async def compose(request: Request, session: Viewer):
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(request, "broadcast_compose.html", session=session, flashes=flashes, categories=CATEGORIES,
                  form_key=secrets.token_urlsafe(16))


@router.post("")
async def send(
    request: Request,
    session: Actor,
    form_key: Annotated[str, Form(min_length=8, max_length=64)],
    audience: Annotated[Literal["all", "district"], Form()],
    category: Annotated[Literal["broadcast", "broadcast.emergency"], Form()],
    title_vi: Annotated[str, Form(min_length=1, max_length=200)],
    body_vi: Annotated[str, Form(min_length=1, max_length=2000)],
    title_en: Annotated[str | None, Form(max_length=200)] = None,
    body_en: Annotated[str | None, Form(max_length=2000)] = None,
    district_code: Annotated[str | None, Form(max_length=20, pattern=r"^[A-Za-z0-9_.-]*$")] = None,
):
    if audience == "district" and not district_code:
        raise InvalidForm(errors=[{"field": "district_code", "type": "missing"}])
    payload = {
        "audience": "all" if audience == "all" else f"district:{district_code}",
        "category": category,
        "title": {"vi": title_vi, **({"en": title_en} if title_en else {})},
        "body": {"vi": body_vi, **({"en": body_en} if body_en else {})},
    }
    try:
        created = await ConsoleApi(request, session).post(BROADCAST_API, payload, idempotency_key=f"console-{form_key}")
    except ApiProblem as problem:
        store = SessionStore(request.app.state.ctx)
        detail = problem.to_problem(getattr(request.state, "lang", "vi"))["detail"]
        await store.flash(session, "error", f"{detail} ({problem.code})")
        return RedirectResponse("/admin/broadcasts", status_code=303)
    return RedirectResponse(f"/admin/broadcasts/{created['id']}", status_code=303)


@router.get("/{broadcast_id}")
async def progress_page(request: Request, session: Viewer, broadcast_id: BroadcastId):
    status = await ConsoleApi(request, session).get(f"{BROADCAST_API}/{broadcast_id}")
    return render(request, "broadcast_status.html", session=session, broadcast_id=broadcast_id, status=status)


@router.get("/{broadcast_id}/status")
async def progress(request: Request, session: Viewer, broadcast_id: BroadcastId) -> JSONResponse:
    """What the page polls: ``{status, total, sent, failed}``."""
    status = await ConsoleApi(request, session).get(f"{BROADCAST_API}/{broadcast_id}")
    keep = {k: status.get(k) for k in ("status", "total", "sent", "failed")}
    return JSONResponse(keep, headers={"Cache-Control": "no-store"})

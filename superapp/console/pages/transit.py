"""Transit operators: revoke a ticket; see validations where the transit API lists them.

Drives ``POST /v1/admin/transit/tickets/{id}/revoke`` (``{reason?}``) and, when offered,
``GET /v1/admin/transit/validations`` (cursor-paginated taps).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section, section_form
from superapp.console.errors import ApiProblem
from superapp.console.pages.common import act
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession, SessionStore

router = APIRouter(prefix="/admin/transit", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("transit"))]
Actor = Annotated[ConsoleSession, Depends(section_form("transit"))]
VALIDATIONS_API = "/v1/admin/transit/validations"
UUID_PATTERN = r"^[0-9a-fA-F-]{32,36}$"


@router.get("")
async def transit_page(
    request: Request,
    session: Viewer,
    ticket_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
):
    validations: list[dict] | None = None
    next_cursor = None
    try:
        page = await ConsoleApi(request, session).get(VALIDATIONS_API, ticket_id=ticket_id, cursor=cursor, limit=50)
        validations, next_cursor = page.get("items", []), page.get("next_cursor")
    except ApiProblem as problem:
        if problem.status not in (404, 405):
            raise
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(request, "transit.html", session=session, flashes=flashes, validations=validations,
                  next_cursor=next_cursor, ticket_id=ticket_id or "")


@router.post("/revoke")
async def revoke(
    request: Request,
    session: Actor,
    ticket_id: Annotated[str, Form(pattern=UUID_PATTERN)],
    reason: Annotated[str | None, Form(max_length=200)] = None,
):
    api = ConsoleApi(request, session)
    body = {"reason": reason} if reason else {}
    return await act(
        request, session, lambda: api.post(f"/v1/admin/transit/tickets/{ticket_id}/revoke", body),
        done_key="console.transit.revoked", back="/admin/transit",
    )

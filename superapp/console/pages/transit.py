"""Transit operators: look up and revoke a ticket; validators; validations (taps).

Drives ``GET /v1/admin/transit/tickets/{id}``, ``POST …/tickets/{id}/revoke`` (``{reason?}``),
``GET /v1/admin/transit/validators`` and ``GET /v1/admin/transit/validations`` (cursor-paginated
taps, newest first, filtered by the ticket looked up). A transit service without the lists
(an older plugin) leaves those sections out.
"""

from __future__ import annotations

from typing import Annotated, Any

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
API = "/v1/admin/transit"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
NOT_OFFERED = (404, 405)


async def _optional(api: ConsoleApi, path: str, **params: Any) -> Any | None:
    """``None`` when the transit API does not offer ``path``."""
    try:
        return await api.get(path, **params)
    except ApiProblem as problem:
        if problem.status in NOT_OFFERED and problem.code in ("not_found", "method_not_allowed"):
            return None
        raise


@router.get("")
async def transit_page(
    request: Request,
    session: Viewer,
    ticket_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
):
    api = ConsoleApi(request, session)
    ticket = None
    ticket_problem = None
    if ticket_id:
        try:
            ticket = await api.get(f"{API}/tickets/{ticket_id}")
        except ApiProblem as problem:
            if problem.status != 404:
                raise
            ticket_problem = problem.to_problem(getattr(request.state, "lang", "vi"))
    validators = await _optional(api, f"{API}/validators")
    validations = await _optional(api, f"{API}/validations", ticket_id=ticket_id, cursor=cursor, limit=50)
    flashes = await SessionStore(request.app.state.ctx).take_flashes(session)
    return render(
        request, "transit.html", session=session, flashes=flashes, ticket=ticket, ticket_problem=ticket_problem,
        ticket_id=ticket_id or "", validators=validators,
        validations=None if validations is None else validations.get("items", []),
        next_cursor=None if validations is None else validations.get("next_cursor"),
    )


@router.post("/revoke")
async def revoke(
    request: Request,
    session: Actor,
    ticket_id: Annotated[str, Form(pattern=UUID_PATTERN)],
    reason: Annotated[str | None, Form(max_length=200)] = None,
):
    api = ConsoleApi(request, session)
    body = {"reason": reason} if reason else None
    return await act(
        request, session, lambda: api.post(f"{API}/tickets/{ticket_id}/revoke", body),
        done_key="console.transit.revoked", back=f"/admin/transit?ticket_id={ticket_id}",
    )

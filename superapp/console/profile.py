"""Who the signed-in staff member is: ``GET /v1/me`` with their own token."""

from __future__ import annotations

import httpx
from fastapi import Request

from superapp.console.errors import ProviderUnavailable, SignInFailed
from superapp.console.provider import in_process_client
from superapp.console.sessions import StaffMember


async def fetch_staff(request: Request, access_token: str) -> StaffMember:
    ctx = request.app.state.ctx
    try:
        async with in_process_client(request.app, ctx.settings.resolved_issuer) as http:
            r = await http.get("/v1/me", headers={"Authorization": f"Bearer {access_token}"})
    except httpx.HTTPError as exc:
        raise ProviderUnavailable() from exc
    if r.status_code in (401, 403):
        raise SignInFailed(reason="profile_refused")
    if r.status_code != 200:
        raise ProviderUnavailable()
    me = r.json()
    roles = me.get("roles") if isinstance(me.get("roles"), list) else []
    return StaffMember(
        id=str(me.get("id")),
        name=str(me.get("full_name") or me.get("phone") or me.get("email") or ""),
        roles=[str(r) for r in roles],
        agency_code=me.get("agency_code"),
    )

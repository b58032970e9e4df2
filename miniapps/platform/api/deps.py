"""Dependencies shared by the platform's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from auth.deps import AccountPrincipal, CurrentAccount, Principal, require_roles, require_scopes
from miniapps.platform.developer import Actor
from miniapps.platform.sso import ensure_first_party_caller
from miniapps.sdk import MiniApp
from superapp.context import CtxDep
from superapp.db import SessionDep

Developer = Annotated[AccountPrincipal, Depends(require_roles("developer"))]
Admin = Annotated[AccountPrincipal, Depends(require_roles("admin"))]
_miniapps_scope = require_scopes("miniapps")


async def miniapps_citizen(
    current: CurrentAccount, _principal: Annotated[Principal, Depends(_miniapps_scope)]
) -> AccountPrincipal:
    """A citizen's token carrying scope ``miniapps``."""
    return current


MiniappsCitizen = Annotated[AccountPrincipal, Depends(miniapps_citizen)]


async def first_party_account(current: CurrentAccount, ctx: CtxDep, session: SessionDep) -> AccountPrincipal:
    """A citizen signed in through one of the city's own (first-party) apps."""
    await ensure_first_party_caller(ctx, session, current)
    return current


FirstPartyCitizen = Annotated[AccountPrincipal, Depends(first_party_account)]


async def builtins(request: Request) -> list[MiniApp]:
    return list(getattr(request.app.state, "miniapps", []) or [])


Builtins = Annotated[list[MiniApp], Depends(builtins)]


def actor(request: Request, current: AccountPrincipal) -> Actor:
    client = request.client
    return Actor(
        id=current.account.id,
        ip=client.host if client else None,
        request_id=getattr(request.state, "request_id", None),
    )

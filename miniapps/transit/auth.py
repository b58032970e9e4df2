"""Who may call what: citizens with scope ``transit``, validators with ``transit.validate``,
operators by role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from auth.deps import (
    AccountPrincipal,
    CurrentAccount,
    Principal,
    require_roles,
    require_scopes,
)

_transit_scope = require_scopes("transit")


async def transit_citizen(
    current: CurrentAccount, _principal: Annotated[Principal, Depends(_transit_scope)]
) -> AccountPrincipal:
    """An active citizen account through a token carrying scope ``transit``."""
    return current


TransitCitizen = Annotated[AccountPrincipal, Depends(transit_citizen)]
TransitValidator = Annotated[Principal, Depends(require_scopes("transit.validate"))]
TransitOperator = Annotated[AccountPrincipal, Depends(require_roles("transit_operator", "admin"))]
TransitAdmin = Annotated[AccountPrincipal, Depends(require_roles("admin"))]

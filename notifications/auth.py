"""Who may call the notification hub's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from auth.deps import AccountPrincipal, CurrentAccount, Principal, require_roles, require_scopes

_notifications_scope = require_scopes("notifications")
_publish_scope = require_scopes("notifications.publish")


async def _citizen(
    current: CurrentAccount, _scoped: Annotated[Principal, Depends(_notifications_scope)]
) -> AccountPrincipal:
    """An active citizen's token carrying the ``notifications`` scope."""
    return current


Citizen = Annotated[AccountPrincipal, Depends(_citizen)]
Publisher = Annotated[Principal, Depends(_publish_scope)]
Admin = Annotated[AccountPrincipal, Depends(require_roles("admin"))]

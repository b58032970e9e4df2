"""Who may call the notification hub's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from auth.deps import AccountPrincipal, Principal, require_account_scopes, require_roles, require_scopes

Citizen = Annotated[AccountPrincipal, Depends(require_account_scopes("notifications"))]
Publisher = Annotated[Principal, Depends(require_scopes("notifications.publish"))]
Admin = Annotated[AccountPrincipal, Depends(require_roles("admin"))]

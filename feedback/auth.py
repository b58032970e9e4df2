"""The feedback module's authentication aliases and who-may-see-what rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from auth.deps import AccountPrincipal, CurrentAccount, Principal, require_roles, require_scopes
from auth.models import Account
from feedback.agency import can_handle
from feedback.models import Report
from feedback.workflow import Actor

MODERATOR_ROLES = ("moderator", "admin")
OFFICER_ROLES = ("agency_officer", "admin")

_feedback_scope = require_scopes("feedback")


async def feedback_user(
    current: CurrentAccount, _principal: Annotated[Principal, Depends(_feedback_scope)]
) -> AccountPrincipal:
    """An account-bound token carrying the ``feedback`` scope.

    Declared here with module-level names so FastAPI can resolve the annotations when it
    builds the OpenAPI document.
    """
    return current


FeedbackUser = Annotated[AccountPrincipal, Depends(feedback_user)]
Moderator = Annotated[AccountPrincipal, Depends(require_roles(*MODERATOR_ROLES))]
Officer = Annotated[AccountPrincipal, Depends(require_roles(*OFFICER_ROLES))]
Admin = Annotated[AccountPrincipal, Depends(require_roles("admin"))]


def actor(account: Account, *roles: str) -> Actor:
    """The first of ``roles`` the account holds (``citizen`` if none): the role shown in timelines."""
    for role in roles:
        if account.has_role(role):
            return Actor(role=role, account_id=account.id)
    return Actor(role="citizen", account_id=account.id)


def is_staff_for(account: Account, report: Report) -> bool:
    return account.has_role(*MODERATOR_ROLES) or can_handle(account, report)


def may_read(account: Account, report: Report) -> bool:
    return report.reporter_id == account.id or is_staff_for(account, report)

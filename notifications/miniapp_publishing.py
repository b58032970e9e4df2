"""Mini-app servers notifying citizens (``POST /v1/notifications/publish``).

Recipients are the app's own pairwise ``sub`` values. A citizen is reached only if that app
holds an active consent that includes the ``notifications`` scope (first-party apps need none:
they skip the consent page by design). Every recipient not reached is listed with a reason.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.consents import covers
from auth.models import Consent, OAuthClient
from auth.pairwise import account_for
from notifications import categories
from notifications.errors import CategoryNotAllowed, UnknownCategory
from notifications.schemas import PublishIn, PublishOut, Refusal
from notifications.service import publish_to_accounts

CONSENT_SCOPE = "notifications"
MAX_SUB_LENGTH = 64


def allowed_categories(client: OAuthClient, miniapps: list[Any]) -> set[str]:
    """``miniapp`` for everyone; a built-in mini-app also its own declared categories."""
    allowed = {categories.MINIAPP}
    for mini in miniapps:
        if getattr(mini, "client_id", None) == client.client_id:
            allowed.update(c.code for c in mini.notification_categories)
    return allowed


async def consenting(session: AsyncSession, client: OAuthClient, account_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if client.first_party:
        return set(account_ids)
    found: set[uuid.UUID] = set()
    for i in range(0, len(account_ids), 1000):
        rows = await session.exec(
            select(Consent).where(
                Consent.client_id == client.client_id, Consent.account_id.in_(account_ids[i : i + 1000])
            )
        )
        found.update(c.account_id for c in rows.all() if covers(c, [CONSENT_SCOPE]))
    return found


async def publish_for_client(
    session: AsyncSession, client: OAuthClient, body: PublishIn, miniapps: list[Any]
) -> PublishOut:
    if categories.get(body.category) is None:
        raise UnknownCategory(params={"category": body.category}, category=body.category)
    if body.category not in allowed_categories(client, miniapps):
        raise CategoryNotAllowed(params={"category": body.category}, category=body.category)

    refused: list[Refusal] = []
    sub_of: dict[uuid.UUID, str] = {}
    for sub in dict.fromkeys(body.recipients):
        account_id = await account_for(session, client, sub) if 0 < len(sub) <= MAX_SUB_LENGTH else None
        if account_id is None:
            refused.append(Refusal(recipient=sub, reason="unknown_recipient"))
        else:
            sub_of.setdefault(account_id, sub)
    allowed = await consenting(session, client, list(sub_of))
    for account_id, sub in sub_of.items():
        if account_id not in allowed:
            refused.append(Refusal(recipient=sub, reason="no_consent"))
    targets = [a for a in sub_of if a in allowed]

    result = await publish_to_accounts(
        session,
        recipients=targets,
        category=body.category,
        title=body.title,
        body=body.body,
        data=body.data,
        source=f"miniapp:{client.client_id}",
    )
    for r in result.refused:
        refused.append(Refusal(recipient=sub_of[uuid.UUID(r["recipient"])], reason=r["reason"]))
    accepted = len(targets) - len(result.refused)
    return PublishOut(
        id=result.notification_ids[0] if result.notification_ids else None, accepted=accepted, refused=refused
    )

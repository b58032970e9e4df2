"""Personal-data hooks of the platform (``Module.export`` / ``Module.erase``).

On erasure, every web mini-app that knew the citizen — through a consent or a pairwise ``sub``
it was given — receives an ``account.deleted`` webhook naming that ``sub``, so its server can
forget them too. The host's own rows about the citizen (consents, grants) are the identity
module's to erase.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient, PairwiseSubject
from auth.pairwise import pairwise_sub, sector_of
from miniapps.platform import identity, repository, webhooks
from superapp.context import AppContext


async def _known_client_ids(session: AsyncSession, account_id: uuid.UUID) -> set[str]:
    client_ids = {c.client_id for c in await identity.list_consents(session, account_id)}
    sectors = await session.exec(select(PairwiseSubject.sector_id).where(PairwiseSubject.account_id == account_id))
    app_ids = [repository.parse_uuid(s.removeprefix("miniapp:")) for s in sectors if s.startswith("miniapp:")]
    for app_id in filter(None, app_ids):
        app = await repository.get(session, app_id)
        if app is not None:
            client_ids.add(app.client_id)
    return client_ids


async def erase(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    client_ids = sorted(await _known_client_ids(session, account_id))
    secret = ctx.settings.secrets["pairwise_secret"]
    for app in await repository.all_with_webhooks_for_clients(session, client_ids):
        client = await session.get(OAuthClient, app.client_id)
        if client is None:
            continue
        sub = pairwise_sub(secret, sector_of(client), account_id)
        await webhooks.enqueue_event(session, app, "account.deleted", {"sub": sub})


async def export(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    """The mini-apps this account registered as a developer (secrets never included)."""
    rows = await repository.page(session, limit=10_000, owner_id=account_id)
    return {
        "developer_miniapps": [
            {
                "id": str(app.id),
                "client_id": app.client_id,
                "name": app.name,
                "status": app.status,
                "home_url": app.home_url,
                "created_at": app.created_at.isoformat(),
            }
            for app in rows
        ]
    }

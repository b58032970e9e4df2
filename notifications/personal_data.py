"""The citizen's notification data for ``GET /v1/me/export`` and its erasure on ``DELETE /v1/me``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import repository
from notifications.models import Delivery, Device, InboxItem, Preference
from superapp.context import AppContext


async def export(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    inbox = await repository.inbox_of(session, account_id)
    return {
        "inbox": [
            {
                "id": str(item.id),
                "category": n.category,
                "title": n.title,
                "body": n.body,
                "data": n.data,
                "source": n.source,
                "created_at": item.created_at.isoformat(),
                "read_at": item.read_at.isoformat() if item.read_at else None,
            }
            for item, n in inbox
        ],
        "devices": [
            {
                "platform": d.platform,
                "language": d.language,
                "created_at": d.created_at.isoformat(),
                "last_seen_at": d.last_seen_at.isoformat(),
            }
            for d in await repository.devices_of(session, account_id)
        ],
        "preferences": {
            p.category: {"inbox": p.inbox, "push": p.push} for p in await repository.preferences_of(session, account_id)
        },
    }


async def erase(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    """Remove the inbox, devices, preferences and delivery records of the account."""
    for model in (InboxItem, Device, Preference, Delivery):
        await session.execute(delete(model).where(model.account_id == account_id))
    await session.flush()

"""The Python API other modules use to notify citizens.

Call ``publish`` inside your own transaction: inbox rows and delivery (outbox) rows are written
with your changes, and nothing is pushed unless your transaction commits.

Texts are given in both languages (``{"vi": ..., "en": ...}``); the inbox shows each citizen
the language their app asks for.

Give ``recipients`` (account ids) for a targeted message, or ``audience`` (``"all"`` or
``"district:CODE"``) for a broadcast fanned out by workers in chunks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

LocalizedText = dict[str, str]


@dataclass
class PublishResult:
    notification_ids: list[uuid.UUID] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)  # [{"recipient", "reason"}]
    duplicate: bool = False
    broadcast_id: uuid.UUID | None = None


async def publish(
    session: AsyncSession,
    *,
    recipients: list[uuid.UUID] | None = None,
    category: str,
    title: LocalizedText,
    body: LocalizedText,
    data: dict[str, Any] | None = None,
    source: str = "system",
    idempotency_key: str | None = None,
    audience: str | None = None,
) -> PublishResult:
    """Notify ``recipients`` (account ids) or an ``audience``. Implemented by the notification hub."""
    if audience is not None:
        from notifications.broadcast import start_broadcast

        created, fresh = await start_broadcast(
            session,
            audience=audience,
            category=category,
            title=title,
            body=body,
            data=data,
            source=source,
            idempotency_key=idempotency_key,
        )
        return PublishResult(notification_ids=[created.notification_id], broadcast_id=created.id, duplicate=not fresh)

    from notifications.service import publish_to_accounts

    return await publish_to_accounts(
        session,
        recipients=recipients or [],
        category=category,
        title=title,
        body=body,
        data=data or {},
        source=source,
        idempotency_key=idempotency_key,
    )

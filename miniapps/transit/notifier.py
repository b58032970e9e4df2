"""Citizen notifications for tickets (category ``transit.ticket``).

Events are written as outbox jobs in the caller's transaction; the job hands them to the
notification hub's public interface (``notifications.api.publish``), so a purchase never waits
for, nor fails with, the hub.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.sdk import NotificationCategory
from superapp import i18n, outbox
from superapp.db import unit_of_work

if TYPE_CHECKING:
    from superapp.context import AppContext

CATEGORY = "transit.ticket"
JOB_KIND = "transit.notify"
EVENTS = ("purchased", "revoked", "expiring")

CATEGORIES = [
    NotificationCategory(code=CATEGORY, name={"vi": "Vé xe buýt", "en": "Bus tickets"}),
]


async def notify(
    session: AsyncSession,
    *,
    event: str,
    account_id: uuid.UUID | None,
    ticket_id: uuid.UUID,
    product_name: dict[str, str],
    params: dict[str, Any] | None = None,
) -> None:
    """Queue one ``event`` about a ticket for its owner (once per event and ticket)."""
    if account_id is None or event not in EVENTS:
        return
    await outbox.enqueue(
        session,
        JOB_KIND,
        {
            "event": event,
            "account_id": str(account_id),
            "ticket_id": str(ticket_id),
            "product_name": product_name,
            "params": params or {},
        },
        dedupe_key=f"{JOB_KIND}:{event}:{ticket_id}",
    )


def render(event: str, product_name: dict[str, str], params: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Title and body in every language."""
    title, body = {}, {}
    for lang in i18n.LANGUAGES:
        values = {**params, "product": product_name.get(lang) or next(iter(product_name.values()), "")}
        title[lang] = i18n.t(f"transit.notify.{event}.title", lang, **values)
        body[lang] = i18n.t(f"transit.notify.{event}.body", lang, **values)
    return title, body


@outbox.handler(JOB_KIND)
async def deliver(ctx: AppContext, payload: dict[str, Any]) -> None:
    from notifications import api

    title, body = render(payload["event"], payload["product_name"], payload.get("params") or {})
    async with unit_of_work(ctx.sessionmaker) as session:
        await api.publish(
            session,
            recipients=[uuid.UUID(payload["account_id"])],
            category=CATEGORY,
            title=title,
            body=body,
            data={"ticket_id": payload["ticket_id"], "event": payload["event"]},
            source="transit",
            idempotency_key=f"{JOB_KIND}:{payload['event']}:{payload['ticket_id']}",
        )

"""Periodic job: remind citizens the day before a pass expires."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from miniapps.transit import notifier, repository
from miniapps.transit.config import aware, now_utc, transit_settings
from superapp.db import unit_of_work
from superapp.workers import periodic

if TYPE_CHECKING:
    from superapp.context import AppContext

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


async def remind_expiring(ctx: AppContext) -> int:
    """Queue an ``expiring`` notification for passes ending within ``expiry_reminder_hours``."""
    now = now_utc(ctx)
    until = now + timedelta(hours=transit_settings(ctx).expiry_reminder_hours)
    async with unit_of_work(ctx.sessionmaker) as session:
        tickets = await repository.expiring_tickets(session, now, until)
        for ticket in tickets:
            product = await repository.get_product(session, ticket.product_code)
            local_end = aware(ticket.valid_until).astimezone(HANOI).strftime("%H:%M %d/%m/%Y")
            await notifier.notify(
                session,
                event="expiring",
                account_id=ticket.account_id,
                ticket_id=ticket.id,
                product_name=product.name if product else {"vi": ticket.product_code, "en": ticket.product_code},
                params={"valid_until": local_end},
            )
            ticket.expiry_notified_at = now
        return len(tickets)


@periodic("transit.expiry_reminders", every_seconds=900)
async def expiry_reminders_job(ctx: AppContext) -> None:
    await remind_expiring(ctx)

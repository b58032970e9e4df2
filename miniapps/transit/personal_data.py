"""Personal data hooks: what ``GET /v1/me/export`` shows and what ``DELETE /v1/me`` erases."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from miniapps.transit import repository
from miniapps.transit.config import aware, now_utc
from miniapps.transit.models import TransitOrder, TransitTicket, TransitValidation

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from superapp.context import AppContext


def _iso(dt) -> str | None:
    return aware(dt).isoformat() if dt is not None else None


async def export(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    orders = await repository.account_rows(session, TransitOrder, account_id)
    tickets = await repository.account_rows(session, TransitTicket, account_id)
    trips = await repository.account_rows(session, TransitValidation, account_id)
    return {
        "orders": [
            {"id": str(o.id), "product_code": o.product_code, "amount_vnd": o.amount_vnd,
             "payment_method": o.payment_method, "created_at": _iso(o.created_at)}
            for o in orders
        ],
        "tickets": [
            {"id": str(t.id), "product_code": t.product_code, "status": t.status, "valid_from": _iso(t.valid_from),
             "valid_until": _iso(t.valid_until), "device_bound": t.device_key is not None,
             "used_at": _iso(t.used_at), "revoked_at": _iso(t.revoked_at)}
            for t in tickets
        ],
        "trips": [
            {"id": str(v.id), "ticket_id": str(v.ticket_id), "validator_id": v.validator_id, "route": v.route,
             "result": v.result, "source": v.source, "tapped_at": _iso(v.tapped_at)}
            for v in trips
        ],
    }


async def erase(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    """Tickets are revoked (so no copy of a QR keeps travelling) and every row is unlinked from
    the account; orders and taps stay as anonymous fare records."""
    now = now_utc(ctx)
    for ticket in await repository.account_rows(session, TransitTicket, account_id):
        if ticket.status != "revoked":
            ticket.status, ticket.revoked_at, ticket.revoked_reason = "revoked", now, "account_erased"
        ticket.account_id = None
        ticket.device_key = ticket.device_certificate = None
    for model in (TransitOrder, TransitValidation):
        for row in await repository.account_rows(session, model, account_id):
            row.account_id = None
    await session.flush()

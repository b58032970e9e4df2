"""Buying a ticket: product, concession check, payment, ticket, notification."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from miniapps.transit import notifier, repository
from miniapps.transit.concessions import ineligibility
from miniapps.transit.config import TransitSettings, now_utc, transit_settings
from miniapps.transit.errors import (
    ConcessionNotEligible,
    ConcessionPassActive,
    PaymentDeclined,
    PaymentMethodUnsupported,
    ProductNotFound,
)
from miniapps.transit.models import TransitOrder, TransitProduct, TransitTicket
from miniapps.transit.payments import provider_for
from superapp.context import AppContext


def validity(product: TransitProduct, start: datetime, settings: TransitSettings) -> datetime:
    if product.kind == "single_ride":
        return start + timedelta(days=settings.single_ride_validity_days)
    if product.kind == "day_pass":
        return start + timedelta(hours=settings.day_pass_hours)
    return start + timedelta(days=settings.monthly_pass_days)


async def purchase(
    ctx: AppContext, session: AsyncSession, account: Account, product_code: str, payment_method: str
) -> tuple[TransitOrder, TransitTicket]:
    settings = transit_settings(ctx)
    product = await repository.get_product(session, product_code)
    if product is None or not product.active:
        raise ProductNotFound(product_code=product_code)
    provider = provider_for(ctx, payment_method)
    if provider is None:
        raise PaymentMethodUnsupported(payment_method=payment_method)
    now = now_utc(ctx)
    why = ineligibility(account, product.concession, now, settings)
    if why is not None:
        raise ConcessionNotEligible(concession=product.concession, failed_check=why)
    if product.concession and product.price_vnd == 0 and await repository.has_active_ticket(
        session, account.id, product.code, now
    ):
        raise ConcessionPassActive(product_code=product.code)

    order = TransitOrder(
        account_id=account.id,
        product_code=product.code,
        amount_vnd=product.price_vnd,
        payment_method=provider.name,
        created_at=now,
    )
    session.add(order)
    await session.flush()
    result = await provider.charge(
        order_id=order.id, amount_vnd=product.price_vnd, description=f"transit:{product.code}"
    )
    if not result.approved:
        raise PaymentDeclined(failure=result.failure)
    order.payment_reference = result.reference
    ticket = TransitTicket(
        account_id=account.id,
        order_id=order.id,
        product_code=product.code,
        product_number=product.number,
        kind=product.kind,
        concession=product.concession,
        valid_from=now,
        valid_until=validity(product, now, settings),
        created_at=now,
    )
    session.add(ticket)
    await session.flush()
    await notifier.notify(
        session, event="purchased", account_id=account.id, ticket_id=ticket.id, product_name=product.name
    )
    return order, ticket

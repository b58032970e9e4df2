"""Operator actions (role ``transit_operator`` or ``admin``), each written to the audit log:
revoking tickets, managing products, registering validators, rotating the transit key."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.transit import keys, notifier, repository
from miniapps.transit.config import now_utc
from miniapps.transit.errors import (
    ProductExists,
    ProductNotFound,
    TicketNotFound,
    ValidatorExists,
    ValidatorNotFound,
)
from miniapps.transit.models import TransitProduct, TransitTicket, TransitValidator
from miniapps.transit.schemas import (
    ProductCreate,
    ProductUpdate,
    ValidatorCreate,
    ValidatorUpdate,
)
from miniapps.transit.validation import VALIDATOR_CACHE_KEY
from superapp import audit
from superapp.context import AppContext
from superapp.db import utcnow

MAX_PRODUCT_NUMBER = 0xFFFF


async def revoke_ticket(
    ctx: AppContext, session: AsyncSession, ticket_id: uuid.UUID, reason: str | None, actor_id: uuid.UUID
) -> TransitTicket:
    """Revoke a ticket (idempotent): online validation refuses it at once, offline validators
    with their next deny-list sync."""
    ticket = await repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise TicketNotFound()
    if ticket.status == "revoked":
        return ticket
    previous = ticket.status
    ticket.status = "revoked"
    ticket.revoked_at = now_utc(ctx)
    ticket.revoked_reason = reason
    await audit.record(
        session,
        action="transit.ticket.revoke",
        target_type="transit_ticket",
        target_id=ticket.id,
        actor_id=actor_id,
        detail={"reason": reason, "previous_status": previous},
    )
    product = await repository.get_product(session, ticket.product_code)
    await notifier.notify(
        session,
        event="revoked",
        account_id=ticket.account_id,
        ticket_id=ticket.id,
        product_name=product.name if product else {"vi": ticket.product_code, "en": ticket.product_code},
    )
    await session.flush()
    return ticket


async def create_product(session: AsyncSession, body: ProductCreate, actor_id: uuid.UUID) -> TransitProduct:
    if await repository.get_product(session, body.code) is not None:
        raise ProductExists(product_code=body.code)
    number = await repository.next_product_number(session)
    if number > MAX_PRODUCT_NUMBER:
        raise ProductExists(product_code=body.code)
    product = TransitProduct(
        code=body.code,
        number=number,
        kind=body.kind,
        name=body.name.model_dump(),
        price_vnd=body.price_vnd,
        concession=body.concession,
        sort_order=body.sort_order,
    )
    try:
        async with session.begin_nested():
            session.add(product)
            await session.flush()
    except IntegrityError as exc:
        raise ProductExists(product_code=body.code) from exc
    await audit.record(
        session, action="transit.product.create", target_type="transit_product", target_id=product.code,
        actor_id=actor_id, detail=body.model_dump(mode="json"),
    )
    return product


async def update_product(session: AsyncSession, code: str, body: ProductUpdate, actor_id: uuid.UUID) -> TransitProduct:
    product = await repository.get_product(session, code)
    if product is None:
        raise ProductNotFound(product_code=code)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    for field, value in changes.items():
        setattr(product, field, value)
    product.updated_at = utcnow()
    await audit.record(
        session, action="transit.product.update", target_type="transit_product", target_id=code,
        actor_id=actor_id, detail=changes,
    )
    await session.flush()
    return product


async def register_validator(
    ctx: AppContext, session: AsyncSession, body: ValidatorCreate, actor_id: uuid.UUID
) -> TransitValidator:
    if await repository.get_validator(session, body.validator_id) is not None:
        raise ValidatorExists(validator_id=body.validator_id)
    row = TransitValidator(**body.model_dump())
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise ValidatorExists(validator_id=body.validator_id) from exc
    ctx.cache.get(VALIDATOR_CACHE_KEY, {}).pop(body.validator_id, None)
    await audit.record(
        session, action="transit.validator.register", target_type="transit_validator", target_id=row.validator_id,
        actor_id=actor_id, detail=body.model_dump(),
    )
    return row


async def update_validator(
    ctx: AppContext, session: AsyncSession, validator_id: str, body: ValidatorUpdate, actor_id: uuid.UUID
) -> TransitValidator:
    row = await repository.get_validator(session, validator_id)
    if row is None:
        raise ValidatorNotFound(validator_id=validator_id)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if field in ("name", "active") and value is None:
            continue
        setattr(row, field, value)
    row.updated_at = utcnow()
    ctx.cache.get(VALIDATOR_CACHE_KEY, {}).pop(validator_id, None)
    await audit.record(
        session, action="transit.validator.update", target_type="transit_validator", target_id=validator_id,
        actor_id=actor_id, detail=changes,
    )
    await session.flush()
    return row


async def rotate_key(ctx: AppContext, session: AsyncSession, actor_id: uuid.UUID | None) -> dict[str, str | None]:
    result = await keys.rotate(session, ctx.settings.secrets["secret_key"])
    await audit.record(
        session, action="transit.key.rotate", target_type="transit_key", target_id=result["active"] or "",
        actor_id=actor_id, detail=result,
    )
    ctx.cache.pop(keys.CACHE_KEY, None)
    return result

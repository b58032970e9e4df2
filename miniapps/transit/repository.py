"""Every transit query, in one place."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.transit.models import (
    TransitProduct,
    TransitTicket,
    TransitValidation,
    TransitValidator,
)


async def list_products(session: AsyncSession, *, include_inactive: bool = False) -> list[TransitProduct]:
    stmt = select(TransitProduct).order_by(TransitProduct.sort_order, TransitProduct.code)
    if not include_inactive:
        stmt = stmt.where(TransitProduct.active == True)
    return list((await session.exec(stmt)).all())


async def get_product(session: AsyncSession, code: str) -> TransitProduct | None:
    return await session.get(TransitProduct, code)


async def next_product_number(session: AsyncSession) -> int:
    current = (await session.exec(select(func.max(TransitProduct.number)))).one()
    return (current or 0) + 1


async def get_ticket(session: AsyncSession, ticket_id: uuid.UUID) -> TransitTicket | None:
    return await session.get(TransitTicket, ticket_id)


async def has_active_ticket(session: AsyncSession, account_id: uuid.UUID, product_code: str, now: datetime) -> bool:
    stmt = select(TransitTicket.id).where(
        TransitTicket.account_id == account_id,
        TransitTicket.product_code == product_code,
        TransitTicket.status == "active",
        TransitTicket.valid_until > now,
    )
    return (await session.exec(stmt.limit(1))).first() is not None


async def wallet_page(
    session: AsyncSession, account_id: uuid.UUID, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[TransitTicket]:
    stmt = select(TransitTicket).where(TransitTicket.account_id == account_id)
    if after is not None:
        at, tid = after
        stmt = stmt.where(
            or_(TransitTicket.created_at < at, and_(TransitTicket.created_at == at, TransitTicket.id < tid))
        )
    stmt = stmt.order_by(TransitTicket.created_at.desc(), TransitTicket.id.desc()).limit(limit + 1)
    return list((await session.exec(stmt)).all())


async def trips_page(
    session: AsyncSession, account_id: uuid.UUID, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[TransitValidation]:
    stmt = select(TransitValidation).where(
        TransitValidation.account_id == account_id, TransitValidation.result == "accepted"
    )
    if after is not None:
        at, vid = after
        stmt = stmt.where(
            or_(TransitValidation.tapped_at < at, and_(TransitValidation.tapped_at == at, TransitValidation.id < vid))
        )
    stmt = stmt.order_by(TransitValidation.tapped_at.desc(), TransitValidation.id.desc()).limit(limit + 1)
    return list((await session.exec(stmt)).all())


async def validations_page(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
    ticket_id: uuid.UUID | None = None,
    validator_id: str | None = None,
    result: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TransitValidation]:
    """Every tap, newest first (``tapped_at``, then id), filtered; up to ``limit + 1`` rows."""
    stmt = select(TransitValidation)
    if ticket_id is not None:
        stmt = stmt.where(TransitValidation.ticket_id == ticket_id)
    if validator_id is not None:
        stmt = stmt.where(TransitValidation.validator_id == validator_id)
    if result is not None:
        stmt = stmt.where(TransitValidation.result == result)
    if since is not None:
        stmt = stmt.where(TransitValidation.tapped_at >= since)
    if until is not None:
        stmt = stmt.where(TransitValidation.tapped_at < until)
    if after is not None:
        at, vid = after
        stmt = stmt.where(
            or_(TransitValidation.tapped_at < at, and_(TransitValidation.tapped_at == at, TransitValidation.id < vid))
        )
    stmt = stmt.order_by(TransitValidation.tapped_at.desc(), TransitValidation.id.desc()).limit(limit + 1)
    return list((await session.exec(stmt)).all())


async def claim_single_ride(session: AsyncSession, ticket_id: uuid.UUID, at: datetime) -> bool:
    """Compare-and-set ``active → used``: true for exactly one caller, whatever the concurrency."""
    result = await session.execute(
        update(TransitTicket)
        .where(TransitTicket.id == ticket_id, TransitTicket.status == "active")
        .values(status="used", used_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def use_single_ride(session: AsyncSession, ticket_id: uuid.UUID, device_key: str | None, at: datetime):
    """The online compare-and-set: ``active → used`` for an unbound ticket (``device_key`` None)
    or one bound to ``device_key``; returns the ticket's brief columns, or None if nothing changed."""
    bound = TransitTicket.device_key.is_(None) if device_key is None else TransitTicket.device_key == device_key
    stmt = (
        update(TransitTicket)
        .where(TransitTicket.id == ticket_id, TransitTicket.status == "active", TransitTicket.kind == "single_ride", bound)
        .values(status="used", used_at=at)
        .returning(
            TransitTicket.account_id, TransitTicket.product_code, TransitTicket.concession, TransitTicket.valid_until
        )
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(stmt)).first()


async def validation_by_dedupe_key(session: AsyncSession, key: str) -> TransitValidation | None:
    stmt = select(TransitValidation).where(TransitValidation.dedupe_key == key)
    return (await session.exec(stmt)).first()


async def accepted_elsewhere(
    session: AsyncSession, ticket_id: uuid.UUID, validator_id: str, start: datetime, end: datetime
) -> bool:
    """An accepted tap of this ticket on another validator between ``start`` and ``end``."""
    stmt = select(TransitValidation.id).where(
        TransitValidation.ticket_id == ticket_id,
        TransitValidation.result == "accepted",
        TransitValidation.validator_id != validator_id,
        TransitValidation.tapped_at >= start,
        TransitValidation.tapped_at <= end,
    )
    return (await session.exec(stmt.limit(1))).first() is not None


async def denylist_page(
    session: AsyncSession, since: datetime | None, now: datetime, limit: int
) -> list[tuple[uuid.UUID, datetime, datetime]]:
    stmt = select(TransitTicket.id, TransitTicket.revoked_at, TransitTicket.valid_until).where(
        TransitTicket.revoked_at.is_not(None), TransitTicket.valid_until > now
    )
    if since is not None:
        stmt = stmt.where(TransitTicket.revoked_at >= since)
    stmt = stmt.order_by(TransitTicket.revoked_at, TransitTicket.id).limit(limit + 1)
    return [tuple(row) for row in (await session.exec(stmt)).all()]


async def expiring_tickets(session: AsyncSession, now: datetime, until: datetime, limit: int = 500) -> list[TransitTicket]:
    stmt = select(TransitTicket).where(
        TransitTicket.status == "active",
        TransitTicket.kind != "single_ride",
        TransitTicket.expiry_notified_at.is_(None),
        TransitTicket.valid_until > now,
        TransitTicket.valid_until <= until,
    )
    return list((await session.exec(stmt.limit(limit))).all())


async def get_validator(session: AsyncSession, validator_id: str) -> TransitValidator | None:
    return await session.get(TransitValidator, validator_id)


async def list_validators(session: AsyncSession) -> list[TransitValidator]:
    return list((await session.exec(select(TransitValidator).order_by(TransitValidator.validator_id))).all())


async def account_rows(session: AsyncSession, model, account_id: uuid.UUID) -> list:
    return list((await session.exec(select(model).where(model.account_id == account_id))).all())

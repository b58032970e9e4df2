"""Every query of the accounts package."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, DependentLink


async def account_by_phone(session: AsyncSession, phone: str) -> Account | None:
    return (await session.exec(select(Account).where(Account.phone == phone))).first()


async def account_by_email(session: AsyncSession, email: str) -> Account | None:
    return (await session.exec(select(Account).where(Account.email == email))).first()


async def account_by_national_id(session: AsyncSession, national_id: str) -> Account | None:
    return (await session.exec(select(Account).where(Account.national_id == national_id))).first()


async def dependent_link(session: AsyncSession, guardian_id: uuid.UUID, national_id: str) -> DependentLink | None:
    query = select(DependentLink).where(
        DependentLink.guardian_id == guardian_id, DependentLink.national_id == national_id
    )
    return (await session.exec(query)).first()


async def dependents_page(
    session: AsyncSession, guardian_id: uuid.UUID, *, limit: int, after_id: uuid.UUID | None = None
) -> list[DependentLink]:
    """Up to ``limit + 1`` links in id order (UUIDv7: creation order), after ``after_id``."""
    query = select(DependentLink).where(DependentLink.guardian_id == guardian_id)
    if after_id is not None:
        query = query.where(col(DependentLink.id) > after_id)
    query = query.order_by(col(DependentLink.id)).limit(limit + 1)
    return list((await session.exec(query)).all())


async def all_dependents(session: AsyncSession, guardian_id: uuid.UUID) -> list[DependentLink]:
    query = select(DependentLink).where(DependentLink.guardian_id == guardian_id).order_by(col(DependentLink.id))
    return list((await session.exec(query)).all())


async def delete_dependents(session: AsyncSession, guardian_id: uuid.UUID) -> None:
    for link in await all_dependents(session, guardian_id):
        await session.delete(link)
    await session.flush()

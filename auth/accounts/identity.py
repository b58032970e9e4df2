"""Identity level 2 (national ID confirmed by the population registry) and guardian links.

Both rest on the registry adapter (:mod:`auth.registry`): the CCCD layout is checked first
(:mod:`auth.cccd`), then the registry must agree on number, name and birth date together.
A child is linked only when under 16 and when the registry lists the guardian's own national
ID among the child's parents or guardians.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.accounts import repository as repo
from auth.accounts.errors import (
    BirthDateInFuture,
    DependentAlreadyLinked,
    DependentIsSelf,
    DependentNotFound,
    IdentityAlreadyVerified,
    IdentityMismatch,
    NationalIdTaken,
    NotAMinor,
    NotGuardian,
)
from auth.accounts.service import flush_unique
from auth.cccd import validate_cccd
from auth.models import Account, DependentLink
from auth.registry import registry_for
from superapp.audit import record
from superapp.db import utcnow
from superapp.errors import NotFound

if TYPE_CHECKING:
    from superapp.context import AppContext

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DEPENDENT_AGE_LIMIT = 16
IDENTITY_ATTEMPTS = "10/hour"


def today_in_hanoi() -> date:
    return datetime.now(HANOI).date()


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _check_birth_date(birth_date: date) -> None:
    if birth_date > today_in_hanoi():
        raise BirthDateInFuture()


async def verify_identity(
    ctx: AppContext, session: AsyncSession, account: Account, *, national_id: str, full_name: str, birth_date: date
) -> Account:
    """Raise ``account`` to identity level 2 when the registry confirms who they are."""
    _check_birth_date(birth_date)
    validate_cccd(national_id, birth_date)
    if account.identity_level >= 2 and account.national_id:
        if account.national_id == national_id:
            return account
        raise IdentityAlreadyVerified()
    await ctx.limiter.check(IDENTITY_ATTEMPTS, "identity-verify", str(account.id))
    person = await registry_for(ctx, session).lookup(national_id)
    if person is None or not person.matches(full_name=full_name, birth_date=birth_date):
        raise IdentityMismatch()
    holder = await repo.account_by_national_id(session, national_id)
    if holder is not None and holder.id != account.id:
        raise NationalIdTaken()
    now = utcnow()
    account.national_id = national_id
    account.birth_date = person.birth_date
    account.full_name = person.full_name
    account.identity_level = 2
    account.identity_verified_at = account.updated_at = now
    if account.district_code is None and person.district_code:
        account.district_code = person.district_code
    session.add(account)
    await flush_unique(session)
    await record(
        session,
        action="account.identity_verified",
        target_type="account",
        target_id=account.id,
        actor_id=account.id,
        detail={"level": 2},
    )
    return account


async def link_dependent(
    ctx: AppContext, session: AsyncSession, guardian: Account, *, national_id: str, full_name: str, birth_date: date
) -> DependentLink:
    """Link a child under 16 to a level-2 guardian the registry names as parent or guardian."""
    _check_birth_date(birth_date)
    validate_cccd(national_id, birth_date)
    if national_id == guardian.national_id:
        raise DependentIsSelf()
    if age_on(birth_date, today_in_hanoi()) >= DEPENDENT_AGE_LIMIT:
        raise NotAMinor(limit=DEPENDENT_AGE_LIMIT)
    if await repo.dependent_link(session, guardian.id, national_id) is not None:
        raise DependentAlreadyLinked()
    await ctx.limiter.check(IDENTITY_ATTEMPTS, "dependent-link", str(guardian.id))
    child = await registry_for(ctx, session).lookup(national_id)
    if child is None or not child.matches(full_name=full_name, birth_date=birth_date):
        raise DependentNotFound()
    if guardian.national_id not in child.guardian_national_ids:
        raise NotGuardian()
    link = DependentLink(
        guardian_id=guardian.id,
        national_id=national_id,
        birth_date=child.birth_date,
        full_name=child.full_name,
        relationship="child",
    )
    session.add(link)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise DependentAlreadyLinked() from exc
    await record(
        session,
        action="account.dependent_linked",
        target_type="dependent_link",
        target_id=link.id,
        actor_id=guardian.id,
    )
    return link


async def unlink_dependent(session: AsyncSession, guardian: Account, link_id: uuid.UUID) -> None:
    link = await session.get(DependentLink, link_id)
    if link is None or link.guardian_id != guardian.id:
        raise NotFound()
    await session.delete(link)
    await session.flush()
    await record(
        session,
        action="account.dependent_unlinked",
        target_type="dependent_link",
        target_id=link_id,
        actor_id=guardian.id,
    )

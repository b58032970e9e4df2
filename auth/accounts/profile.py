"""The citizen's own profile: what ``GET/PATCH /v1/me`` reads and changes."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.accounts import repository as repo
from auth.accounts.districts import is_hanoi_district
from auth.accounts.errors import EmailTaken, FullNameRequired, InvalidDistrict, VerifiedNameLocked
from auth.accounts.service import clean_full_name, flush_unique, normalize_email
from auth.models import Account
from superapp.db import utcnow


def profile_of(account: Account) -> dict[str, Any]:
    """The profile fields of the contract (``birth_date`` only once the identity is verified)."""
    data: dict[str, Any] = {
        "id": str(account.id),
        "phone": account.phone,
        "email": account.email,
        "full_name": account.full_name,
        "roles": list(account.roles or []),
        "identity_level": account.identity_level,
        "district_code": account.district_code,
        "agency_code": account.agency_code,
        "status": account.status,
        "created_at": account.created_at.isoformat() if account.created_at else None,
    }
    if account.birth_date is not None:
        data["birth_date"] = account.birth_date.isoformat()
    return data


async def update_profile(session: AsyncSession, account: Account, changes: dict[str, Any]) -> Account:
    """Apply ``changes`` (any of ``full_name``, ``email``, ``district_code``; None clears email/district).

    A registry-verified name (identity level 2) is the registry's and cannot be edited.
    """
    if "full_name" in changes:
        name = clean_full_name(changes["full_name"])
        if not name:
            raise FullNameRequired()
        if name != (account.full_name or ""):
            if account.identity_level >= 2:
                raise VerifiedNameLocked()
            account.full_name = name
    if "email" in changes:
        email = normalize_email(changes["email"])
        if email and email != account.email:
            holder = await repo.account_by_email(session, email)
            if holder is not None and holder.id != account.id:
                raise EmailTaken()
        account.email = email
    if "district_code" in changes:
        district = changes["district_code"]
        if district is not None and not is_hanoi_district(district):
            raise InvalidDistrict()
        account.district_code = district
    account.updated_at = utcnow()
    session.add(account)
    await flush_unique(session)
    return account

"""Personal data: the export of everything held about a citizen, and erasure.

Each module and mini-app declares ``export``/``erase`` hooks (:class:`miniapps.sdk.Module`);
the export document gathers every hook's output under the module's name, and erasure runs
every ``erase`` hook in the caller's transaction, ends the account's tokens, then removes the
personal fields of the account row. The row itself (its id) stays, status ``deleted``, so the
anonymised records other modules keep (reports, trips, audit entries) still point somewhere.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.accounts import repository as repo
from auth.accounts.service import revoke_account_tokens
from auth.consents import list_consents
from auth.models import Account, Consent
from superapp.audit import record
from superapp.db import utcnow

if TYPE_CHECKING:
    from miniapps.sdk import Module
    from superapp.context import AppContext

log = logging.getLogger(__name__)
EXPORT_FORMAT = "superapp.personal-data-export.v1"
ACCOUNT_EXPORT_FIELDS = (
    "id",
    "phone",
    "email",
    "full_name",
    "status",
    "identity_level",
    "roles",
    "agency_code",
    "national_id",
    "birth_date",
    "district_code",
    "created_at",
    "updated_at",
    "verified_at",
    "identity_verified_at",
    "password_changed_at",
)  # never the password hash


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def account_record(account: Account) -> dict[str, Any]:
    return {name: _jsonable(getattr(account, name)) for name in ACCOUNT_EXPORT_FIELDS}


async def export_auth(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    """The identity module's own section: the account row, the linked dependents and the
    consents in force (which app may read what, since when: Decree 13/2023 Art. 9, 11)."""
    account = await session.get(Account, account_id)
    links = await repo.all_dependents(session, account_id)
    consents = await list_consents(session, account_id)
    return {
        "account": account_record(account) if account else None,
        "dependents": [
            {
                "id": str(link.id),
                "national_id": link.national_id,
                "full_name": link.full_name,
                "birth_date": link.birth_date.isoformat(),
                "relationship": link.relationship,
                "created_at": _jsonable(link.created_at),
            }
            for link in links
        ],
        "consents": [
            {
                "client_id": consent.client_id,
                "scopes": list(consent.scopes),
                "granted_at": _jsonable(consent.granted_at),
                "last_used_at": _jsonable(consent.last_used_at),
            }
            for consent in consents
        ],
    }


async def erase_auth(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    """The identity module's erase hook: guardian links go (the account row is scrubbed last)."""
    await repo.delete_dependents(session, account_id)


async def build_export(
    ctx: AppContext, session: AsyncSession, account: Account, modules: Iterable[Module]
) -> dict[str, Any]:
    """One JSON document: the account and every module's ``export`` section."""
    sections: dict[str, Any] = {}
    for module in modules:
        if module.export is None:
            continue
        try:
            sections[module.name] = await module.export(ctx, session, account.id)
        except Exception:  # noqa: BLE001 - one module failing is shown, not hidden or fatal
            log.exception("personal-data export of module %s failed", module.name)
            sections[module.name] = {"error": "export_failed"}
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "account": account_record(account),
        "modules": sections,
    }


async def erase_account(ctx: AppContext, session: AsyncSession, account: Account, modules: Iterable[Module]) -> None:
    """Erase ``account``: every module's hook, token revocation, consents ended, then the row's
    personal fields.

    A failing hook aborts the whole erasure (the transaction rolls back), so no half-erased
    account is left behind.
    """
    account_id = account.id
    for module in modules:
        if module.erase is not None:
            await module.erase(ctx, session, account_id)
    await revoke_account_tokens(ctx, session, account_id)
    now = utcnow()
    await session.exec(
        update(Consent).where(Consent.account_id == account_id, Consent.revoked_at.is_(None)).values(revoked_at=now)
    )
    account.phone = None
    account.email = None
    account.full_name = None
    account.password_hash = None
    account.national_id = None
    account.birth_date = None
    account.district_code = None
    account.agency_code = None
    account.roles = []
    account.identity_level = 0
    account.status = "deleted"
    account.deleted_at = account.updated_at = now
    session.add(account)
    await session.flush()
    await record(session, action="account.erased", target_type="account", target_id=account_id, actor_id=account_id)

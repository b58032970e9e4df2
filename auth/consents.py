"""The consent ledger: which scopes a citizen granted to which (third-party) client.

Used by the consent page, the mini-app platform's silent SSO and native consent sheet, and
``/v1/me/consents``. Withdrawing a consent revokes the client's grants for the account at once.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Consent
from superapp.context import AppContext
from superapp.db import utcnow


async def get_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str) -> Consent | None:
    """The consent row (revoked or not), or None."""
    return (
        await session.exec(select(Consent).where(Consent.account_id == account_id, Consent.client_id == client_id))
    ).first()


def covers(consent: Consent | None, scopes: list[str]) -> bool:
    """True when an active consent already holds every scope in ``scopes``."""
    if consent is None or consent.revoked_at is not None:
        return False
    return set(scopes) <= set(consent.scopes or [])


async def grant_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str, scopes: list[str]) -> Consent:
    """Record a grant: merges with the scopes already granted, un-revokes a withdrawn consent."""
    consent = await get_consent(session, account_id, client_id)
    now = utcnow()
    if consent is None:
        consent = Consent(account_id=account_id, client_id=client_id, scopes=sorted(set(scopes)), granted_at=now)
        try:
            async with session.begin_nested():
                session.add(consent)
                await session.flush()
            return consent
        except IntegrityError:  # granted concurrently: merge into that row
            consent = await get_consent(session, account_id, client_id)
            assert consent is not None
    if consent.revoked_at is not None:
        consent.scopes = sorted(set(scopes))
        consent.revoked_at = None
    else:
        consent.scopes = sorted(set(consent.scopes or []) | set(scopes))
    consent.granted_at = now
    session.add(consent)
    await session.flush()
    return consent


async def list_consents(session: AsyncSession, account_id: uuid.UUID) -> list[Consent]:
    """Active consents of an account, most recently granted first."""
    rows = await session.exec(
        select(Consent)
        .where(Consent.account_id == account_id, Consent.revoked_at.is_(None))
        .order_by(Consent.granted_at.desc())
    )
    return list(rows.all())


async def revoke_consent(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, client_id: str) -> bool:
    """Withdraw a consent and revoke every grant of that client for the account (refresh
    families in the database, ``gid``s in the revocation index). False if nothing was granted."""
    from auth.oidc.revoke import revoke_account_client

    consent = await get_consent(session, account_id, client_id)
    if consent is None or consent.revoked_at is not None:
        return False
    consent.revoked_at = utcnow()
    session.add(consent)
    await session.flush()
    await revoke_account_client(ctx, session, account_id, client_id)
    return True


async def touch_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str) -> None:
    """Note that the client used the consent (``last_used_at``)."""
    await session.execute(
        update(Consent)
        .where(Consent.account_id == account_id, Consent.client_id == client_id, Consent.revoked_at.is_(None))
        .values(last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    )

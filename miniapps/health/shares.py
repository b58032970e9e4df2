"""Time-limited shares of a record for a doctor: a high-entropy code, stored only as its SHA-256.

A share covers one Patient (the citizen's own record or a dependent's), lives at most
``share_max_seconds`` (24 h), can be revoked, and every use is written to the access log.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health import access_log, notifier
from miniapps.health.errors import ShareExpired, ShareNotFound, ShareRevoked
from miniapps.health.fhir.indexing import to_utc
from miniapps.health.models import HealthShare
from superapp.db import utcnow
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor

CODE_BYTES = 32  # 256 bits


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def status_of(share: HealthShare, now: datetime | None = None) -> str:
    if share.revoked_at is not None:
        return "revoked"
    if to_utc(share.expires_at) <= (now or utcnow()):
        return "expired"
    return "active"


async def create(
    session: AsyncSession, *, account_id: uuid.UUID, patient_id: str, expires_in: int, client_id: str | None
) -> tuple[HealthShare, str]:
    """A new share and its code (the code is returned once and never stored)."""
    code = secrets.token_urlsafe(CODE_BYTES)
    share = HealthShare(
        account_id=account_id,
        patient_id=patient_id,
        code_hash=hash_code(code),
        client_id=client_id,
        expires_at=utcnow() + timedelta(seconds=expires_in),
    )
    session.add(share)
    await session.flush()
    return share, code


async def by_code(session: AsyncSession, code: str) -> HealthShare | None:
    if not code or len(code) > 128:
        return None
    return (await session.exec(select(HealthShare).where(HealthShare.code_hash == hash_code(code)))).first()


async def revoke(session: AsyncSession, *, account_id: uuid.UUID, code: str) -> HealthShare:
    share = await by_code(session, code)
    if share is None or share.account_id != account_id:
        raise ShareNotFound()
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        session.add(share)
        await session.flush()
    return share


async def page(
    session: AsyncSession, account_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[HealthShare], str | None]:
    stmt = select(HealthShare).where(HealthShare.account_id == account_id)
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        try:
            stmt = stmt.where(col(HealthShare.id) < uuid.UUID(str(last)))
        except ValueError as exc:
            raise InvalidCursor() from exc
    rows = list((await session.exec(stmt.order_by(col(HealthShare.id).desc()).limit(limit + 1))).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor([str(rows[-1].id)])
    return rows, None


async def usable(session: AsyncSession, code: str) -> HealthShare:
    """The share behind ``code``; 404 if unknown, 410 if revoked or expired. Writes nothing."""
    share = await by_code(session, code)
    if share is None:
        raise ShareNotFound()
    state = status_of(share)
    if state == "revoked":
        raise ShareRevoked()
    if state == "expired":
        raise ShareExpired()
    return share


async def record_use(session: AsyncSession, share: HealthShare) -> None:
    """Count one opening, log it, and queue the citizen's notification."""
    now = utcnow()
    share.use_count += 1
    share.last_used_at = now
    session.add(share)
    await access_log.append(session, patients=[share.patient_id], interaction="share", share_id=share.id)
    await notifier.share_used(session, share, now)


async def for_account(session: AsyncSession, account_id: uuid.UUID) -> list[HealthShare]:
    return list((await session.exec(select(HealthShare).where(HealthShare.account_id == account_id))).all())

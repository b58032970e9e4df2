"""Pairwise subject identifiers (OpenID Connect Core §8.1).

``sub = base64url(HMAC-SHA256(pairwise secret, sector_id ‖ account id))``: stable for one
client's sector, unlinkable across sectors. First-party clients get the account id itself.
The reverse mapping is kept in ``pairwise_subjects`` (an index, never a scan).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from urllib.parse import urlsplit

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient, PairwiseSubject


def sector_of(client: OAuthClient) -> str:
    """The client's sector: its registered ``sector_id``, else its first redirect URI's host."""
    if client.sector_id:
        return client.sector_id
    for uri in client.redirect_uris or []:
        host = urlsplit(uri).hostname
        if host:
            return host
    return f"client:{client.client_id}"


def pairwise_sub(secret: str, sector_id: str, account_id: uuid.UUID) -> str:
    mac = hmac.new(secret.encode(), sector_id.encode() + b"\x00" + account_id.bytes, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


async def subject_for(session: AsyncSession, secret: str, client: OAuthClient, account_id: uuid.UUID) -> str:
    """The ``sub`` this client sees for this account; records the reverse mapping once."""
    if client.first_party:
        return str(account_id)
    sector = sector_of(client)
    sub = pairwise_sub(secret, sector, account_id)
    existing = await session.get(PairwiseSubject, (sector, sub))
    if existing is None:
        from sqlalchemy.exc import IntegrityError

        try:
            async with session.begin_nested():
                session.add(PairwiseSubject(sector_id=sector, sub=sub, account_id=account_id))
                await session.flush()
        except IntegrityError:
            pass  # recorded concurrently
    return sub


async def account_for(session: AsyncSession, client: OAuthClient, sub: str) -> uuid.UUID | None:
    """The account behind ``sub`` as seen by ``client`` (None if unknown)."""
    if client.first_party:
        try:
            return uuid.UUID(sub)
        except ValueError:
            return None
    row = (
        await session.exec(
            select(PairwiseSubject.account_id).where(
                PairwiseSubject.sector_id == sector_of(client), PairwiseSubject.sub == sub
            )
        )
    ).first()
    return row

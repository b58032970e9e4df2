"""Refresh tokens (RFC 6749 §6, RFC 9700 §4.14.2): opaque, stored as SHA-256, one family per
grant, rotated on every use; a used token presented again revokes the whole family."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.oidc import opaque
from auth.oidc.clock import aware
from auth.oidc.models import Grant, RefreshToken
from superapp.context import AppContext
from superapp.db import utcnow


async def issue_refresh_token(ctx: AppContext, session: AsyncSession, grant: Grant) -> str:
    """A new member of the grant's family, valid for the idle lifetime (never past the grant's
    absolute lifetime)."""
    raw = opaque.new_secret()
    idle_end = utcnow() + timedelta(seconds=ctx.settings.refresh_token_idle_seconds)
    session.add(
        RefreshToken(
            token_hash=opaque.digest(raw),
            grant_id=grant.id,
            client_id=grant.client_id,
            expires_at=min(idle_end, aware(grant.expires_at)),
        )
    )
    return raw


async def claim_refresh_token(
    session: AsyncSession, raw: str, client_id: str
) -> tuple[RefreshToken | None, RefreshToken | None]:
    """Mark the token used in one statement. ``(claimed, None)`` on first use by its client;
    ``(None, reused)`` when that client presents a token already rotated; ``(None, None)``
    when the token is unknown or belongs to another client."""
    token_hash = opaque.digest(raw)
    stmt = (
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.client_id == client_id,
            RefreshToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(RefreshToken)
        .execution_options(synchronize_session=False)
    )
    claimed = (await session.execute(stmt)).scalars().first()
    if claimed is not None:
        return claimed, None
    existing = await session.get(RefreshToken, token_hash)
    if existing is not None and existing.client_id == client_id and existing.used_at is not None:
        return None, existing
    return None, None


async def find_refresh_token(session: AsyncSession, raw: str) -> RefreshToken | None:
    return await session.get(RefreshToken, opaque.digest(raw))


def is_current(token: RefreshToken, grant: Grant | None, *, just_claimed: bool = False) -> bool:
    """Not rotated (unless this request just claimed it), not idle-expired, grant neither
    revoked nor past its absolute lifetime."""
    now = utcnow()
    return (
        (just_claimed or token.used_at is None)
        and aware(token.expires_at) > now
        and grant is not None
        and grant.revoked_at is None
        and aware(grant.expires_at) > now
    )

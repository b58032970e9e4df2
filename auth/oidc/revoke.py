"""Ending sessions and grants before their tokens expire.

Every path marks the rows revoked (refresh tokens of a revoked grant stop working), writes the
``sid``/``gid``/``client`` into the revocation index (``auth.revocation``) so access tokens die
at once, and queues back-channel logout notices (outbox) for the clients concerned.
"""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth import revocation
from auth.oidc.backchannel import LogoutNotice, enqueue_logouts
from auth.oidc.models import Grant, LoginSession
from superapp.context import AppContext
from superapp.db import utcnow


async def revoke_grants(ctx: AppContext, session: AsyncSession, grants: list[Grant], *, notify: bool = True) -> int:
    """Revoke ``grants`` (their refresh-token families and access tokens)."""
    now = utcnow()
    notices = []
    for grant in grants:
        if grant.revoked_at is None:
            grant.revoked_at = now
            session.add(grant)
        await revocation.revoke(ctx, "gid", grant.gid)
        notices.append(LogoutNotice(grant.client_id, grant.subject, grant.sid, grant.sid or grant.gid))
    await session.flush()
    if notify:
        await enqueue_logouts(session, _unique(notices))
    return len(grants)


def _unique(notices: list[LogoutNotice]) -> list[LogoutNotice]:
    seen: dict[tuple[str, str], LogoutNotice] = {}
    for n in notices:
        seen.setdefault((n.client_id, n.key), n)
    return list(seen.values())


async def revoke_grant_id(ctx: AppContext, session: AsyncSession, grant_id: uuid.UUID) -> bool:
    """Revoke one grant by id (code replay, refresh-token reuse, RFC 7009 revocation)."""
    grant = await session.get(Grant, grant_id)
    await revocation.revoke(ctx, "gid", str(grant_id))
    if grant is None:
        return False
    await revoke_grants(ctx, session, [grant])
    return True


async def revoke_session(ctx: AppContext, session: AsyncSession, login: LoginSession) -> None:
    """End one login session: the session row, every grant made in it, the ``sid`` index."""
    if login.revoked_at is None:
        login.revoked_at = utcnow()
        session.add(login)
    await revocation.revoke(ctx, "sid", login.sid)
    grants = (
        await session.exec(select(Grant).where(Grant.sid == login.sid, Grant.revoked_at.is_(None)))
    ).all()
    await revoke_grants(ctx, session, list(grants))


async def revoke_account(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    """Every session and grant of the account (password change, erasure, disabling)."""
    logins = (
        await session.exec(
            select(LoginSession).where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
        )
    ).all()
    now = utcnow()
    for login in logins:
        login.revoked_at = now
        session.add(login)
        await revocation.revoke(ctx, "sid", login.sid)
    grants = (
        await session.exec(select(Grant).where(Grant.account_id == account_id, Grant.revoked_at.is_(None)))
    ).all()
    await revoke_grants(ctx, session, list(grants))


async def revoke_client(ctx: AppContext, session: AsyncSession, client_id: str) -> None:
    """Every grant of a client (suspension, deletion); its tokens die through the index, and
    every process drops its cached row (``auth.client_invalidation``)."""
    await revocation.revoke(ctx, "client", client_id)
    grants = (
        await session.exec(select(Grant).where(Grant.client_id == client_id, Grant.revoked_at.is_(None)))
    ).all()
    await revoke_grants(ctx, session, list(grants), notify=False)


async def revoke_account_client(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, client_id: str) -> int:
    """Every grant one account gave one client (consent withdrawn)."""
    grants = (
        await session.exec(
            select(Grant).where(
                Grant.account_id == account_id, Grant.client_id == client_id, Grant.revoked_at.is_(None)
            )
        )
    ).all()
    return await revoke_grants(ctx, session, list(grants))

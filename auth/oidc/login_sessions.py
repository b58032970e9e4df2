"""Login sessions: a browser sign-in (opaque cookie, its SHA-256 stored) or an app sign-in
(authorization challenge, no cookie). The session id is the ``sid`` claim."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from auth.oidc import opaque
from auth.oidc.claims import acr_for
from auth.oidc.clock import aware, epoch
from auth.oidc.models import LoginSession
from superapp.context import AppContext
from superapp.db import utcnow

BROWSER_SESSION_SECONDS = 7 * 24 * 3600
TOUCH_INTERVAL = timedelta(minutes=5)


async def start_session(
    ctx: AppContext,
    session: AsyncSession,
    account: Account,
    *,
    kind: str,
    amr: list[str],
    user_agent: str | None = None,
    ip: str | None = None,
) -> tuple[LoginSession, str | None]:
    """A new session for ``account``; for browsers also the cookie value (shown once)."""
    now = utcnow()
    cookie = opaque.new_secret() if kind == "browser" else None
    lifetime = BROWSER_SESSION_SECONDS if kind == "browser" else ctx.settings.refresh_token_absolute_seconds
    login = LoginSession(
        account_id=account.id,
        kind=kind,
        token_hash=opaque.digest(cookie) if cookie else None,
        auth_time=epoch(),
        acr=acr_for(account.identity_level),
        amr=list(amr),
        user_agent=(user_agent or "")[:300] or None,
        ip=(ip or "")[:64] or None,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    session.add(login)
    await session.flush()
    return login, cookie


async def browser_session(session: AsyncSession, cookie: str | None) -> LoginSession | None:
    """The live browser session behind a cookie value (None if unknown, ended or expired)."""
    if not cookie or len(cookie) > 100:
        return None
    login = (
        await session.exec(select(LoginSession).where(LoginSession.token_hash == opaque.digest(cookie)))
    ).first()
    now = utcnow()
    if login is None or login.revoked_at is not None or aware(login.expires_at) <= now:
        return None
    if now - aware(login.last_seen_at) > TOUCH_INTERVAL:
        login.last_seen_at = now
        session.add(login)
    return login

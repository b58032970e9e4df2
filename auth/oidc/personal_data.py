"""The provider's part of a citizen's personal-data export and erasure (the identity module's
``export``/``erase`` hooks call these)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Consent
from auth.oidc.clock import aware
from auth.oidc.models import AuthorizationCode, Grant, LoginSession
from auth.oidc.revoke import revoke_account
from superapp.context import AppContext
from superapp.db import utcnow


def _time(value) -> str | None:
    return aware(value).isoformat() if value is not None else None


async def export_oidc(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    """Sign-ins, grants and consents of the account."""
    logins = (await session.exec(select(LoginSession).where(LoginSession.account_id == account_id))).all()
    grants = (await session.exec(select(Grant).where(Grant.account_id == account_id))).all()
    consents = (await session.exec(select(Consent).where(Consent.account_id == account_id))).all()
    return {
        "sessions": [
            {"id": str(s.id), "kind": s.kind, "created_at": _time(s.created_at), "last_seen_at": _time(s.last_seen_at),
             "revoked_at": _time(s.revoked_at), "user_agent": s.user_agent, "ip": s.ip, "acr": s.acr, "amr": s.amr}
            for s in logins
        ],
        "grants": [
            {"id": str(g.id), "client_id": g.client_id, "scopes": g.scopes, "created_at": _time(g.created_at),
             "last_used_at": _time(g.last_used_at), "revoked_at": _time(g.revoked_at)}
            for g in grants
        ],
        "consents": [
            {"client_id": c.client_id, "scopes": c.scopes, "granted_at": _time(c.granted_at),
             "last_used_at": _time(c.last_used_at), "revoked_at": _time(c.revoked_at)}
            for c in consents
        ],
    }


async def erase_oidc(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    """End everything (with back-channel logout), forget devices' addresses, withdraw consents,
    drop pending codes."""
    await revoke_account(ctx, session, account_id)
    await session.execute(
        update(LoginSession).where(LoginSession.account_id == account_id)
        .values(user_agent=None, ip=None, token_hash=None).execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Consent).where(Consent.account_id == account_id, Consent.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    await session.execute(delete(AuthorizationCode).where(AuthorizationCode.account_id == account_id))
    await session.flush()

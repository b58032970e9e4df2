"""Authorization codes (RFC 6749 §4.1.2): ≤ 60 s, single use, bound to a PKCE challenge
(RFC 7636) and to the redirect URI they were issued for (none for the authorization challenge
and the mini-app platform's silent SSO).

``create_authorization_code`` is the one way codes are made: by ``/oauth/authorize``, by the
authorization challenge endpoint and by the mini-app platform.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, OAuthClient
from auth.oidc import opaque
from auth.oidc.claims import acr_for
from auth.oidc.clock import aware, epoch
from auth.oidc.errors import ClientNotAllowed, InvalidCodeChallenge
from auth.oidc.models import AuthorizationCode, LoginSession
from auth.oidc.pkce import challenge_problem
from superapp.context import AppContext
from superapp.db import utcnow
from superapp.errors import AppError

MAX_CODE_SECONDS = 60


class InvalidScope(AppError):
    status = 422
    code = "oidc.invalid_scope"


async def create_authorization_code(
    ctx: AppContext,
    session: AsyncSession,
    *,
    client: OAuthClient,
    account_id: uuid.UUID,
    scopes: list[str],
    code_challenge: str,
    code_challenge_method: str = "S256",
    redirect_uri: str | None = None,
    nonce: str | None = None,
    sid: str | None = None,
    auth_time: int | None = None,
    acr: str | None = None,
    amr: list[str] | None = None,
) -> str:
    """A fresh code for ``client`` on behalf of ``account_id``; only its digest is stored.

    Raises 422 ``oidc.invalid_code_challenge`` (PKCE S256 is required), 422
    ``oidc.invalid_scope`` (a scope the client may not be granted) or 403
    ``oidc.client_not_allowed`` (suspended client, or one without the code grant).
    """
    if challenge_problem(code_challenge, code_challenge_method):
        raise InvalidCodeChallenge()
    if not client.is_active or "authorization_code" not in (client.grant_types or []):
        raise ClientNotAllowed()
    if any(s not in (client.scopes or []) for s in scopes):
        raise InvalidScope(scopes=[s for s in scopes if s not in (client.scopes or [])])
    if sid and (auth_time is None or acr is None or amr is None):
        login = await session.get(LoginSession, uuid.UUID(sid))
        if login is not None:
            auth_time = auth_time if auth_time is not None else login.auth_time
            acr = acr or login.acr
            amr = amr if amr is not None else list(login.amr)
    if acr is None:
        account = await session.get(Account, account_id)
        acr = acr_for(account.identity_level if account else 1)
    code = opaque.new_secret()
    ttl = min(ctx.settings.authorization_code_ttl_seconds, MAX_CODE_SECONDS)
    session.add(
        AuthorizationCode(
            code_hash=opaque.digest(code),
            client_id=client.client_id,
            account_id=account_id,
            scopes=list(scopes),
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            redirect_uri=redirect_uri,
            nonce=nonce,
            sid=sid,
            auth_time=auth_time if auth_time is not None else epoch(),
            acr=acr,
            amr=list(amr or []),
            expires_at=utcnow() + timedelta(seconds=ttl),
        )
    )
    await session.flush()
    return code


async def claim_code(session: AsyncSession, code: str) -> tuple[AuthorizationCode | None, AuthorizationCode | None]:
    """Mark the code used in one statement. ``(claimed, None)`` on first use;
    ``(None, replayed)`` when it was already used; ``(None, None)`` when unknown."""
    code_hash = opaque.digest(code)
    stmt = (
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(AuthorizationCode)
        .execution_options(synchronize_session=False)
    )
    claimed = (await session.execute(stmt)).scalars().first()
    if claimed is not None:
        return claimed, None
    existing = await session.get(AuthorizationCode, code_hash)
    if existing is not None and existing.used_at is not None:
        return None, existing
    return None, None


def is_expired(code: AuthorizationCode) -> bool:
    return aware(code.expires_at) <= utcnow()

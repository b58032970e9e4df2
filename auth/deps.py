"""Resource-server dependencies: the one way every module authenticates a request.

- ``Authenticated``: any valid bearer token (citizen or client credentials) → :class:`Principal`.
- ``require_scopes("feedback")``: the token must carry every named scope.
- ``CurrentAccount``: a token bound to an active citizen account → ``(principal, account)``.
- ``require_roles("admin")`` / ``require_identity_level(2)``: on top of ``CurrentAccount``.

Failures answer 401 (no/invalid token) or 403 (scope, role, level) with ``WWW-Authenticate``
(RFC 6750 §3) and problem+json.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, OAuthClient
from auth.pairwise import account_for
from auth.revocation import is_revoked
from auth.tokens import InvalidToken, api_audience, verify_jwt
from superapp.context import AppContext, get_ctx
from superapp.db import SessionDep
from superapp.errors import AppError

CLIENT_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class Principal:
    """Who is calling: a citizen through a client, or a client on its own behalf."""

    sub: str
    client_id: str
    scopes: frozenset[str]
    account_id: uuid.UUID | None
    sid: str | None = None
    gid: str | None = None
    jti: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_client_only(self) -> bool:
        return self.account_id is None

    def has_scope(self, *scopes: str) -> bool:
        return all(s in self.scopes for s in scopes)


class AuthError(AppError):
    status = 401
    code = "auth.invalid_token"


def _www_authenticate(error: str | None = None, scope: str | None = None) -> dict[str, str]:
    parts = ['Bearer realm="superapp"']
    if error:
        parts.append(f'error="{error}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return {"WWW-Authenticate": ", ".join(parts)}


def invalid_token() -> AuthError:
    return AuthError(headers=_www_authenticate("invalid_token"))


def missing_token() -> AuthError:
    return AuthError(code="unauthorized", message_key="error.unauthorized", headers=_www_authenticate())


async def cached_client(ctx: AppContext, session: AsyncSession, client_id: str) -> OAuthClient | None:
    """The client row, cached briefly per process (suspension bites through the revocation index)."""
    cache: dict[str, tuple[float, OAuthClient | None]] = ctx.cache.setdefault("clients", {})
    hit = cache.get(client_id)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CLIENT_CACHE_SECONDS:
        return hit[1]
    client = await session.get(OAuthClient, client_id)
    if client is not None:
        session.expunge(client)
    if len(cache) > 10_000:
        cache.clear()
    cache[client_id] = (now, client)
    return client


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def principal_from_token(ctx: AppContext, session: AsyncSession, token: str) -> Principal:
    try:
        claims = await verify_jwt(ctx, token, audience=api_audience(ctx))
    except InvalidToken as exc:
        raise invalid_token() from exc
    client_id = claims.get("client_id")
    sub = claims.get("sub")
    if not isinstance(client_id, str) or not isinstance(sub, str):
        raise invalid_token()
    if await is_revoked(ctx, claims):
        raise invalid_token()
    account_id: uuid.UUID | None = None
    if sub != client_id:
        client = await cached_client(ctx, session, client_id)
        if client is None or not client.is_active:
            raise invalid_token()
        account_id = await account_for(session, client, sub)
        if account_id is None:
            raise invalid_token()
    scope = claims.get("scope") or ""
    return Principal(
        sub=sub,
        client_id=client_id,
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        account_id=account_id,
        sid=claims.get("sid"),
        gid=claims.get("gid"),
        jti=claims.get("jti"),
        claims=claims,
    )


async def get_principal(
    request: Request,
    ctx: Annotated[AppContext, Depends(get_ctx)],
    session: SessionDep,
) -> Principal:
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token is None:
        raise missing_token()
    principal = await principal_from_token(ctx, session, token)
    request.state.principal = principal
    return principal


async def get_optional_principal(
    request: Request,
    ctx: Annotated[AppContext, Depends(get_ctx)],
    session: SessionDep,
) -> Principal | None:
    if bearer_token(request) is None:
        return None
    return await get_principal(request, ctx, session)


Authenticated = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def require_scopes(*scopes: str):
    """Dependency: a valid token carrying every scope in ``scopes``."""

    async def dependency(principal: Authenticated) -> Principal:
        if not principal.has_scope(*scopes):
            raise AppError(
                status=403,
                code="auth.insufficient_scope",
                headers=_www_authenticate("insufficient_scope", " ".join(scopes)),
                required_scopes=list(scopes),
            )
        return principal

    return dependency


@dataclass(frozen=True)
class AccountPrincipal:
    principal: Principal
    account: Account

    @property
    def id(self) -> uuid.UUID:
        return self.account.id


async def get_current_account(
    principal: Authenticated, session: SessionDep
) -> AccountPrincipal:
    if principal.account_id is None:
        raise AppError(status=403, code="auth.account_required", message_key="error.forbidden")
    account = await session.get(Account, principal.account_id)
    if account is None or not account.is_active:
        raise invalid_token()
    return AccountPrincipal(principal, account)


CurrentAccount = Annotated[AccountPrincipal, Depends(get_current_account)]


def require_account_scopes(*scopes: str):
    """Dependency: an account-bound token with every scope in ``scopes``."""
    scope_dep = require_scopes(*scopes)

    # The scope check is a default value, not an annotation: annotations are strings here
    # (postponed evaluation) and could not name this local.
    async def dependency(current: CurrentAccount, _principal: Principal = Depends(scope_dep)) -> AccountPrincipal:
        return current

    return dependency


def require_roles(*roles: str):
    """Dependency: an active account holding at least one of ``roles``."""

    async def dependency(current: CurrentAccount) -> AccountPrincipal:
        if not current.account.has_role(*roles):
            raise AppError(status=403, code="auth.insufficient_role", required_roles=list(roles))
        return current

    return dependency


def require_identity_level(level: int):
    async def dependency(current: CurrentAccount) -> AccountPrincipal:
        if current.account.identity_level < level:
            raise AppError(status=403, code="auth.identity_level_required", required_level=level)
        return current

    return dependency

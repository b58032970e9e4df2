"""Silent single sign-on into a mini-app (WeChat ``wx.login`` / Zalo / Alipay style).

The phone app, already signed in, asks for a one-time code for the mini-app's OAuth client.
The mini-app's server redeems it at the token endpoint with its client secret and the PKCE
verifier (RFC 7636), and gets tokens whose ``sub`` is pairwise for that app (OIDC Core §8.1).
A third-party app needs the citizen's consent covering the scopes; built-in (first-party)
apps do not.
"""

from __future__ import annotations

import re

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.deps import AccountPrincipal, cached_client
from auth.models import OAuthClient
from miniapps.platform import identity
from miniapps.platform.apps import AppView
from miniapps.platform.errors import (
    AppError,
    ConsentRequired,
    FirstPartyOnly,
    InvalidCodeChallenge,
    MiniAppNotFound,
    ScopeNotRegistered,
    UnsupportedChallengeMethod,
)
from miniapps.platform.policy import split_scope
from miniapps.platform.schemas import AuthorizeRequest
from superapp.context import AppContext

CODE_CHALLENGE_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.2


async def ensure_first_party_caller(ctx: AppContext, session: AsyncSession, current: AccountPrincipal) -> None:
    """Only the city's own apps may act on the citizen's behalf towards mini-apps."""
    caller = await cached_client(ctx, session, current.principal.client_id)
    if caller is None or not caller.first_party:
        raise FirstPartyOnly()


def requested_scopes(view: AppView, scope: str | None) -> list[str]:
    """The scopes asked for (default: all the app registered), within what it registered."""
    scopes = split_scope(scope) or list(view.scopes)
    beyond = [s for s in scopes if s not in view.scopes]
    if beyond:
        raise ScopeNotRegistered(params={"scopes": " ".join(beyond)}, scopes=beyond)
    return scopes


def check_identity_level(current: AccountPrincipal, scopes: list[str]) -> None:
    if "identity" in scopes and current.account.identity_level < 2:
        raise AppError(status=403, code="auth.identity_level_required", required_level=2)


async def usable_client(session: AsyncSession, view: AppView) -> OAuthClient:
    if not view.is_published:
        raise MiniAppNotFound()
    client = await session.get(OAuthClient, view.client_id)
    if client is None or not client.is_active:
        raise MiniAppNotFound()
    return client


async def authorize(
    ctx: AppContext, session: AsyncSession, current: AccountPrincipal, view: AppView, body: AuthorizeRequest
) -> tuple[str, int]:
    """A PKCE-bound authorization code for the app's client and how long it lives."""
    await ensure_first_party_caller(ctx, session, current)
    client = await usable_client(session, view)
    if body.code_challenge_method != "S256":
        raise UnsupportedChallengeMethod()
    if not CODE_CHALLENGE_RE.match(body.code_challenge):
        raise InvalidCodeChallenge()
    scopes = requested_scopes(view, body.scope)
    check_identity_level(current, scopes)
    account_id = current.account.id
    if not client.first_party:
        consent = await identity.get_consent(session, account_id, client.client_id)
        granted = set(consent.scopes) if consent is not None else set()
        missing = [s for s in scopes if s not in granted]
        if missing:
            raise ConsentRequired(
                scopes=missing,
                requested_scopes=scopes,
                granted_scopes=sorted(granted),
                client_id=client.client_id,
                app_id=view.id,
            )
    claims = current.principal.claims
    code = await identity.create_code(
        ctx,
        session,
        client=client,
        account_id=account_id,
        scopes=scopes,
        code_challenge=body.code_challenge,
        sid=current.principal.sid,
        auth_time=claims.get("auth_time") if isinstance(claims.get("auth_time"), int) else None,
        acr=claims.get("acr") if isinstance(claims.get("acr"), str) else None,
        amr=claims.get("amr") if isinstance(claims.get("amr"), list) else None,
    )
    if not client.first_party:
        await identity.touch_consent(session, account_id, client.client_id)
    return code, ctx.settings.authorization_code_ttl_seconds

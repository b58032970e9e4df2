"""The token response (RFC 6749 §5.1): a JWT access token (RFC 9068), an ID token (OIDC Core
§2, §3.1.3.6) when ``openid`` was granted, and a refresh token when the grant allows one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc.claims import at_hash
from auth.oidc.clock import epoch
from auth.oidc.models import Grant
from auth.oidc.refresh import issue_refresh_token
from auth.oidc.scopes import format_scope
from auth.tokens import issue_access_token, sign
from superapp.context import AppContext

if TYPE_CHECKING:
    from auth.oidc.refresh_rotation import RotatedGrant


def wants_refresh_token(client: OAuthClient, scopes: list[str]) -> bool:
    """Refresh tokens go to clients allowed the grant that asked for ``offline_access``, and
    always to first-party clients (the mobile app keeps its citizen signed in)."""
    return "refresh_token" in (client.grant_types or []) and ("offline_access" in scopes or client.first_party)


async def id_token(
    ctx: AppContext, *, client: OAuthClient, grant: Grant | RotatedGrant, access_token: str, nonce: str | None
) -> str:
    now = epoch()
    claims: dict[str, Any] = {
        "iss": ctx.settings.resolved_issuer,
        "sub": grant.subject,
        "aud": client.client_id,
        "azp": client.client_id,
        "exp": now + ctx.settings.id_token_ttl_seconds,
        "iat": now,
        "auth_time": grant.auth_time,
        "acr": grant.acr,
        "amr": list(grant.amr or []),
        "at_hash": at_hash(access_token),
    }
    if grant.sid:
        claims["sid"] = grant.sid
    if nonce:
        claims["nonce"] = nonce
    return await sign(ctx, claims)


async def token_response(
    ctx: AppContext,
    session: AsyncSession,
    *,
    client: OAuthClient,
    grant: Grant | RotatedGrant,
    scopes: list[str],
    nonce: str | None = None,
    refresh: bool,
    refresh_token: str | None = None,
) -> dict[str, Any]:
    """``refresh_token``: the successor already stored by the caller (one-statement rotation);
    otherwise a new one is issued when ``refresh``."""
    access = await issue_access_token(
        ctx, sub=grant.subject, client_id=client.client_id, scopes=scopes, sid=grant.sid, gid=grant.gid
    )
    body: dict[str, Any] = {
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.expires_at - access.claims["iat"],
        "scope": format_scope(scopes),
    }
    if refresh:
        body["refresh_token"] = refresh_token or await issue_refresh_token(ctx, session, grant)
    if "openid" in scopes:
        body["id_token"] = await id_token(ctx, client=client, grant=grant, access_token=access.token, nonce=nonce)
    return body

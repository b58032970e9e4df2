"""Token revocation (RFC 7009) and token introspection (RFC 7662).

Revocation: a client may revoke only its own tokens; revoking a refresh token or an access
token bound to a grant revokes the whole grant (the family and its access tokens through the
revocation index). Unknown tokens, or other clients' tokens, are answered 200 and left alone
(§2.2), so the endpoint tells nothing about tokens the caller does not hold.

Introspection: confidential clients only. A third-party client sees only its own tokens as
active; first-party clients (resource servers of the city) see every token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc.client_auth import authenticate_client
from auth.oidc.clock import aware
from auth.oidc.errors import OAuthError, invalid_client
from auth.oidc.grants.base import single
from auth.oidc.models import Grant
from auth.oidc.oauth_http import INTROSPECTION_PATH, REVOCATION_PATH, oauth_json, read_form, url
from auth.oidc.refresh import find_refresh_token, is_current
from auth.oidc.revoke import revoke_grant_id
from auth.oidc.scopes import format_scope
from auth.revocation import is_revoked
from auth.tokens import InvalidToken, api_audience, verify_jwt
from superapp.context import AppContext, CtxDep
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])
TOKEN_HINTS = ("access_token", "refresh_token")


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


@router.post(REVOCATION_PATH, summary="Token revocation (RFC 7009)")
async def revoke(request: Request, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    async def run() -> dict:
        form = await read_form(request)
        authenticated = await authenticate_client(ctx, session, request.headers, form, token_endpoint=url(ctx, REVOCATION_PATH))
        client = authenticated.client
        token = single(form, "token", max_length=8192)
        single(form, "token_type_hint", required=False, max_length=50)
        if _looks_like_jwt(token):
            try:
                claims = await verify_jwt(ctx, token, audience=api_audience(ctx), verify_exp=False)
            except InvalidToken:
                return {}
            if claims.get("client_id") != client.client_id:
                return {}
            if not claims.get("gid"):
                raise OAuthError("unsupported_token_type", "this access token is not bound to a grant; it expires on its own")
            import uuid

            await revoke_grant_id(ctx, session, uuid.UUID(claims["gid"]))
            return {}
        refresh = await find_refresh_token(session, token)
        if refresh is not None and refresh.client_id == client.client_id:
            await revoke_grant_id(ctx, session, refresh.grant_id)
        return {}

    return await oauth_json(session, run)


async def _introspect_jwt(ctx: AppContext, client: OAuthClient, token: str) -> dict[str, Any]:
    try:
        claims = await verify_jwt(ctx, token, audience=api_audience(ctx))
    except InvalidToken:
        return {"active": False}
    if await is_revoked(ctx, claims):
        return {"active": False}
    if claims.get("client_id") != client.client_id and not client.first_party:
        return {"active": False}
    body = {k: claims[k] for k in ("scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "sid") if k in claims}
    return {"active": True, "token_type": "Bearer", **body}


async def _introspect_refresh(ctx: AppContext, session: AsyncSession, client: OAuthClient, token: str) -> dict[str, Any]:
    refresh = await find_refresh_token(session, token)
    if refresh is None or refresh.client_id != client.client_id:
        return {"active": False}
    grant = await session.get(Grant, refresh.grant_id)
    if grant is None or not is_current(refresh, grant):
        return {"active": False}
    return {
        "active": True,
        "token_type": "refresh_token",
        "scope": format_scope(grant.scopes),
        "client_id": grant.client_id,
        "sub": grant.subject,
        "iss": ctx.settings.resolved_issuer,
        "iat": int(aware(refresh.created_at).timestamp()),
        "exp": int(aware(refresh.expires_at).timestamp()),
        "sid": grant.sid,
    }


@router.post(INTROSPECTION_PATH, summary="Token introspection (RFC 7662)")
async def introspect(request: Request, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    async def run() -> dict:
        form = await read_form(request)
        authenticated = await authenticate_client(
            ctx, session, request.headers, form, token_endpoint=url(ctx, INTROSPECTION_PATH)
        )
        if authenticated.method == "none":
            raise invalid_client("introspection is for confidential clients")
        token = single(form, "token", max_length=8192)
        single(form, "token_type_hint", required=False, max_length=50)
        if _looks_like_jwt(token):
            return await _introspect_jwt(ctx, authenticated.client, token)
        return await _introspect_refresh(ctx, session, authenticated.client, token)

    return await oauth_json(session, run)

"""The token endpoint (RFC 6749 §3.2): client authentication, then the grant's exchange."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from auth.oidc.client_auth import authenticate_client
from auth.oidc.errors import OAuthError
from auth.oidc.grants import GRANTS
from auth.oidc.grants.base import single
from auth.oidc.oauth_http import TOKEN_PATH, oauth_json, read_form, url
from superapp.context import CtxDep
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])


@router.post(TOKEN_PATH, summary="Token endpoint (RFC 6749 §3.2)")
async def token(request: Request, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    async def run() -> dict:
        form = await read_form(request)
        grant_type = single(form, "grant_type", max_length=100)
        grant = GRANTS.get(grant_type)
        authenticated = await authenticate_client(ctx, session, request.headers, form, token_endpoint=url(ctx, TOKEN_PATH))
        if grant is None:
            raise OAuthError("unsupported_grant_type", f"{grant_type} is not supported")
        client = authenticated.client
        if grant_type not in (client.grant_types or []):
            raise OAuthError("unauthorized_client", f"this client may not use {grant_type}")
        return await grant.exchange(ctx, session, client, form)

    return await oauth_json(session, run)

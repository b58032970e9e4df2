"""Client credentials grant (RFC 6749 §4.4): confidential clients acting for themselves, with
the client-credentials scopes registered for them (``transit.validate notifications.publish
open311``). ``sub`` is the client id; no refresh token."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.models import OAuthClient
from auth.oidc.clients import client_credentials_scopes
from auth.oidc.errors import OAuthError
from auth.oidc.grants.base import single
from auth.oidc.scopes import format_scope, parse_scope
from auth.tokens import issue_access_token
from superapp.context import AppContext


class ClientCredentialsGrant:
    grant_type = "client_credentials"

    async def exchange(
        self, ctx: AppContext, session: AsyncSession, client: OAuthClient, form: FormData
    ) -> dict[str, Any]:
        if client.client_type != "confidential":
            raise OAuthError("unauthorized_client", "public clients cannot use client_credentials")
        allowed = client_credentials_scopes(client)
        requested = parse_scope(single(form, "scope", required=False, max_length=1000)) or allowed
        if not requested or any(s not in allowed for s in requested):
            raise OAuthError("invalid_scope", "scope not allowed for this client")
        access = await issue_access_token(ctx, sub=client.client_id, client_id=client.client_id, scopes=requested)
        return {
            "access_token": access.token,
            "token_type": "Bearer",
            "expires_in": access.expires_at - access.claims["iat"],
            "scope": format_scope(requested),
        }

"""Refresh token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).

The new refresh token keeps the grant's scope; a narrower ``scope`` only narrows the access
token; a wider one is ``invalid_scope``. Presenting a rotated token revokes the whole family.

On PostgreSQL the successful rotation is one statement (``auth.oidc.refresh_rotation``); every
other outcome is decided here, by the same rules.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.models import OAuthClient
from auth.oidc import refresh_rotation
from auth.oidc.errors import OAuthError
from auth.oidc.grants.base import single
from auth.oidc.issuance import token_response
from auth.oidc.models import Grant
from auth.oidc.refresh import claim_refresh_token, is_current
from auth.oidc.revoke import revoke_grant_id
from auth.oidc.scopes import parse_scope
from superapp.context import AppContext
from superapp.db import utcnow


class RefreshTokenGrant:
    grant_type = "refresh_token"

    async def exchange(
        self, ctx: AppContext, session: AsyncSession, client: OAuthClient, form: FormData
    ) -> dict[str, Any]:
        raw = single(form, "refresh_token", max_length=512)
        requested = parse_scope(single(form, "scope", required=False, max_length=1000))
        if refresh_rotation.available(ctx):
            rotated = await refresh_rotation.rotate(ctx, raw, client.client_id, requested)
            if rotated is not None:
                grant, successor = rotated
                return await token_response(
                    ctx, session, client=client, grant=grant, scopes=requested or list(grant.scopes),
                    refresh=True, refresh_token=successor,
                )
        claimed, reused = await claim_refresh_token(session, raw, client.client_id)
        if reused is not None:
            await revoke_grant_id(ctx, session, reused.grant_id)
            raise OAuthError("invalid_grant", "refresh token already used; the grant is revoked", keep_changes=True)
        if claimed is None:
            raise OAuthError("invalid_grant", "refresh token not valid")
        grant = await session.get(Grant, claimed.grant_id)
        if not is_current(claimed, grant, just_claimed=True):
            raise OAuthError("invalid_grant", "refresh token expired or revoked", keep_changes=True)
        assert grant is not None
        if any(s not in grant.scopes for s in requested):
            raise OAuthError("invalid_scope", "scope may only narrow on refresh")
        grant.last_used_at = utcnow()
        session.add(grant)
        return await token_response(
            ctx, session, client=client, grant=grant, scopes=requested or list(grant.scopes), refresh=True
        )

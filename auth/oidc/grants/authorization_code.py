"""Authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5-4.6).

The code is marked used in the same statement that reads it. A second use fails with
``invalid_grant`` and revokes the grant the first use created (RFC 6749 §4.1.2, RFC 9700
§4.5.3). A failed check after the code was read still burns the code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.consents import touch_consent
from auth.models import OAuthClient
from auth.oidc import pkce
from auth.oidc.codes import claim_code, is_expired
from auth.oidc.errors import OAuthError
from auth.oidc.grants.base import single
from auth.oidc.issuance import token_response, wants_refresh_token
from auth.oidc.models import Grant, LoginSession
from auth.oidc.revoke import revoke_grant_id
from auth.pairwise import subject_for
from superapp.context import AppContext
from superapp.db import utcnow


def _burnt(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description, keep_changes=True)


class AuthorizationCodeGrant:
    grant_type = "authorization_code"

    async def exchange(
        self, ctx: AppContext, session: AsyncSession, client: OAuthClient, form: FormData
    ) -> dict[str, Any]:
        code = single(form, "code", max_length=512)
        verifier = single(form, "code_verifier", required=False, max_length=128)
        redirect_uri = single(form, "redirect_uri", required=False, max_length=2000)
        claimed, replayed = await claim_code(session, code)
        if replayed is not None:
            if replayed.client_id == client.client_id:
                await revoke_grant_id(ctx, session, replayed.grant_id)
            raise _burnt("authorization code already used")
        if claimed is None:
            raise OAuthError("invalid_grant", "authorization code not valid")
        if claimed.client_id != client.client_id:
            raise _burnt("authorization code was issued to another client")
        if is_expired(claimed):
            raise _burnt("authorization code expired")
        if claimed.redirect_uri != redirect_uri:
            raise _burnt("redirect_uri does not match the authorization request")
        if not verifier:
            raise _burnt("code_verifier is required (PKCE)")
        if not pkce.verify(verifier, claimed.code_challenge, claimed.code_challenge_method):
            raise _burnt("code_verifier does not match the code_challenge")
        if claimed.sid:
            import uuid

            login = await session.get(LoginSession, uuid.UUID(claimed.sid))
            if login is None or login.revoked_at is not None:
                raise _burnt("the sign-in session has ended")
        now = utcnow()
        grant = Grant(
            id=claimed.grant_id,
            account_id=claimed.account_id,
            client_id=client.client_id,
            sid=claimed.sid,
            subject=await subject_for(session, ctx.settings.secrets["pairwise_secret"], client, claimed.account_id),
            scopes=list(claimed.scopes),
            auth_time=claimed.auth_time,
            acr=claimed.acr,
            amr=list(claimed.amr or []),
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(seconds=ctx.settings.refresh_token_absolute_seconds),
        )
        session.add(grant)
        if not client.first_party:
            await touch_consent(session, claimed.account_id, client.client_id)
        return await token_response(
            ctx,
            session,
            client=client,
            grant=grant,
            scopes=list(claimed.scopes),
            nonce=claimed.nonce,
            refresh=wants_refresh_token(client, list(claimed.scopes)),
        )

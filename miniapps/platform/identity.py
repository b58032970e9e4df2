"""The platform's narrow window onto the identity provider (``auth.consents``, ``auth.oidc``).

Everything the platform needs from the provider goes through these few functions, so the
provider's internals can change without touching the platform.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from auth.models import Consent, OAuthClient
    from superapp.context import AppContext


async def create_code(
    ctx: AppContext,
    session: AsyncSession,
    *,
    client: OAuthClient,
    account_id: uuid.UUID,
    scopes: list[str],
    code_challenge: str,
    sid: str | None,
    auth_time: int | None,
    acr: str | None,
    amr: list[str] | None,
) -> str:
    """A single-use, PKCE-bound authorization code (RFC 6749 §4.1.2, RFC 7636) for ``client``.

    Missing ``auth_time``/``acr``/``amr`` are taken from the phone's login session (``sid``), or
    from the account when there is none.
    """
    from auth.oidc.codes import create_authorization_code

    return await create_authorization_code(
        ctx,
        session,
        client=client,
        account_id=account_id,
        scopes=scopes,
        code_challenge=code_challenge,
        code_challenge_method="S256",
        redirect_uri=None,
        sid=sid,
        auth_time=auth_time,
        acr=acr,
        amr=amr,
    )


async def get_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str) -> Consent | None:
    from auth.consents import get_consent as _get

    consent = await _get(session, account_id, client_id)
    if consent is None or getattr(consent, "revoked_at", None) is not None:
        return None
    return consent


async def grant_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str, scopes: list[str]) -> Consent:
    from auth.consents import grant_consent as _grant

    return await _grant(session, account_id, client_id, scopes)


async def list_consents(session: AsyncSession, account_id: uuid.UUID) -> list[Consent]:
    from auth.consents import list_consents as _list

    return [c for c in await _list(session, account_id) if getattr(c, "revoked_at", None) is None]


async def revoke_consent(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, client_id: str) -> bool:
    """Withdraw the grant and revoke that client's refresh tokens for the account."""
    from auth.consents import revoke_consent as _revoke

    return bool(await _revoke(ctx, session, account_id, client_id))


async def touch_consent(session: AsyncSession, account_id: uuid.UUID, client_id: str) -> None:
    from auth.consents import touch_consent as _touch

    await _touch(session, account_id, client_id)


async def revoke_client(ctx: AppContext, session: AsyncSession, client_id: str) -> None:
    """Kill every token of ``client_id`` at once: access tokens through the revocation index,
    refresh tokens (grants) through the provider."""
    from auth.oidc.revoke import revoke_client as _revoke_grants

    await _revoke_grants(ctx, session, client_id)  # the index entry, every grant, every process's cache


def forget_client(ctx: AppContext, client_id: str) -> None:
    """Drop this process's cached copy of the client (other processes refresh within seconds)."""
    from auth.client_invalidation import forget

    forget(ctx, client_id)

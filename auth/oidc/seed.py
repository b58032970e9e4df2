"""The provider's own clients, created idempotently by ``superapp seed demo``."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc.clients import create_client
from auth.oidc.scopes import CITIZEN_SCOPES
from superapp.context import AppContext

MOBILE_CLIENT_ID = "superapp-mobile"
MOBILE_REDIRECT_URI = "vn.hanoi.superapp:/oauth/callback"


async def seed_clients(ctx: AppContext, session: AsyncSession) -> list[str]:
    """Create the mobile app client (public, first-party, PKCE) if missing; returns a line
    naming it. The admin console registers its own client when the app starts
    (``superapp.console.registration``)."""
    lines: list[str] = []
    if await session.get(OAuthClient, MOBILE_CLIENT_ID) is None:
        await create_client(
            session,
            client_id=MOBILE_CLIENT_ID,
            name="Hà Nội mobile app",
            client_type="public",
            first_party=True,
            redirect_uris=[MOBILE_REDIRECT_URI],
            post_logout_redirect_uris=[MOBILE_REDIRECT_URI],
            scopes=list(CITIZEN_SCOPES),
        )
    lines.append(f"OAuth client (mobile app, public + PKCE): {MOBILE_CLIENT_ID}")
    return lines

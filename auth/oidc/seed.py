"""The provider's own clients, created idempotently by ``superapp seed demo``."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc.clients import create_client
from auth.oidc.scopes import CITIZEN_SCOPES
from superapp.context import AppContext

MOBILE_CLIENT_ID = "superapp-mobile"
MOBILE_REDIRECT_URI = "vn.hanoi.superapp:/oauth/callback"
ADMIN_CONSOLE_CLIENT_ID = "superapp-admin-console"
ADMIN_CONSOLE_REDIRECT_URIS = ["http://127.0.0.1:8000/admin/callback", "http://localhost:8000/admin/callback"]


async def seed_clients(ctx: AppContext, session: AsyncSession) -> list[str]:
    """Create the mobile app (public, first-party, PKCE) and the admin console (confidential,
    first-party) clients if missing; returns lines naming them (the console's secret only when
    it was just created: it is shown once)."""
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
    if await session.get(OAuthClient, ADMIN_CONSOLE_CLIENT_ID) is None:
        created = await create_client(
            session,
            client_id=ADMIN_CONSOLE_CLIENT_ID,
            name="Admin console",
            client_type="confidential",
            first_party=True,
            redirect_uris=ADMIN_CONSOLE_REDIRECT_URIS,
            post_logout_redirect_uris=["http://127.0.0.1:8000/admin/", "http://localhost:8000/admin/"],
            scopes=list(CITIZEN_SCOPES),
        )
        lines.append(
            f"OAuth client (admin console, confidential): {ADMIN_CONSOLE_CLIENT_ID} "
            f"secret {created.client_secret} (shown once)"
        )
    else:
        lines.append(f"OAuth client (admin console, confidential): {ADMIN_CONSOLE_CLIENT_ID}")
    return lines

"""The console's own OAuth client: a first-party confidential client of our OIDC provider.

Created (or brought up to date) on startup. Its secret is derived from the deployment's secret
key (HMAC-SHA256), so every API process knows it without storing it; the database keeps only
its SHA-256 digest, like every other client secret (DESIGN.md, "Identity and tokens").
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.context import AppContext
from superapp.settings import Settings

CONSOLE_CLIENT_ID = "admin-console"
CONSOLE_CLIENT_NAME = "Hanoi admin console"
# What the console asks for: identity, refresh, and the module scopes the staff APIs sit behind.
CONSOLE_SCOPES = (
    "openid",
    "profile",
    "phone",
    "email",
    "offline_access",
    "feedback",
    "transit",
    "notifications",
    "miniapps",
)


def console_client_secret(settings: Settings) -> str:
    key = settings.secrets["secret_key"].encode()
    return hmac.new(key, b"superapp-console-client-secret:v1", hashlib.sha256).hexdigest()


def redirect_uri(settings: Settings) -> str:
    return f"{settings.resolved_issuer}/admin/callback"


def post_logout_redirect_uri(settings: Settings) -> str:
    return f"{settings.resolved_issuer}/admin/"


async def ensure_console_client(ctx: AppContext) -> None:
    """Startup hook: create the ``admin-console`` client if missing, else keep it current."""
    from auth.models import OAuthClient
    from superapp.db import unit_of_work, utcnow

    digest = hashlib.sha256(console_client_secret(ctx.settings).encode()).hexdigest()
    wanted = {
        "redirect_uris": [redirect_uri(ctx.settings)],
        "post_logout_redirect_uris": [post_logout_redirect_uri(ctx.settings)],
        "scopes": list(CONSOLE_SCOPES),
        "grant_types": ["authorization_code", "refresh_token"],
        "secret_hash": digest,
        "first_party": True,
        "client_type": "confidential",
        "token_endpoint_auth_method": "client_secret_basic",
    }
    for attempt in range(2):
        try:
            async with unit_of_work(ctx.sessionmaker) as session:
                client = await session.get(OAuthClient, CONSOLE_CLIENT_ID)
                if client is None:
                    session.add(OAuthClient(client_id=CONSOLE_CLIENT_ID, name=CONSOLE_CLIENT_NAME, **wanted))
                else:
                    changed = [name for name, value in wanted.items() if getattr(client, name) != value]
                    for name in changed:
                        setattr(client, name, wanted[name])
                    if changed:
                        client.updated_at = utcnow()
                        session.add(client)
            break
        except IntegrityError:
            if attempt:
                raise  # pragma: no cover - a second process created it and it still clashes
            # Another process starting at the same moment created it first: update that one.
    ctx.cache.get("clients", {}).pop(CONSOLE_CLIENT_ID, None)


async def seed(ctx: AppContext, session: AsyncSession) -> list[str]:
    """``superapp seed demo``: where the console is (its client is made on startup)."""
    return [f"admin console: {ctx.settings.resolved_issuer}/admin/ (sign in with a demo staff account)"]

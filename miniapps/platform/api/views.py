"""Response builders shared by the developer and admin endpoints."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from miniapps.platform.models import WebMiniApp
from miniapps.platform.schemas import MiniAppDeveloperView


def developer_view(app: WebMiniApp, client: OAuthClient | None) -> MiniAppDeveloperView:
    return MiniAppDeveloperView(
        id=app.id,
        client_id=app.client_id,
        name=app.name,
        description=app.description,
        category=app.category,
        home_url=app.home_url,
        redirect_uris=list(client.redirect_uris) if client else [],
        scopes=list(app.scopes),
        icon_url=app.icon_url,
        webhook_url=app.webhook_url,
        backchannel_logout_uri=client.backchannel_logout_uri if client else None,
        status=app.status,
        review_reason=app.review_reason,
        owner_id=app.owner_id,
        created_at=app.created_at,
        updated_at=app.updated_at,
        submitted_at=app.submitted_at,
        reviewed_at=app.reviewed_at,
        suspended_at=app.suspended_at,
    )


async def developer_views(session: AsyncSession, rows: list[WebMiniApp]) -> list[MiniAppDeveloperView]:
    out = []
    for app in rows:
        out.append(developer_view(app, await session.get(OAuthClient, app.client_id)))
    return out

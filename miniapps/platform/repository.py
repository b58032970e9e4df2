"""Every query on the platform's tables."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.platform.models import WebMiniApp


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


async def get(session: AsyncSession, app_id: uuid.UUID, *, for_update: bool = False) -> WebMiniApp | None:
    if not for_update:
        return await session.get(WebMiniApp, app_id)
    stmt = select(WebMiniApp).where(WebMiniApp.id == app_id).with_for_update()
    return (await session.exec(stmt)).first()


async def get_by_client_id(session: AsyncSession, client_id: str) -> WebMiniApp | None:
    return (await session.exec(select(WebMiniApp).where(WebMiniApp.client_id == client_id))).first()


async def by_client_ids(session: AsyncSession, client_ids: list[str]) -> dict[str, WebMiniApp]:
    if not client_ids:
        return {}
    rows = await session.exec(select(WebMiniApp).where(WebMiniApp.client_id.in_(client_ids)))
    return {row.client_id: row for row in rows}


async def page(
    session: AsyncSession,
    *,
    limit: int,
    after: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    category: str | None = None,
) -> list[WebMiniApp]:
    """Up to ``limit + 1`` apps in id order (UUIDv7: registration order) after ``after``."""
    stmt = select(WebMiniApp)
    if owner_id is not None:
        stmt = stmt.where(WebMiniApp.owner_id == owner_id)
    if status is not None:
        stmt = stmt.where(WebMiniApp.status == status)
    if category is not None:
        stmt = stmt.where(WebMiniApp.category == category)
    if after is not None:
        stmt = stmt.where(WebMiniApp.id > after)
    stmt = stmt.order_by(WebMiniApp.id).limit(limit + 1)
    return list(await session.exec(stmt))


async def all_with_webhooks_for_clients(session: AsyncSession, client_ids: list[str]) -> list[WebMiniApp]:
    if not client_ids:
        return []
    stmt = select(WebMiniApp).where(WebMiniApp.client_id.in_(client_ids), WebMiniApp.webhook_url.is_not(None))
    return list(await session.exec(stmt))

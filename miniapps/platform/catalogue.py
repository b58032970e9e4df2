"""The catalogue the phone shows: built-in mini-apps first (by slug), then published web ones
(by registration order), with keyset pagination across both."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.platform import repository
from miniapps.platform.apps import AppView, from_builtin, from_web, pick
from miniapps.platform.schemas import CatalogueItem
from miniapps.sdk import MiniApp
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor

BUILTIN, WEB = 0, 1


def item(view: AppView, lang: str) -> CatalogueItem:
    return CatalogueItem(
        id=view.id,
        name=pick(view.name, lang),
        description=pick(view.description, lang),
        icon_url=view.icon_url,
        category=view.category,
        kind=view.kind,  # type: ignore[arg-type]
        launch_url=view.launch_url,
        scopes=list(view.scopes),
        client_id=view.client_id,
    )


async def list_catalogue(
    session: AsyncSession,
    builtins: list[MiniApp],
    *,
    lang: str,
    limit: int,
    cursor: str | None,
    category: str | None,
) -> tuple[list[CatalogueItem], str | None]:
    part, after = BUILTIN, ""
    if cursor:
        values = decode_cursor(cursor, 2)
        if values[0] not in (BUILTIN, WEB) or not isinstance(values[1], str):
            raise InvalidCursor()
        part, after = values
    views: list[AppView] = []
    if part == BUILTIN:
        chosen = sorted((m for m in builtins if category in (None, m.category)), key=lambda m: m.slug)
        views = [from_builtin(m) for m in chosen if m.slug > after][: limit + 1]
    if len(views) <= limit:
        web_after = repository.parse_uuid(after) if part == WEB else None
        if part == WEB and web_after is None:
            raise InvalidCursor()
        rows = await repository.page(
            session, limit=limit - len(views), after=web_after, status="published", category=category
        )
        views += [from_web(r) for r in rows]
    page = views[:limit]
    next_cursor = None
    if len(views) > limit and page:
        last = page[-1]
        next_cursor = encode_cursor([BUILTIN if last.kind == "builtin" else WEB, last.id])
    return [item(v, lang) for v in page], next_cursor

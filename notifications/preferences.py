"""Per-category channel preferences (inbox, push). Critical categories are always on."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from notifications import categories, repository
from notifications.errors import UnknownCategory
from notifications.schemas import CategoryPreference, ChannelPreference


async def effective(session: AsyncSession, account_id: uuid.UUID, lang: str) -> dict[str, CategoryPreference]:
    stored = {p.category: p for p in await repository.preferences_of(session, account_id)}
    out: dict[str, CategoryPreference] = {}
    for cat in categories.all_categories():
        pref = stored.get(cat.code)
        if cat.critical:
            inbox, push = True, True
        elif pref is not None:
            inbox, push = pref.inbox, pref.push
        else:
            inbox, push = True, cat.default_push
        name = cat.name.get(lang) or cat.name.get("vi") or cat.code
        out[cat.code] = CategoryPreference(inbox=inbox, push=push, name=name, critical=cat.critical)
    return out


async def update(session: AsyncSession, account_id: uuid.UUID, changes: dict[str, ChannelPreference]) -> None:
    """Store the given categories' choices (all or nothing: one unknown category refuses all)."""
    for code in changes:
        if categories.get(code) is None:
            raise UnknownCategory(params={"category": code}, category=code)
    for code, choice in changes.items():
        await repository.set_preference(session, account_id, code, inbox=choice.inbox, push=choice.push)

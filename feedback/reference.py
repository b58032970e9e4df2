"""A per-process snapshot of the routing reference data (categories and jurisdictions).

Submissions read it on every request; it changes only when the seed or an operator edits the
tables, so it is kept in the context cache for ``REFERENCE_CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback.models import Category, Jurisdiction

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "feedback.reference"
REFERENCE_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    agency_code: str
    severity_default: str
    active: bool


@dataclass(frozen=True)
class Reference:
    categories: dict[str, CategoryInfo]
    jurisdictions: dict[tuple[str, str], str]  # (category, area) → agency

    def agency_for(self, category: CategoryInfo, ward_code: str | None, district_code: str | None) -> str:
        """Ward jurisdiction, else district jurisdiction, else the category's default agency."""
        for area in (ward_code, district_code):
            if area and (category.code, area) in self.jurisdictions:
                return self.jurisdictions[(category.code, area)]
        return category.agency_code


async def reference(ctx: AppContext, session: AsyncSession) -> Reference:
    cached = ctx.cache.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[0] < REFERENCE_CACHE_SECONDS:
        return cached[1]
    categories = {
        c.code: CategoryInfo(c.code, c.agency_code, c.severity_default, c.active)
        for c in (await session.exec(select(Category))).all()
    }
    jurisdictions = {
        (j.category_code, j.area_code): j.agency_code for j in (await session.exec(select(Jurisdiction))).all()
    }
    snapshot = Reference(categories, jurisdictions)
    ctx.cache[CACHE_KEY] = (now, snapshot)
    return snapshot


def invalidate(ctx: AppContext) -> None:
    ctx.cache.pop(CACHE_KEY, None)

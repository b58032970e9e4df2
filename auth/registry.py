"""The population-registry adapter: does the national registry know this person?

Identity level 2 and guardian links rest on the registry's answer. Deployments plug the real
registry (the national population database's eKYC API) behind :class:`PopulationRegistry`;
the default :class:`DatabaseRegistry` reads the ``population_registry`` table that
``superapp seed demo`` fills. Choose the adapter by putting a factory in
``ctx.cache[REGISTRY_FACTORY_KEY]`` (``(ctx, session) -> PopulationRegistry``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from auth.accounts.models import RegistryPerson

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from superapp.context import AppContext

REGISTRY_FACTORY_KEY = "population_registry_factory"


@dataclass(frozen=True)
class RegistryRecord:
    national_id: str
    full_name: str
    birth_date: date
    sex: str
    district_code: str | None = None
    guardian_national_ids: tuple[str, ...] = field(default_factory=tuple)

    def matches(self, *, full_name: str, birth_date: date) -> bool:
        """Same birth date and the same name, ignoring case, spacing and Unicode composition."""
        return self.birth_date == birth_date and normalize_name(self.full_name) == normalize_name(full_name)


class PopulationRegistry(Protocol):
    async def lookup(self, national_id: str) -> RegistryRecord | None:
        """The registry's record for ``national_id``, or None if it has none."""


def normalize_name(name: str) -> str:
    """Vietnamese names compare equal whatever their case, spacing or NFC/NFD form (diacritics count)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class DatabaseRegistry:
    """Reads the ``population_registry`` table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lookup(self, national_id: str) -> RegistryRecord | None:
        row = await self.session.get(RegistryPerson, national_id)
        if row is None:
            return None
        return RegistryRecord(
            national_id=row.national_id,
            full_name=row.full_name,
            birth_date=row.birth_date,
            sex=row.sex,
            district_code=row.district_code,
            guardian_national_ids=tuple(row.guardian_national_ids or ()),
        )


def registry_for(ctx: AppContext, session: AsyncSession) -> PopulationRegistry:
    factory = ctx.cache.get(REGISTRY_FACTORY_KEY)
    return factory(ctx, session) if factory is not None else DatabaseRegistry(session)

"""The record source backed by this server's own store (filled by ``superapp health import``)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health import repository
from miniapps.health.fhir.search import SearchQuery
from miniapps.health.sources import SearchPage


class LocalSource:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def patients_by_national_id(self, national_ids: list[str]) -> list[dict[str, Any]]:
        return await repository.patients_by_national_id(self.session, national_ids)

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        return await repository.get_resource(self.session, resource_type, resource_id)

    async def search(self, query: SearchQuery, patients: list[str]) -> SearchPage:
        resources, total, cursor = await repository.search(self.session, query, patients)
        return SearchPage(resources, total, cursor)

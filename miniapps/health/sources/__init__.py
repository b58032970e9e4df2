"""Where the record is read from: the local store, or a hospital's FHIR server over HTTP.

Both implement :class:`RecordSource`; :func:`record_source` picks one from the settings
(``SUPERAPP_HEALTH_FHIR_BASE_URL`` set → remote).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from miniapps.health.settings import health_settings

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from miniapps.health.fhir.search import SearchQuery
    from superapp.context import AppContext


@dataclass
class SearchPage:
    resources: list[dict[str, Any]]
    total: int
    next_cursor: str | None


class RecordSource(Protocol):
    async def patients_by_national_id(self, national_ids: list[str]) -> list[dict[str, Any]]:
        """Patient resources carrying one of these national IDs."""

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        """One resource, or None if the source has none with that id."""

    async def search(self, query: SearchQuery, patients: list[str]) -> SearchPage:
        """A page of ``query``'s matches within ``patients``' records (never outside them)."""


@asynccontextmanager
async def record_source(ctx: AppContext, session: AsyncSession) -> AsyncIterator[RecordSource]:
    settings = health_settings(ctx)
    if settings.fhir_base_url:
        from miniapps.health.sources.remote import RemoteFhirSource

        async with RemoteFhirSource.connect(settings, ctx.settings.secrets["secret_key"].encode()) as source:
            yield source
    else:
        from miniapps.health.sources.local import LocalSource

        yield LocalSource(session)

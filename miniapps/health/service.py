"""Reading the record: FHIR read and search restricted to what the reader may see, each logged."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health import access_log
from miniapps.health.access import (
    PatientAccess,
    Reader,
    accessible_patients,
    insufficient_scope,
)
from miniapps.health.errors import RecordNotFound, ResourceNotFound
from miniapps.health.fhir.indexing import patient_of
from miniapps.health.fhir.search import SearchQuery, check_type, parse_search
from miniapps.health.settings import HealthSettings
from miniapps.health.sources import RecordSource, SearchPage


class RecordReader:
    """One request's view of the record for one reader."""

    def __init__(self, session: AsyncSession, source: RecordSource, reader: Reader) -> None:
        self.session = session
        self.source = source
        self.reader = reader
        self._patients: list[PatientAccess] | None = None

    async def patients(self) -> list[PatientAccess]:
        if self._patients is None:
            self._patients = await accessible_patients(self.session, self.source, self.reader.account)
        return self._patients

    async def patient(self, patient_id: str | None) -> PatientAccess:
        """The reader's own Patient by default, or a dependent's; 404 for any other."""
        found = await self.patients()
        if patient_id is None:
            own = [p for p in found if p.relationship == "self"]
            if own:
                return own[0]
        for p in found:
            if p.patient_id == patient_id:
                return p
        raise RecordNotFound()

    def _check_type(self, resource_type: str) -> None:
        check_type(resource_type)
        if resource_type not in self.reader.types:
            raise insufficient_scope()

    async def _log(self, patients: list[str], interaction: str, **kw: Any) -> None:
        await access_log.append(
            self.session,
            patients=patients,
            interaction=interaction,
            account_id=self.reader.account.id,
            client_id=self.reader.client_id,
            **kw,
        )

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        self._check_type(resource_type)
        resource = await self.source.read(resource_type, resource_id)
        allowed = {p.patient_id for p in await self.patients()}
        owner = patient_of(resource) if resource else None
        if resource is None or owner not in allowed:
            raise ResourceNotFound()
        await self._log([owner], "read", resource_type=resource_type, resource_id=resource_id)
        return resource

    async def search(
        self, resource_type: str, items: list[tuple[str, str]], settings: HealthSettings
    ) -> tuple[SearchQuery, SearchPage]:
        self._check_type(resource_type)
        query = parse_search(resource_type, items, default_count=settings.default_count, max_count=settings.max_count)
        allowed = [p.patient_id for p in await self.patients()]
        if query.patients is not None:
            if not set(query.patients) <= set(allowed):
                raise ResourceNotFound()
            scope = [p for p in allowed if p in query.patients]
        else:
            scope = allowed
        if not scope:
            return query, SearchPage([], 0, None)
        page = await self.source.search(query, scope)
        await self._log(scope, "search", resource_type=resource_type, query=urlencode(query.raw))
        return query, page

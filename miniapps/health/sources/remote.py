"""The record source backed by a hospital's FHIR R4 server, read over HTTP (FHIR RESTful API).

Searches are translated into the server's own search (``patient``/``_id`` restricted to the
patients the caller may read, other parameters passed on); every returned resource is checked
again against those patients. The server's ``next`` link travels inside our cursor, signed so
that a client cannot point the server at another URL or another patient.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from miniapps.health.errors import SourceUnavailable
from miniapps.health.fhir.constants import FHIR_JSON, NATIONAL_ID_SYSTEM, PATIENT
from miniapps.health.fhir.indexing import national_id_of, patient_of
from miniapps.health.fhir.search import SearchQuery
from miniapps.health.settings import HealthSettings
from miniapps.health.sources import SearchPage
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor

FORWARDED_PARAMS = ("code", "category", "date", "_sort")


class RemoteFhirSource:
    def __init__(self, client: httpx.AsyncClient, base_url: str, signing_key: bytes) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/") + "/"
        self.signing_key = signing_key

    @classmethod
    @asynccontextmanager
    async def connect(cls, settings: HealthSettings, signing_key: bytes = b"") -> AsyncIterator[RemoteFhirSource]:
        assert settings.fhir_base_url
        async with httpx.AsyncClient(
            base_url=settings.fhir_base_url.rstrip("/") + "/",
            timeout=settings.fhir_timeout_seconds,
            headers={"Accept": FHIR_JSON},
            follow_redirects=False,
        ) as client:
            yield cls(client, settings.fhir_base_url, signing_key or settings.fhir_base_url.encode())

    async def _get(self, url: str, params: list[tuple[str, str]] | None = None) -> httpx.Response:
        try:
            return await self.client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise SourceUnavailable() from exc

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise SourceUnavailable()
        try:
            body = response.json()
        except ValueError as exc:
            raise SourceUnavailable() from exc
        if not isinstance(body, dict):
            raise SourceUnavailable()
        return body

    async def patients_by_national_id(self, national_ids: list[str]) -> list[dict[str, Any]]:
        if not national_ids:
            return []
        value = ",".join(f"{NATIONAL_ID_SYSTEM}|{nid}" for nid in national_ids)
        bundle = self._json(await self._get(PATIENT, [("identifier", value), ("_count", "50")]))
        wanted = set(national_ids)
        return [r for r in _resources(bundle, PATIENT) if national_id_of(r) in wanted]

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        response = await self._get(f"{resource_type}/{resource_id}")
        if response.status_code in (404, 410):
            return None
        body = self._json(response)
        if body.get("resourceType") != resource_type or body.get("id") != resource_id:
            return None
        return body

    def _sign(self, url: str) -> str:
        return hmac.new(self.signing_key, url.encode(), hashlib.sha256).hexdigest()[:32]

    def _next_url(self, cursor: str) -> str:
        values = decode_cursor(cursor, 2)
        url, mac = values
        if not isinstance(url, str) or not isinstance(mac, str) or not hmac.compare_digest(mac, self._sign(url)):
            raise InvalidCursor()
        if not url.startswith(self.base_url):
            raise InvalidCursor()
        return url

    async def search(self, query: SearchQuery, patients: list[str]) -> SearchPage:
        if query.cursor:
            response = await self._get(self._next_url(query.cursor))
        else:
            params: list[tuple[str, str]] = []
            if query.resource_type == PATIENT:
                ids = [p for p in patients if query.ids is None or p in query.ids]
                params.append(("_id", ",".join(ids)))
            else:
                params.append(("patient", ",".join(patients)))
                if query.ids is not None:
                    params.append(("_id", ",".join(query.ids)))
            params.extend((k, v) for k, v in query.raw if k in FORWARDED_PARAMS)
            if not any(k == "_sort" for k, _ in params):
                params.append(("_sort", "-date" if query.descending else "date"))
            params.append(("_count", str(query.count)))
            response = await self._get(query.resource_type, params)
        bundle = self._json(response)
        allowed = set(patients)
        resources = [r for r in _resources(bundle, query.resource_type) if patient_of(r) in allowed]
        total = bundle.get("total")
        next_url = next(
            (link.get("url") for link in bundle.get("link") or [] if isinstance(link, dict) and link.get("relation") == "next"),
            None,
        )
        cursor = None
        if isinstance(next_url, str) and next_url.startswith(self.base_url) and resources:
            cursor = encode_cursor([next_url, self._sign(next_url)])
        return SearchPage(resources, total if isinstance(total, int) else len(resources), cursor)


def _resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    if bundle.get("resourceType") != "Bundle":
        raise SourceUnavailable()
    out = []
    for entry in bundle.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        if (entry.get("search") or {}).get("mode") == "include":
            continue
        resource = entry.get("resource")
        if isinstance(resource, dict) and resource.get("resourceType") == resource_type:
            out.append(resource)
    return out

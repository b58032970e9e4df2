"""FHIR R4 RESTful API, read-only: ``metadata``, ``{Type}/{id}`` read and ``{Type}?…`` search.

Responses are ``application/fhir+json``; failures are ``OperationOutcome`` (see
:mod:`miniapps.health.fhir.outcome`).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request

from miniapps.health.endpoints.deps import RecordReaderDep, fhir_base
from miniapps.health.errors import InteractionNotSupported, ReadOnly
from miniapps.health.fhir.bundles import capability_statement, searchset
from miniapps.health.fhir.outcome import FhirResponse, FhirRoute
from miniapps.health.settings import health_settings
from superapp.context import CtxDep
from superapp.errors import AppError

router = APIRouter(prefix="/fhir", route_class=FhirRoute, tags=["health (FHIR)"])
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@router.get("/metadata", response_class=FhirResponse, summary="CapabilityStatement")
async def metadata(request: Request, ctx: CtxDep) -> FhirResponse:
    return FhirResponse(capability_statement(fhir_base(request), health_settings(ctx).max_count))


@router.get("/{resource_type}", response_class=FhirResponse, summary="Search (Bundle searchset)")
async def search(resource_type: str, request: Request, ctx: CtxDep, records: RecordReaderDep) -> FhirResponse:
    items = list(request.query_params.multi_items())
    query, page = await records.search(resource_type, items, health_settings(ctx))
    return FhirResponse(searchset(fhir_base(request), query, page.resources, page.total, page.next_cursor))


@router.get("/{resource_type}/{resource_id}", response_class=FhirResponse, summary="Read one resource")
async def read(resource_type: str, resource_id: str, records: RecordReaderDep) -> FhirResponse:
    if not FHIR_ID.match(resource_id):
        raise AppError(status=400, code="health.invalid_id")
    return FhirResponse(await records.read(resource_type, resource_id))


@router.api_route("/{path:path}", methods=["POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def read_only(path: str) -> FhirResponse:
    """The record is read-only: every write interaction answers 405."""
    raise ReadOnly(headers={"Allow": "GET"})


@router.get("/{resource_type}/{resource_id}/{rest:path}", include_in_schema=False)
async def unsupported_interaction(resource_type: str, resource_id: str, rest: str) -> FhirResponse:
    """``_history``, ``$everything`` and other interactions are not offered."""
    raise InteractionNotSupported()

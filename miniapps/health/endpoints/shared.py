"""What a doctor opens from a share link, without an account: the record as a FHIR Bundle.

``GET /v1/health/shared/{code}`` → a ``collection`` Bundle (the Patient, then every other
resource newest first, up to ``share_bundle_limit``). Unknown codes answer 404, expired or
revoked ones 410, too many attempts 429, all as ``OperationOutcome``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from miniapps.health import shares
from miniapps.health.endpoints.deps import SourceDep, fhir_base
from miniapps.health.fhir.bundles import collection
from miniapps.health.fhir.constants import PATIENT, RESOURCE_TYPES
from miniapps.health.fhir.outcome import FhirResponse, FhirRoute
from miniapps.health.fhir.search import SearchQuery
from miniapps.health.settings import health_settings
from superapp.context import CtxDep
from superapp.db import SessionDep

router = APIRouter(prefix="/shared", route_class=FhirRoute, tags=["health (FHIR)"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/{code}", response_class=FhirResponse, summary="A shared record (Bundle collection)")
async def read_shared(code: str, request: Request, ctx: CtxDep, session: SessionDep, source: SourceDep) -> FhirResponse:
    settings = health_settings(ctx)
    await ctx.limiter.check(settings.share_guess_limit, "health.share.open", _client_ip(request))
    share = await shares.open_share(session, code)
    await ctx.limiter.check(settings.share_use_limit, "health.share.use", str(share.id))
    resources = []
    patient = await source.read(PATIENT, share.patient_id)
    if patient is not None:
        resources.append(patient)
    budget = settings.share_bundle_limit
    for rtype in RESOURCE_TYPES[1:]:
        if budget <= 0:
            break
        query = SearchQuery(resource_type=rtype, patients=[share.patient_id], count=min(budget, settings.max_count))
        while budget > 0:
            page = await source.search(query, [share.patient_id])
            resources.extend(page.resources[:budget])
            budget -= len(page.resources)
            if not page.next_cursor:
                break
            query.cursor = page.next_cursor
    return FhirResponse(collection(fhir_base(request), resources))

"""What a doctor opens from a share link, without an account.

``GET /v1/health/shared/{code}``: a FHIR client (or ``?_format=json``) gets a ``collection``
Bundle (the Patient, then every other resource newest first, up to ``share_bundle_limit``); a
browser (``Accept: text/html``) gets a bilingual HTML page of the record's essentials. Unknown
codes answer 404, expired or revoked ones 410, too many attempts 429: as ``OperationOutcome``
for FHIR clients, as an HTML page for browsers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from miniapps.health import shares
from miniapps.health.access import PatientAccess
from miniapps.health.endpoints.deps import SourceDep, fhir_base
from miniapps.health.errors import ShareNotFound
from miniapps.health.fhir.bundles import collection
from miniapps.health.fhir.constants import PATIENT, RESOURCE_TYPES
from miniapps.health.fhir.indexing import LOCAL_TZ, to_utc
from miniapps.health.fhir.outcome import FhirResponse, FhirRoute
from miniapps.health.fhir.search import JSON_FORMATS, SearchQuery
from miniapps.health.models import HealthShare
from miniapps.health.pages import render_shared, wants_html
from miniapps.health.settings import HealthSettings, health_settings
from miniapps.health.sources import RecordSource
from miniapps.health.summary import build_summary
from superapp import i18n
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.errors import AppError

router = APIRouter(prefix="/shared", route_class=FhirRoute, tags=["health (FHIR)"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _bundle(request: Request, source: RecordSource, share: HealthShare, settings: HealthSettings) -> FhirResponse:
    resources = []
    patient = await source.read(PATIENT, share.patient_id)
    if patient is not None:
        resources.append(patient)
    budget = settings.share_bundle_limit
    for rtype in RESOURCE_TYPES[1:]:
        query = SearchQuery(resource_type=rtype, patients=[share.patient_id], count=min(budget, settings.max_count))
        while budget > 0:
            page = await source.search(query, [share.patient_id])
            resources.extend(page.resources[:budget])
            budget -= len(page.resources)
            if not page.next_cursor:
                break
            query.cursor = page.next_cursor
    return FhirResponse(collection(fhir_base(request), resources))


async def _page(lang: str, source: RecordSource, share: HealthShare) -> Response:
    patient = await source.read(PATIENT, share.patient_id)
    if patient is None:
        raise ShareNotFound()
    summary = await build_summary(source, PatientAccess(share.patient_id, "shared", patient), lang)
    expires = to_utc(share.expires_at).astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")
    return render_shared(lang, summary=summary, expires_at=expires)


@router.get("/{code}", response_class=FhirResponse, summary="A shared record (Bundle collection or HTML page)")
async def read_shared(code: str, request: Request, ctx: CtxDep, session: SessionDep, source: SourceDep) -> Response:
    settings = health_settings(ctx)
    browser = wants_html(request.headers.get("accept")) and request.query_params.get("_format") not in JSON_FORMATS
    lang = i18n.request_language(request)
    try:
        await ctx.limiter.check(settings.share_guess_limit, "health.share.open", _client_ip(request))
        share = await shares.usable(session, code)
        await ctx.limiter.check(settings.share_use_limit, "health.share.use", str(share.id))
        await shares.record_use(session, share)
        if browser:
            return await _page(lang, source, share)
        return await _bundle(request, source, share, settings)
    except AppError as exc:
        if not browser:
            raise
        await session.rollback()
        return render_shared(lang, status=exc.status, error=i18n.t(exc.message_key or f"error.{exc.code}", lang))

"""The citizen's own endpoints: summary, access log and doctor shares (problem+json errors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from miniapps.health import access_log, shares
from miniapps.health.access import FullHealthReader
from miniapps.health.endpoints.deps import SourceDep
from miniapps.health.fhir.indexing import to_utc
from miniapps.health.schemas import (
    AccessLogEntry,
    ShareCreate,
    ShareCreated,
    SharePublic,
    Summary,
)
from miniapps.health.service import RecordReader
from miniapps.health.settings import health_settings
from miniapps.health.summary import build_summary
from superapp import i18n
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.errors import AppError
from superapp.pagination import Page, PageDep

router = APIRouter(tags=["health"])
PatientParam = Annotated[str | None, Query(max_length=64, description="A dependent's Patient id; default own.")]


@router.get("/summary", response_model=Summary)
async def summary(
    request: Request, session: SessionDep, source: SourceDep, reader: FullHealthReader, patient: PatientParam = None
) -> dict:
    records = RecordReader(session, source, reader)
    target = await records.patient(patient)
    body = await build_summary(source, target, i18n.request_language(request))
    await access_log.append(
        session, patients=[target.patient_id], interaction="summary", account_id=reader.account.id,
        client_id=reader.client_id,
    )
    return body


@router.get("/access-log", response_model=Page[AccessLogEntry])
async def get_access_log(
    request: Request, session: SessionDep, source: SourceDep, reader: FullHealthReader, page: PageDep,
    patient: PatientParam = None,
) -> dict:
    records = RecordReader(session, source, reader)
    found = await records.patients()
    relationships = {p.patient_id: p.relationship for p in found}
    if patient is not None:
        target = await records.patient(patient)
        wanted = [target.patient_id]
    else:
        wanted = list(relationships)
    rows, cursor = await access_log.page(session, wanted, page.limit, page.cursor)
    items = await access_log.present(session, rows, reader.account, relationships, i18n.request_language(request))
    return {"items": items, "next_cursor": cursor}


def _public(share) -> dict:
    return {
        "id": str(share.id), "patient_id": share.patient_id, "status": shares.status_of(share),
        "created_at": to_utc(share.created_at), "expires_at": to_utc(share.expires_at),
        "revoked_at": to_utc(share.revoked_at) if share.revoked_at else None,
        "last_used_at": to_utc(share.last_used_at) if share.last_used_at else None, "use_count": share.use_count,
    }


@router.post("/shares", status_code=201, response_model=ShareCreated)
async def create_share(
    body: ShareCreate, ctx: CtxDep, session: SessionDep, source: SourceDep, reader: FullHealthReader
) -> dict:
    settings = health_settings(ctx)
    if not settings.share_min_seconds <= body.expires_in <= settings.share_max_seconds:
        raise AppError(status=422, code="health.share_expiry_out_of_range",
                       params={"min": settings.share_min_seconds, "max": settings.share_max_seconds})
    await ctx.limiter.check(settings.share_create_limit, "health.share.create", str(reader.account.id))
    target = await RecordReader(session, source, reader).patient(body.patient)
    share, code = await shares.create(
        session, account_id=reader.account.id, patient_id=target.patient_id, expires_in=body.expires_in,
        client_id=reader.client_id,
    )
    return {
        "id": str(share.id), "code": code, "url": f"{ctx.settings.resolved_issuer}/v1/health/shared/{code}",
        "patient_id": share.patient_id, "expires_at": share.expires_at,
    }


@router.get("/shares", response_model=Page[SharePublic])
async def list_shares(session: SessionDep, reader: FullHealthReader, page: PageDep) -> dict:
    rows, cursor = await shares.page(session, reader.account.id, page.limit, page.cursor)
    return {"items": [_public(s) for s in rows], "next_cursor": cursor}


@router.delete("/shares/{code}", status_code=204)
async def revoke_share(code: str, session: SessionDep, reader: FullHealthReader) -> Response:
    await shares.revoke(session, account_id=reader.account.id, code=code)
    return Response(status_code=204)

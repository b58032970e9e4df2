"""Every query on the local FHIR store (``health_resources`` and ``health_search_tokens``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health.fhir.constants import PATIENT
from miniapps.health.fhir.indexing import (
    EARLIEST,
    date_of,
    national_id_of,
    patient_of,
    to_utc,
    tokens_of,
)
from miniapps.health.fhir.search import DateFilter, SearchQuery, TokenValue
from miniapps.health.models import HealthResource, HealthSearchToken
from superapp.db import utcnow
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor


async def upsert_resources(session: AsyncSession, resources: list[dict[str, Any]]) -> int:
    """Insert or replace validated resources and their search tokens (one flush per step)."""
    keys = {(r["resourceType"], r["id"]) for r in resources}
    existing: dict[tuple[str, str], HealthResource] = {}
    for rtype in {k[0] for k in keys}:
        wanted = [k[1] for k in keys if k[0] == rtype]
        for i in range(0, len(wanted), 500):
            rows = await session.exec(
                select(HealthResource).where(
                    HealthResource.resource_type == rtype, col(HealthResource.fhir_id).in_(wanted[i : i + 500])
                )
            )
            existing.update({(row.resource_type, row.fhir_id): row for row in rows.all()})
    if existing:
        stale = [row.pk for row in existing.values()]
        for i in range(0, len(stale), 500):
            await session.exec(delete(HealthSearchToken).where(col(HealthSearchToken.resource_pk).in_(stale[i : i + 500])))
    rows: list[tuple[HealthResource, dict[str, Any]]] = []
    for resource in resources:
        rtype = resource["resourceType"]
        when = date_of(resource)
        values = {
            "patient_id": patient_of(resource),
            "national_id": national_id_of(resource) if rtype == PATIENT else None,
            "date": when,
            "sort_date": when or EARLIEST,
            "resource": resource,
            "updated_at": utcnow(),
        }
        row = existing.get((rtype, resource["id"]))
        if row is None:
            row = HealthResource(resource_type=rtype, fhir_id=resource["id"], **values)
        else:
            for key, value in values.items():
                setattr(row, key, value)
            row.version += 1
        session.add(row)
        rows.append((row, resource))
    await session.flush()
    for row, resource in rows:
        for param, tokens in tokens_of(resource).items():
            for system, code in {(t.system, t.code) for t in tokens if t.code}:
                session.add(HealthSearchToken(resource_pk=row.pk, param=param, system=system[:255], code=code[:128]))
    await session.flush()
    return len(rows)


async def get_resource(session: AsyncSession, resource_type: str, fhir_id: str) -> dict[str, Any] | None:
    row = (
        await session.exec(
            select(HealthResource.resource).where(
                HealthResource.resource_type == resource_type, HealthResource.fhir_id == fhir_id
            )
        )
    ).first()
    return row


async def patients_by_national_id(session: AsyncSession, national_ids: list[str]) -> list[dict[str, Any]]:
    if not national_ids:
        return []
    rows = await session.exec(
        select(HealthResource.resource).where(
            HealthResource.resource_type == PATIENT, col(HealthResource.national_id).in_(national_ids)
        )
    )
    return list(rows.all())


async def existing_patient_ids(session: AsyncSession, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    rows = await session.exec(
        select(HealthResource.fhir_id).where(HealthResource.resource_type == PATIENT, col(HealthResource.fhir_id).in_(ids))
    )
    return set(rows.all())


async def national_id_owner(session: AsyncSession, national_id: str) -> str | None:
    rows = await session.exec(
        select(HealthResource.fhir_id).where(HealthResource.resource_type == PATIENT, HealthResource.national_id == national_id)
    )
    return rows.first()


def _token_clause(param: str, values: list[TokenValue]):
    alternatives = []
    for v in values:
        parts = [HealthSearchToken.param == param]
        if v.system is not None:
            parts.append(HealthSearchToken.system == v.system)
        if v.code is not None:
            parts.append(HealthSearchToken.code == v.code)
        alternatives.append(and_(*parts))
    return exists().where(col(HealthSearchToken.resource_pk) == col(HealthResource.pk), or_(*alternatives))


def _date_clause(f: DateFilter):
    d = col(HealthResource.date)
    return {
        "eq": and_(d >= f.start, d < f.end),
        "ge": d >= f.start,
        "gt": d >= f.end,
        "le": d < f.end,
        "lt": d < f.start,
    }[f.prefix]


def _filters(query: SearchQuery, patients: list[str]) -> list[Any]:
    clauses: list[Any] = [HealthResource.resource_type == query.resource_type]
    if query.resource_type == PATIENT:
        clauses.append(col(HealthResource.fhir_id).in_(patients))
    else:
        clauses.append(col(HealthResource.patient_id).in_(patients))
    if query.ids is not None:
        clauses.append(col(HealthResource.fhir_id).in_(query.ids))
    clauses.extend(_token_clause("code", group) for group in query.codes)
    clauses.extend(_token_clause("category", group) for group in query.categories)
    clauses.extend(_date_clause(f) for f in query.dates)
    return clauses


def _after_cursor(query: SearchQuery) -> Any:
    sort_value, pk_hex = decode_cursor(query.cursor or "", 2)
    try:
        after = to_utc(datetime.fromisoformat(sort_value))
        pk = uuid.UUID(pk_hex)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor() from exc
    sd, rpk = col(HealthResource.sort_date), col(HealthResource.pk)
    if query.descending:
        return or_(sd < after, and_(sd == after, rpk < pk))
    return or_(sd > after, and_(sd == after, rpk > pk))


async def search(
    session: AsyncSession, query: SearchQuery, patients: list[str]
) -> tuple[list[dict[str, Any]], int, str | None]:
    """One page of matches (keyset on ``sort_date, pk``), the total, and the next cursor."""
    clauses = _filters(query, patients)
    total = (await session.exec(select(func.count()).select_from(HealthResource).where(*clauses))).one()
    if query.count == 0:
        return [], total, None
    page_clauses = [*clauses, _after_cursor(query)] if query.cursor else clauses
    order = (
        (col(HealthResource.sort_date).desc(), col(HealthResource.pk).desc())
        if query.descending
        else (col(HealthResource.sort_date).asc(), col(HealthResource.pk).asc())
    )
    rows = (
        await session.exec(
            select(HealthResource.sort_date, HealthResource.pk, HealthResource.resource)
            .where(*page_clauses)
            .order_by(*order)
            .limit(query.count + 1)
        )
    ).all()
    cursor = None
    if len(rows) > query.count:
        rows = rows[: query.count]
        last = rows[-1]
        cursor = encode_cursor([to_utc(last[0]).isoformat(), last[1].hex])
    return [r[2] for r in rows], total, cursor

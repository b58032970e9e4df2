"""Personal-data hooks: ``export`` (the record, its access log, the shares) and ``erase``.

Erasing an account deletes its shares and removes its id from the access log entries it left;
the clinical record stays with the health system, no longer linked to any account once the
account's national ID is gone.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from miniapps.health import access_log, shares
from miniapps.health.access import accessible_patients
from miniapps.health.fhir.constants import RESOURCE_TYPES
from miniapps.health.fhir.search import SearchQuery
from miniapps.health.models import HealthAccessLog, HealthShare
from miniapps.health.sources import record_source
from superapp.context import AppContext

EXPORT_PER_TYPE = 1000


def _log_row(row: HealthAccessLog, account_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": str(row.id), "at": row.created_at.isoformat(), "patient_id": row.patient_id,
        "actor_kind": row.actor_kind, "by_me": row.actor_account_id == account_id, "client_id": row.client_id,
        "share_id": str(row.share_id) if row.share_id else None, "interaction": row.interaction,
        "resource_type": row.resource_type, "resource_id": row.resource_id, "query": row.query,
    }


async def export_account(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> dict[str, Any]:
    account = await session.get(Account, account_id)
    record: list[dict[str, Any]] = []
    log_rows: list[HealthAccessLog] = []
    if account is not None and account.national_id:
        async with record_source(ctx, session) as source:
            own = [p for p in await accessible_patients(session, source, account) if p.relationship == "self"]
            for patient in own:
                record.append(patient.resource)
                for rtype in RESOURCE_TYPES[1:]:
                    query = SearchQuery(resource_type=rtype, patients=[patient.patient_id], count=EXPORT_PER_TYPE)
                    record.extend((await source.search(query, [patient.patient_id])).resources)
            if own:
                log_rows, _ = await access_log.page(session, [p.patient_id for p in own], 10_000, None)
    by_me = await access_log.entries_for_actor(session, account_id)
    return {
        "record": record,
        "access_log": [_log_row(r, account_id) for r in log_rows],
        "reads_by_me": [_log_row(r, account_id) for r in by_me],
        "shares": [
            {"id": str(s.id), "patient_id": s.patient_id, "status": shares.status_of(s),
             "created_at": s.created_at.isoformat(), "expires_at": s.expires_at.isoformat(), "use_count": s.use_count}
            for s in await shares.for_account(session, account_id)
        ],
    }


async def erase_account(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID) -> None:
    await session.exec(delete(HealthShare).where(col(HealthShare.account_id) == account_id))
    await session.exec(
        update(HealthAccessLog).where(col(HealthAccessLog.actor_account_id) == account_id).values(actor_account_id=None)
    )
    await session.flush()

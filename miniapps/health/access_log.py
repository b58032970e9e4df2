"""The record's access log: every read appended in the reader's transaction, shown to the citizen.

After Estonia's patient portal: the citizen sees who looked at their record (and at their
children's), when, what, and through which app or shared link.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account, OAuthClient
from miniapps.health.models import HealthAccessLog
from superapp import i18n
from superapp.pagination import InvalidCursor, decode_cursor, encode_cursor

MAX_QUERY_CHARS = 1000


async def append(
    session: AsyncSession,
    *,
    patients: Iterable[str],
    interaction: str,
    account_id: uuid.UUID | None = None,
    client_id: str | None = None,
    share_id: uuid.UUID | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    query: str | None = None,
) -> None:
    """One row per patient whose record was read (flushes)."""
    for patient_id in dict.fromkeys(patients):
        session.add(
            HealthAccessLog(
                patient_id=patient_id,
                actor_kind="share" if share_id else "account",
                actor_account_id=account_id,
                client_id=client_id,
                share_id=share_id,
                interaction=interaction,
                resource_type=resource_type,
                resource_id=resource_id,
                query=(query or None) and query[:MAX_QUERY_CHARS],
            )
        )
    await session.flush()


async def page(
    session: AsyncSession, patients: list[str], limit: int, cursor: str | None
) -> tuple[list[HealthAccessLog], str | None]:
    stmt = select(HealthAccessLog).where(col(HealthAccessLog.patient_id).in_(patients))
    if cursor:
        (last,) = decode_cursor(cursor, 1)
        try:
            stmt = stmt.where(col(HealthAccessLog.id) < uuid.UUID(str(last)))
        except ValueError as exc:
            raise InvalidCursor() from exc
    rows = list((await session.exec(stmt.order_by(col(HealthAccessLog.id).desc()).limit(limit + 1))).all())
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor([str(rows[-1].id)])
    return rows, None


async def entries_for_actor(session: AsyncSession, account_id: uuid.UUID) -> list[HealthAccessLog]:
    rows = await session.exec(
        select(HealthAccessLog).where(HealthAccessLog.actor_account_id == account_id).order_by(col(HealthAccessLog.id))
    )
    return list(rows.all())


def _actor(row: HealthAccessLog, viewer: Account) -> str:
    if row.actor_kind == "share":
        return "shared_link"
    if row.actor_account_id == viewer.id:
        return "you"
    # Besides the citizen, only a guardian (or the child, for a dependent's record) can read it.
    return "family_member"


async def present(
    session: AsyncSession, rows: list[HealthAccessLog], viewer: Account, relationships: dict[str, str], lang: str
) -> list[dict[str, Any]]:
    """Public entries with the client app's name and a localized description of the reader."""
    client_ids = {r.client_id for r in rows if r.client_id}
    clients: dict[str, str] = {}
    if client_ids:
        for c in (await session.exec(select(OAuthClient).where(col(OAuthClient.client_id).in_(client_ids)))).all():
            clients[c.client_id] = c.name
    actor_ids = {r.actor_account_id for r in rows if r.actor_account_id and r.actor_account_id != viewer.id}
    names: dict[uuid.UUID, str] = {}
    if actor_ids:
        for a in (await session.exec(select(Account).where(col(Account.id).in_(actor_ids)))).all():
            names[a.id] = a.full_name or ""
    out = []
    for r in rows:
        actor = _actor(r, viewer)
        out.append(
            {
                "id": str(r.id),
                "at": r.created_at.isoformat(),
                "patient_id": r.patient_id,
                "relationship": relationships.get(r.patient_id),
                "actor": actor,
                "actor_label": i18n.t(f"health.actor.{actor}", lang),
                "actor_name": names.get(r.actor_account_id) if r.actor_account_id else None,
                "client_id": r.client_id,
                "client_name": clients.get(r.client_id) if r.client_id else None,
                "share_id": str(r.share_id) if r.share_id else None,
                "interaction": r.interaction,
                "interaction_label": i18n.t(f"health.interaction.{r.interaction}", lang),
                "resource_type": r.resource_type,
                "resource_id": r.resource_id,
                "query": r.query,
            }
        )
    return out

"""Every query of the notification hub."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import Account
from notifications.models import Delivery, Device, InboxItem, Notification, Preference
from superapp.db import utcnow
from superapp.ids import new_id

IN_CLAUSE_SIZE = 1000


def _chunks(values: Sequence[Any], size: int = IN_CLAUSE_SIZE) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def insert_ignoring_duplicates(session: AsyncSession, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's dialect."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


# --- accounts and preferences -------------------------------------------------------------


async def active_accounts(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for part in _chunks(ids):
        rows = await session.exec(select(Account.id).where(Account.id.in_(part), Account.status == "active"))
        found.update(rows.all())
    return found


def audience_filter(district_code: str | None) -> list[Any]:
    conditions: list[Any] = [Account.status == "active"]
    if district_code is not None:
        conditions.append(Account.district_code == district_code)
    return conditions


async def audience_ids_after(
    session: AsyncSession, district_code: str | None, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Keyset page of audience account ids (``id > after``), in id order."""
    query = select(Account.id).where(*audience_filter(district_code))
    if after is not None:
        query = query.where(Account.id > after)
    rows = await session.exec(query.order_by(Account.id).limit(limit))
    return list(rows.all())


async def audience_ids_between(
    session: AsyncSession, district_code: str | None, after: uuid.UUID | None, upto: uuid.UUID
) -> list[uuid.UUID]:
    query = select(Account.id).where(*audience_filter(district_code), Account.id <= upto)
    if after is not None:
        query = query.where(Account.id > after)
    rows = await session.exec(query.order_by(Account.id))
    return list(rows.all())


async def preferences(
    session: AsyncSession, account_ids: Sequence[uuid.UUID], category: str
) -> dict[uuid.UUID, Preference]:
    out: dict[uuid.UUID, Preference] = {}
    for part in _chunks(account_ids):
        rows = await session.exec(
            select(Preference).where(Preference.account_id.in_(part), Preference.category == category)
        )
        out.update({p.account_id: p for p in rows.all()})
    return out


async def preferences_of(session: AsyncSession, account_id: uuid.UUID) -> list[Preference]:
    rows = await session.exec(select(Preference).where(Preference.account_id == account_id))
    return list(rows.all())


async def set_preference(
    session: AsyncSession, account_id: uuid.UUID, category: str, *, inbox: bool, push: bool
) -> None:
    pref = await session.get(Preference, (account_id, category))
    if pref is None:
        session.add(Preference(account_id=account_id, category=category, inbox=inbox, push=push))
    else:
        pref.inbox, pref.push, pref.updated_at = inbox, push, utcnow()
        session.add(pref)
    await session.flush()


# --- notifications and inbox --------------------------------------------------------------


async def notification_by_key(session: AsyncSession, source: str, key: str) -> Notification | None:
    rows = await session.exec(
        select(Notification).where(Notification.source == source, Notification.idempotency_key == key)
    )
    return rows.first()


async def add_inbox_items(
    session: AsyncSession, notification_id: uuid.UUID, account_ids: Sequence[uuid.UUID], created_at: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Bulk-insert inbox rows (duplicates ignored); returns ``(account_id, inbox_id)`` written."""
    rows = [
        {"id": new_id(), "account_id": a, "notification_id": notification_id, "created_at": created_at, "read_at": None}
        for a in account_ids
    ]
    if not rows:
        return []
    stmt = insert_ignoring_duplicates(session, InboxItem.__table__)
    written: list[tuple[uuid.UUID, uuid.UUID]] = []
    for part in _chunks(rows, 2000):
        result = await session.execute(
            stmt.returning(InboxItem.__table__.c.account_id, InboxItem.__table__.c.id), list(part)
        )
        written.extend((r[0], r[1]) for r in result.all())
    return written


def _inbox_query(account_id: uuid.UUID, unread_only: bool) -> Any:
    query = (
        select(InboxItem, Notification)
        .join(Notification, Notification.id == InboxItem.notification_id)
        .where(InboxItem.account_id == account_id)
    )
    if unread_only:
        query = query.where(InboxItem.read_at.is_(None))
    return query


async def inbox_page(
    session: AsyncSession, account_id: uuid.UUID, *, unread_only: bool, before: uuid.UUID | None, limit: int
) -> list[tuple[InboxItem, Notification]]:
    """Newest first, keyset on the inbox id (UUIDv7: arrival order)."""
    query = _inbox_query(account_id, unread_only)
    if before is not None:
        query = query.where(InboxItem.id < before)
    rows = await session.exec(query.order_by(InboxItem.id.desc()).limit(limit))
    return list(rows.all())


async def inbox_after(
    session: AsyncSession, account_id: uuid.UUID, after: uuid.UUID, limit: int
) -> list[tuple[InboxItem, Notification]]:
    """Items that arrived after ``after``, oldest first (stream replay)."""
    query = _inbox_query(account_id, False).where(InboxItem.id > after)
    rows = await session.exec(query.order_by(InboxItem.id).limit(limit))
    return list(rows.all())


async def inbox_item(
    session: AsyncSession, account_id: uuid.UUID, item_id: uuid.UUID
) -> tuple[InboxItem, Notification] | None:
    rows = await session.exec(_inbox_query(account_id, False).where(InboxItem.id == item_id))
    return rows.first()


async def inbox_items_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[tuple[InboxItem, Notification]]:
    rows = await session.exec(
        select(InboxItem, Notification)
        .join(Notification, Notification.id == InboxItem.notification_id)
        .where(InboxItem.id.in_(ids))
    )
    return list(rows.all())


async def unread_count(session: AsyncSession, account_id: uuid.UUID) -> int:
    rows = await session.exec(
        select(func.count())
        .select_from(InboxItem)
        .where(InboxItem.account_id == account_id, InboxItem.read_at.is_(None))
    )
    return int(rows.one())


async def mark_read(session: AsyncSession, account_id: uuid.UUID, item_id: uuid.UUID | None = None) -> int:
    stmt = update(InboxItem).where(InboxItem.account_id == account_id, InboxItem.read_at.is_(None))
    if item_id is not None:
        stmt = stmt.where(InboxItem.id == item_id)
    result = await session.execute(stmt.values(read_at=utcnow()))
    return result.rowcount or 0


async def delete_inbox_item(session: AsyncSession, account_id: uuid.UUID, item_id: uuid.UUID) -> int:
    result = await session.execute(delete(InboxItem).where(InboxItem.account_id == account_id, InboxItem.id == item_id))
    return result.rowcount or 0


async def inbox_of(session: AsyncSession, account_id: uuid.UUID) -> list[tuple[InboxItem, Notification]]:
    rows = await session.exec(_inbox_query(account_id, False).order_by(InboxItem.id))
    return list(rows.all())


# --- devices and deliveries ---------------------------------------------------------------


async def device_by_token(session: AsyncSession, token: str) -> Device | None:
    return (await session.exec(select(Device).where(Device.token == token))).first()


async def devices_of(session: AsyncSession, account_id: uuid.UUID) -> list[Device]:
    rows = await session.exec(select(Device).where(Device.account_id == account_id).order_by(Device.created_at))
    return list(rows.all())


async def delete_devices_by_token(session: AsyncSession, tokens: Sequence[str]) -> int:
    removed = 0
    for part in _chunks(list(tokens)):
        result = await session.execute(delete(Device).where(Device.token.in_(part)))
        removed += result.rowcount or 0
    return removed


async def create_deliveries(
    session: AsyncSession,
    notification_id: uuid.UUID,
    *,
    account_ids: Sequence[uuid.UUID] | None = None,
    id_range: tuple[uuid.UUID | None, uuid.UUID] | None = None,
) -> None:
    """One pending delivery per device of the given accounts; existing ones are left alone."""
    source = select(
        literal(notification_id, Device.__table__.c.account_id.type),
        Device.account_id,
        Device.token,
        Device.platform,
        Device.language,
        literal("pending"),
        literal(0),
        literal(utcnow(), Delivery.__table__.c.created_at.type),
    )
    columns = ["notification_id", "account_id", "token", "platform", "language", "status", "attempts", "created_at"]
    stmt = insert_ignoring_duplicates(session, Delivery.__table__)
    if id_range is not None:
        after, upto = id_range
        cond = (
            Device.account_id <= upto if after is None else and_(Device.account_id > after, Device.account_id <= upto)
        )
        await session.execute(stmt.from_select(columns, source.where(cond)))
        return
    for part in _chunks(list(account_ids or [])):
        await session.execute(stmt.from_select(columns, source.where(Device.account_id.in_(part))))


async def pending_deliveries(
    session: AsyncSession,
    notification_id: uuid.UUID,
    *,
    account_ids: Sequence[uuid.UUID] | None = None,
    id_range: tuple[uuid.UUID | None, uuid.UUID] | None = None,
) -> list[Delivery]:
    query = select(Delivery).where(Delivery.notification_id == notification_id, Delivery.status == "pending")
    if id_range is not None:
        after, upto = id_range
        query = query.where(Delivery.account_id <= upto)
        if after is not None:
            query = query.where(Delivery.account_id > after)
        return list((await session.exec(query.order_by(Delivery.id))).all())
    out: list[Delivery] = []
    for part in _chunks(list(account_ids or [])):
        out.extend((await session.exec(query.where(Delivery.account_id.in_(part)).order_by(Delivery.id))).all())
    return out


async def finish_deliveries(session: AsyncSession, ids: Sequence[int], status: str, error: str | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error, "attempts": Delivery.attempts + 1}
    if status == "sent":
        values["sent_at"] = utcnow()
    for part in _chunks(list(ids)):
        await session.execute(update(Delivery).where(Delivery.id.in_(part)).values(**values))


async def reached_accounts(
    session: AsyncSession, notification_id: uuid.UUID, after: uuid.UUID | None, upto: uuid.UUID
) -> int:
    """Accounts in ``(after, upto]`` with the message in their inbox or pushed to a device."""

    def in_range(col: Any) -> Any:
        return col <= upto if after is None else and_(col > after, col <= upto)

    inbox = select(InboxItem.account_id).where(
        InboxItem.notification_id == notification_id, in_range(InboxItem.account_id)
    )
    pushed = select(Delivery.account_id).where(
        Delivery.notification_id == notification_id, Delivery.status == "sent", in_range(Delivery.account_id)
    )
    union = inbox.union(pushed).subquery()
    return int((await session.exec(select(func.count()).select_from(union))).one())

"""Publishing: inbox rows and delivery jobs written in the caller's transaction.

Nothing leaves the process here. The push and the live-stream event are outbox jobs
(:mod:`notifications.tasks`) that workers run after the caller's transaction commits; a rollback
takes the inbox rows and the jobs with it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.sdk import NotificationCategory
from notifications import categories, repository
from notifications.api import LocalizedText, PublishResult
from notifications.errors import PublishInProgress, TooManyRecipients, UnknownCategory
from notifications.models import Notification
from notifications.texts import MAX_BODY_CHARS, MAX_TITLE_CHARS, checked_data, localized
from superapp import outbox

MAX_RECIPIENTS = 10_000  # larger audiences go through a broadcast
JOB_ACCOUNTS = 500  # accounts per push / stream job
PUSH_JOB = "notifications.push"
STREAM_JOB = "notifications.stream"


def require_category(code: str) -> NotificationCategory:
    category = categories.get(code)
    if category is None:
        raise UnknownCategory(params={"category": code}, category=code)
    return category


def channels(category: NotificationCategory, pref: Any | None) -> tuple[bool, bool]:
    """``(inbox, push)`` for one citizen: critical categories ignore preferences."""
    if category.critical or pref is None:
        return True, category.default_push or category.critical
    return pref.inbox, pref.push


async def publish_to_accounts(
    session: AsyncSession,
    *,
    recipients: list[uuid.UUID],
    category: str,
    title: LocalizedText | str,
    body: LocalizedText | str,
    data: dict[str, Any] | None = None,
    source: str = "system",
    idempotency_key: str | None = None,
) -> PublishResult:
    """Notify accounts by id. Unknown or inactive accounts and citizens who turned both channels
    off for this category are listed in ``refused``; nobody is dropped silently."""
    cat = require_category(category)
    title_texts = localized(title, field="title", limit=MAX_TITLE_CHARS)
    body_texts = localized(body, field="body", limit=MAX_BODY_CHARS)
    payload = checked_data(data)
    unique = list(dict.fromkeys(recipients))
    if len(unique) > MAX_RECIPIENTS:
        raise TooManyRecipients(params={"limit": MAX_RECIPIENTS}, limit=MAX_RECIPIENTS)

    if idempotency_key:
        existing = await repository.notification_by_key(session, source, idempotency_key)
        if existing is not None:
            return PublishResult(notification_ids=[existing.id], duplicate=True)

    result = PublishResult()
    active = await repository.active_accounts(session, unique)
    prefs = await repository.preferences(session, [a for a in unique if a in active], cat.code)
    inbox_to: list[uuid.UUID] = []
    push_to: list[uuid.UUID] = []
    for account_id in unique:
        if account_id not in active:
            result.refused.append({"recipient": str(account_id), "reason": "unknown_recipient"})
            continue
        inbox, push = channels(cat, prefs.get(account_id))
        if not inbox and not push:
            result.refused.append({"recipient": str(account_id), "reason": "opted_out"})
            continue
        if inbox:
            inbox_to.append(account_id)
        if push:
            push_to.append(account_id)
    if not inbox_to and not push_to:
        return result

    notification = Notification(
        category=cat.code,
        title=title_texts,
        body=body_texts,
        data=payload,
        source=source,
        critical=cat.critical,
        idempotency_key=idempotency_key,
    )
    if not await _add_notification(session, notification):
        # the same key published concurrently: the first one wins
        existing = await repository.notification_by_key(session, source, idempotency_key or "")
        if existing is None:
            raise PublishInProgress()
        return PublishResult(notification_ids=[existing.id], duplicate=True)

    written = await repository.add_inbox_items(session, notification.id, inbox_to, notification.created_at)
    await enqueue_delivery(session, notification.id, push_to, written)
    result.notification_ids.append(notification.id)
    return result


async def _add_notification(session: AsyncSession, notification: Notification) -> bool:
    """Insert the message; False if its idempotency key was taken meanwhile (PostgreSQL).

    On SQLite writers are serialised and the check above suffices; a savepoint there would be
    opened outside the driver's transaction and released as a commit, escaping a rollback.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if notification.idempotency_key is None or dialect != "postgresql":
        session.add(notification)
        await session.flush()
        return True
    try:
        async with session.begin_nested():
            session.add(notification)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def enqueue_delivery(
    session: AsyncSession,
    notification_id: uuid.UUID,
    push_to: list[uuid.UUID],
    inbox_items: list[tuple[uuid.UUID, uuid.UUID]],
) -> None:
    """Outbox jobs for the push and the live-stream events, in the caller's transaction."""
    for i in range(0, len(push_to), JOB_ACCOUNTS):
        part = push_to[i : i + JOB_ACCOUNTS]
        await outbox.enqueue(
            session,
            PUSH_JOB,
            {"notification_id": str(notification_id), "account_ids": [str(a) for a in part]},
            dedupe_key=f"{PUSH_JOB}:{notification_id}:{i // JOB_ACCOUNTS}",
        )
    for i in range(0, len(inbox_items), JOB_ACCOUNTS):
        part = inbox_items[i : i + JOB_ACCOUNTS]
        await outbox.enqueue(
            session,
            STREAM_JOB,
            {"items": [[str(a), str(item)] for a, item in part]},
            dedupe_key=f"{STREAM_JOB}:{notification_id}:{i // JOB_ACCOUNTS}",
            max_attempts=3,
        )

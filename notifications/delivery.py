"""Sending the pending pushes of one message to a set of recipients' devices.

Each (message, device token) has exactly one delivery row (unique constraint), created before
anything is sent; only ``pending`` rows are sent, and a row leaves ``pending`` once the push
service answered. A job that runs again (retry, a second worker after a lease timeout) therefore
re-sends only what was never answered.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from notifications import repository
from notifications.models import Delivery, Notification
from notifications.push import PushMessage, get_backend
from notifications.texts import pick
from superapp.context import AppContext
from superapp.db import unit_of_work

log = logging.getLogger(__name__)
Range = tuple[uuid.UUID | None, uuid.UUID]


@dataclass
class SendReport:
    sent: int = 0
    invalid: int = 0
    failed: int = 0
    retry: int = 0


def push_data(notification: Notification) -> dict[str, str]:
    """FCM data values must be strings: the message id, category and the caller's data."""
    import json

    data = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in notification.data.items()}
    data.update({"notification_id": str(notification.id), "category": notification.category})
    return data


def message_for(notification: Notification, delivery: Delivery, data: dict[str, str]) -> PushMessage:
    return PushMessage(
        token=delivery.token,
        platform=delivery.platform,
        title=pick(notification.title, delivery.language),
        body=pick(notification.body, delivery.language),
        data=data,
        critical=notification.critical,
    )


async def prepare(
    ctx: AppContext,
    notification_id: uuid.UUID,
    *,
    account_ids: list[uuid.UUID] | None = None,
    id_range: Range | None = None,
) -> None:
    """Create the pending delivery rows (committed before anything is sent)."""
    async with unit_of_work(ctx.sessionmaker) as session:
        await repository.create_deliveries(session, notification_id, account_ids=account_ids, id_range=id_range)


async def send_pending(
    ctx: AppContext,
    notification_id: uuid.UUID,
    *,
    account_ids: list[uuid.UUID] | None = None,
    id_range: Range | None = None,
    give_up: bool = False,
) -> SendReport:
    """Push every pending delivery of ``notification_id`` for these recipients.

    Transient failures stay ``pending`` (to be retried) unless ``give_up``, when they become
    ``failed``. Dead tokens are marked ``invalid`` and their devices deleted.
    """
    report = SendReport()
    async with ctx.sessionmaker() as session:
        notification = await session.get(Notification, notification_id)
        if notification is None:
            return report
        pending = await repository.pending_deliveries(
            session, notification_id, account_ids=account_ids, id_range=id_range
        )
    if not pending:
        return report
    backend = get_backend(ctx)
    data = push_data(notification)
    for i in range(0, len(pending), backend.max_batch):
        part = pending[i : i + backend.max_batch]
        outcomes = await backend.send([message_for(notification, d, data) for d in part])
        by_status: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        dead_tokens: list[str] = []
        for delivery, outcome in zip(part, outcomes, strict=True):
            status = outcome.status
            if status == "retry" and give_up:
                status = "failed"
            setattr(report, status, getattr(report, status) + 1)
            if status == "invalid":
                dead_tokens.append(delivery.token)
            if status != "retry":
                by_status[(status, outcome.error if status != "sent" else None)].append(delivery.id)
        async with unit_of_work(ctx.sessionmaker) as session:
            for (status, error), ids in by_status.items():
                await repository.finish_deliveries(session, ids, status, error)
            if dead_tokens:
                removed = await repository.delete_devices_by_token(session, dead_tokens)
                log.info("push: forgot %d dead device token(s)", removed)
    return report

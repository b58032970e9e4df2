"""Outbox handlers of the notification hub (run by ``superapp serve`` / ``superapp worker``).

Every handler is idempotent: a job may run again after a failure or a lease timeout.
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications import broadcast, delivery, stream
from notifications.broadcast import TransientPushError
from notifications.service import PUSH_JOB, STREAM_JOB
from superapp import outbox
from superapp.context import AppContext


@outbox.handler(PUSH_JOB)
async def push(ctx: AppContext, payload: dict[str, Any]) -> None:
    """Push one message to the devices of up to 500 accounts; transient failures retry."""
    notification_id = uuid.UUID(payload["notification_id"])
    accounts = [uuid.UUID(a) for a in payload["account_ids"]]
    await delivery.prepare(ctx, notification_id, account_ids=accounts)
    report = await delivery.send_pending(ctx, notification_id, account_ids=accounts)
    if report.retry:
        raise TransientPushError(f"{report.retry} push(es) to retry")


@outbox.handler(STREAM_JOB)
async def announce(ctx: AppContext, payload: dict[str, Any]) -> None:
    """Publish new inbox items to the citizens' live streams."""
    await stream.publish_inbox_ids(ctx, [uuid.UUID(item) for _account, item in payload["items"]])


@outbox.handler(broadcast.PLAN_JOB)
async def plan_broadcast(ctx: AppContext, payload: dict[str, Any]) -> None:
    await broadcast.plan(ctx, uuid.UUID(payload["broadcast_id"]))


@outbox.handler(broadcast.CHUNK_JOB)
async def broadcast_chunk(ctx: AppContext, payload: dict[str, Any]) -> None:
    await broadcast.run_chunk(ctx, uuid.UUID(payload["broadcast_id"]), int(payload["seq"]))

"""Telling the citizen that a doctor opened their shared record.

The use of a share enqueues an outbox job in the same transaction (at most one per share and
hour); the job publishes through :func:`notifications.api.publish` after commit.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from miniapps.sdk import NotificationCategory
from superapp import outbox
from superapp.db import unit_of_work

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from miniapps.health.models import HealthShare
    from superapp.context import AppContext

log = logging.getLogger(__name__)
JOB_KIND = "health.share_used"
SHARE_USED_CATEGORY = NotificationCategory(
    code="health.share_used",
    name={"vi": "Hồ sơ sức khỏe được chia sẻ đã được mở", "en": "Shared health record opened"},
    critical=False,
)
TITLE = {"vi": "Hồ sơ sức khỏe của bạn vừa được xem", "en": "Your health record was viewed"}
BODY = {
    "vi": "Một bác sĩ vừa mở hồ sơ bạn chia sẻ. Bạn có thể thu hồi liên kết bất cứ lúc nào.",
    "en": "A doctor opened the record you shared. You can revoke the link at any time.",
}


async def share_used(session: AsyncSession, share: HealthShare, at: datetime) -> None:
    """Queue the notification (deduplicated per share and hour)."""
    await outbox.enqueue(
        session,
        JOB_KIND,
        {"account_id": str(share.account_id), "share_id": str(share.id), "at": at.isoformat()},
        dedupe_key=f"{JOB_KIND}:{share.id}:{at:%Y%m%d%H}",
    )


@outbox.handler(JOB_KIND)
async def deliver_share_used(ctx: AppContext, payload: dict[str, Any]) -> None:
    from notifications.api import publish

    try:
        async with unit_of_work(ctx.sessionmaker) as session:
            await publish(
            session,
                recipients=[uuid.UUID(payload["account_id"])],
                category=SHARE_USED_CATEGORY.code,
                title=TITLE,
                body=BODY,
                data={"share_id": payload["share_id"], "at": payload["at"]},
                source="health",
                idempotency_key=f"{JOB_KIND}:{payload['share_id']}:{payload['at'][:13]}",
            )
    except ModuleNotFoundError as exc:
        # A host without the notification hub: the access log still records the use.
        raise outbox.PermanentJobError("notification hub not installed") from exc

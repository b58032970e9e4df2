"""How long operational records are kept, and the periodic jobs that purge them.

Personal data is kept no longer than its purpose needs (Decree 13/2023/ND-CP Art. 3). Records
that serve only the machinery are purged on a schedule by one worker of the deployment:

- ``Idempotency-Key`` records: 24 hours (:data:`superapp.idempotency.RETENTION`), the replay
  window the API promises.
- Outbox rows carried out (``done``): :data:`OUTBOX_DONE_RETENTION`. Rows given up on
  (``dead``) stay until an operator has looked at them.

Audit entries and the health record's access log are evidence and are not purged here (see
docs/security.md, "Retention").
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete

from superapp.db import utcnow
from superapp.idempotency import purge_expired
from superapp.models import OutboxJob
from superapp.workers import periodic

if TYPE_CHECKING:
    from superapp.context import AppContext

log = logging.getLogger(__name__)
OUTBOX_DONE_RETENTION = timedelta(days=7)
PURGE_EVERY_SECONDS = 3600


@periodic("superapp.purge_idempotency_records", every_seconds=PURGE_EVERY_SECONDS)
async def purge_idempotency_records(ctx: AppContext) -> None:
    removed = await purge_expired(ctx)
    log.info("purged %d idempotency records", removed)


async def purge_done_outbox_rows(ctx: AppContext) -> int:
    """Delete outbox rows finished more than :data:`OUTBOX_DONE_RETENTION` ago."""
    cutoff = utcnow() - OUTBOX_DONE_RETENTION
    async with ctx.sessionmaker() as session:
        result = await session.execute(delete(OutboxJob).where(OutboxJob.status == "done", OutboxJob.done_at < cutoff))
        await session.commit()
        return result.rowcount or 0


@periodic("superapp.purge_outbox", every_seconds=PURGE_EVERY_SECONDS)
async def purge_outbox(ctx: AppContext) -> None:
    removed = await purge_done_outbox_rows(ctx)
    log.info("purged %d finished outbox rows", removed)

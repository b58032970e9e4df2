"""The audit log: who did what to which object, written in the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from superapp.models import AuditEntry


async def record(
    session: AsyncSession,
    *,
    action: str,
    target_type: str,
    target_id: str | uuid.UUID,
    actor_id: uuid.UUID | None = None,
    actor_label: str | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    request_id: str | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
        ip=ip,
        request_id=request_id,
    )
    session.add(entry)
    await session.flush()
    return entry

"""Time helpers: UTC now, epoch seconds, and timezone repair for SQLite rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def epoch() -> int:
    return int(time.time())


def aware(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

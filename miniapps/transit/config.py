"""Transit settings (``SUPERAPP_TRANSIT_*``) and the clock, both hung off the app context."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from superapp.context import AppContext

SETTINGS_KEY = "transit.settings"
CLOCK_KEY = "transit.clock"


class TransitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERAPP_TRANSIT_", extra="ignore")

    step_seconds: int = Field(default=30, ge=5, le=255)
    skew_steps: int = Field(default=1, ge=0, le=4)
    passback_minutes: int = Field(default=20, ge=0, le=240)
    single_ride_validity_days: int = Field(default=30, ge=1, le=365)
    day_pass_hours: int = Field(default=24, ge=1, le=72)
    monthly_pass_days: int = Field(default=30, ge=28, le=31)
    key_retention_days: int = Field(default=45, ge=1)
    student_max_age: int = Field(default=25, ge=6)
    elderly_min_age: int = Field(default=60, ge=50)
    offline_batch_max: int = Field(default=500, ge=1, le=5000)
    denylist_page_size: int = Field(default=1000, ge=10, le=10000)
    denylist_lag_seconds: int = Field(default=60, ge=0)
    expiry_reminder_hours: int = Field(default=24, ge=1)


def transit_settings(ctx: AppContext) -> TransitSettings:
    found = ctx.cache.get(SETTINGS_KEY)
    if found is None:
        found = ctx.cache[SETTINGS_KEY] = TransitSettings()
    return found


def now_unix(ctx: AppContext) -> float:
    """Current time (Unix seconds); tests put another clock at ``ctx.cache["transit.clock"]``."""
    return ctx.cache.get(CLOCK_KEY, time.time)()


def now_utc(ctx: AppContext) -> datetime:
    return datetime.fromtimestamp(now_unix(ctx), UTC)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

"""Feedback settings, read from the environment with the ``SUPERAPP_FEEDBACK_`` prefix.

Working hours follow the Vietnamese civil-service week (Mon–Fri, 08:00–12:00 and
13:00–17:00, ``Asia/Ho_Chi_Minh``). Public holidays come from the ``holidays`` package (VN);
``SUPERAPP_FEEDBACK_EXTRA_HOLIDAYS`` adds days off the government announces each year (e.g.
bridge days) and ``SUPERAPP_FEEDBACK_EXTRA_WORKDAYS`` the Saturdays worked in exchange, both as
JSON lists of ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "feedback.settings"


class FeedbackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPERAPP_FEEDBACK_", extra="ignore")

    timezone: str = "Asia/Ho_Chi_Minh"
    extra_holidays: list[date] = Field(default_factory=list)
    extra_workdays: list[date] = Field(default_factory=list)

    # Deadlines in working hours. "Received" (moderated) within 8 working hours; handled within
    # 4 (urgent), 40 = 5 working days (normal) or 80 = 10 working days (complex).
    ack_hours: float = 8
    urgent_hours: float = 4
    normal_hours: float = 40
    complex_hours: float = 80

    auto_close_days: int = 7
    max_photos: int = 5
    max_photo_bytes: int = 10 * 1024 * 1024
    max_photo_pixels: int = 40_000_000
    photo_max_side: int = 2560
    thumbnail_side: int = 320
    nearby_default_radius_m: int = 50
    nearby_max_radius_m: int = 2000
    # Report submissions per account (``limits`` notation).
    report_rate_limit: str = "20/hour"

    def deadline_hours(self, severity: str) -> float:
        return {"urgent": self.urgent_hours, "normal": self.normal_hours, "complex": self.complex_hours}[severity]


def feedback_settings(ctx: AppContext) -> FeedbackSettings:
    """The context's feedback settings (tests may put their own under ``ctx.cache``)."""
    found = ctx.cache.get(CACHE_KEY)
    if found is None:
        found = FeedbackSettings()
        ctx.cache[CACHE_KEY] = found
    return found

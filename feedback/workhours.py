"""Working-hours arithmetic for report deadlines.

A working day is Monday to Friday, not a public holiday, with two periods in local time
(``Asia/Ho_Chi_Minh``): 08:00–12:00 and 13:00–17:00, eight working hours in all. Vietnamese
public holidays come from the ``holidays`` package (country ``VN``); extra days off and extra
working days (Saturdays worked to bridge a holiday) are given in the settings.

``add_working_hours(start, h)`` is the instant at which ``h`` working hours have elapsed after
``start``; a deadline that falls exactly at the end of a period stays there (12:00, 17:00)
rather than moving to the next opening.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 0)))
MAX_DAYS_SEARCHED = 3660


@lru_cache(maxsize=64)
def _vn_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("VN", years=[year]).keys())


class WorkingCalendar:
    """Which instants count as working time, and sums of working hours over that calendar."""

    def __init__(
        self,
        tz: str = "Asia/Ho_Chi_Minh",
        *,
        periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS,
        workdays: Iterable[int] = (0, 1, 2, 3, 4),
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        use_public_holidays: bool = True,
    ) -> None:
        self.tz = ZoneInfo(tz)
        self.periods = periods
        self.workdays = frozenset(workdays)
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self.use_public_holidays = use_public_holidays

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self.use_public_holidays and day in _vn_holidays(day.year):
            return False
        return day.weekday() in self.workdays

    def _periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz)) for start, end in self.periods
        ]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` working hours after ``start`` (aware; returned in UTC)."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = timedelta(hours=hours)
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS_SEARCHED):
            for opens, closes in self._periods_of(day):
                if local >= closes:
                    continue
                begin = max(local, opens)
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(UTC)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time found in the searched range")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from ``start`` to ``end`` (0 if ``end`` is not after ``start``)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        if end <= start:
            return 0.0
        a, b = start.astimezone(self.tz), end.astimezone(self.tz)
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for opens, closes in self._periods_of(day):
                lo, hi = max(opens, a), min(closes, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total.total_seconds() / 3600

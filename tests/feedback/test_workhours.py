"""Working-hours deadline arithmetic (Asia/Ho_Chi_Minh, 08–12 and 13–17, Mon–Fri, VN holidays)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from feedback.workhours import WorkingCalendar

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


class TestWithinADay:
    def test_inside_a_period(self, cal):
        assert cal.add_working_hours(local(2026, 12, 7, 9), 2) == local(2026, 12, 7, 11)

    def test_lunch_break_is_skipped(self, cal):
        assert cal.add_working_hours(local(2026, 12, 7, 10), 4) == local(2026, 12, 7, 15)
        assert cal.add_working_hours(local(2026, 12, 7, 12, 30), 1) == local(2026, 12, 7, 14)

    def test_deadline_ending_a_period_stays_there(self, cal):
        assert cal.add_working_hours(local(2026, 12, 7, 8), 4) == local(2026, 12, 7, 12)
        assert cal.add_working_hours(local(2026, 12, 7, 8), 8) == local(2026, 12, 7, 17)

    def test_before_opening_and_in_the_evening(self, cal):
        assert cal.add_working_hours(local(2026, 12, 8, 6), 1) == local(2026, 12, 8, 9)
        assert cal.add_working_hours(local(2026, 12, 8, 19), 1) == local(2026, 12, 9, 9)

    def test_result_is_utc_and_utc_input_is_understood(self, cal):
        due = cal.add_working_hours(datetime(2026, 12, 7, 2, 0, tzinfo=UTC), 1)  # 09:00 local
        assert due.tzinfo == UTC and due == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)

    def test_naive_or_negative_input_is_refused(self, cal):
        with pytest.raises(ValueError):
            cal.add_working_hours(datetime(2026, 12, 7, 9), 1)
        with pytest.raises(ValueError):
            cal.add_working_hours(local(2026, 12, 7, 9), -1)


class TestAcrossDays:
    def test_friday_afternoon_runs_into_monday(self, cal):
        assert cal.add_working_hours(local(2026, 12, 11, 15), 4) == local(2026, 12, 14, 10)

    def test_weekend_start_counts_from_monday(self, cal):
        assert cal.add_working_hours(local(2026, 12, 12, 10), 1) == local(2026, 12, 14, 9)

    def test_normal_deadline_of_forty_hours_is_one_working_week(self, cal):
        assert cal.add_working_hours(local(2026, 12, 7, 8), 40) == local(2026, 12, 11, 17)

    def test_complex_deadline_of_ten_working_days(self, cal):
        assert cal.add_working_hours(local(2026, 12, 7, 8), 80) == local(2026, 12, 18, 17)


class TestHolidays:
    def test_national_day_holidays_are_skipped(self, cal):
        # Mon 31 Aug (substitute day), Tue 1 and Wed 2 Sep 2026 are days off.
        assert not cal.is_working_day(date(2026, 9, 2))
        assert cal.add_working_hours(local(2026, 8, 28, 16), 2) == local(2026, 9, 3, 9)

    def test_lunar_new_year(self, cal):
        # Tết 2027: Thu 4 Feb to Wed 10 Feb off; 1 h on Wed 3 Feb, 7 h on Thu 11 Feb.
        assert cal.add_working_hours(local(2027, 2, 3, 16), 8) == local(2027, 2, 11, 16)

    def test_extra_holiday_from_settings(self):
        cal = WorkingCalendar(extra_holidays=[date(2026, 12, 8)])
        assert cal.add_working_hours(local(2026, 12, 7, 16), 2) == local(2026, 12, 9, 9)

    def test_extra_working_saturday_from_settings(self):
        cal = WorkingCalendar(extra_workdays=[date(2026, 12, 12)])
        assert cal.add_working_hours(local(2026, 12, 11, 16), 2) == local(2026, 12, 12, 9)


class TestElapsed:
    def test_working_hours_between(self, cal):
        assert cal.working_hours_between(local(2026, 12, 7, 7), local(2026, 12, 8, 12, 30)) == 12
        assert cal.working_hours_between(local(2026, 12, 11, 16), local(2026, 12, 14, 9)) == 2
        assert cal.working_hours_between(local(2026, 12, 8), local(2026, 12, 7)) == 0

    def test_round_trip_with_add(self, cal):
        start = local(2026, 12, 9, 11, 15)
        assert cal.working_hours_between(start, cal.add_working_hours(start, 13.5)) == pytest.approx(13.5)

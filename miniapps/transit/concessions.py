"""Who may buy a concession product, judged from the verified identity only.

- ``elderly``: identity level 2 (national ID verified) and aged ``elderly_min_age`` (60) or more
  on the day of purchase, Hanoi time — Hanoi's free bus travel for people aged 60 and over.
- ``student``: identity level 2 and aged 6 to ``student_max_age`` (25). Without a student
  registry adapter the age range stands in for the enrolment check.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from auth.models import Account
from miniapps.transit.config import TransitSettings

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def ineligibility(account: Account, concession: str | None, at: datetime, settings: TransitSettings) -> str | None:
    """None if ``account`` may buy a product with ``concession``; else why not
    (``identity_level``, ``birth_date``, ``age``)."""
    if concession is None:
        return None
    if account.identity_level < 2:
        return "identity_level"
    if account.birth_date is None:
        return "birth_date"
    age = age_on(account.birth_date, at.astimezone(HANOI).date())
    if concession == "elderly":
        return None if age >= settings.elderly_min_age else "age"
    if concession == "student":
        return None if 6 <= age <= settings.student_max_age else "age"
    return "unknown_concession"

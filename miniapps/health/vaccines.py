"""Which vaccinations are due: Vietnam's Expanded Programme on Immunization (Tiêm chủng mở rộng)
for children under 6, and the yearly influenza shot for adults.

Doses are matched by CVX code (http://hl7.org/fhir/sid/cvx) or by the key of the national
vaccine list (``VN_VACCINE`` system, same keys as below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from miniapps.health.fhir.constants import CVX, VN_VACCINE
from miniapps.health.fhir.indexing import LOCAL_TZ, parse_fhir_datetime


@dataclass(frozen=True)
class ScheduledDose:
    key: str  # label key health.vaccine.<key>, also the VN_VACCINE code
    cvx: frozenset[str]
    dose: int
    age_months: int


EPI_MAX_AGE_YEARS = 6
EPI_SCHEDULE = (
    ScheduledDose("hepb_birth", frozenset({"08", "45"}), 1, 0),
    ScheduledDose("bcg", frozenset({"19"}), 1, 0),
    ScheduledDose("dtp_hepb_hib", frozenset({"102", "198"}), 1, 2),
    ScheduledDose("opv", frozenset({"02", "178", "179", "182"}), 1, 2),
    ScheduledDose("dtp_hepb_hib", frozenset({"102", "198"}), 2, 3),
    ScheduledDose("opv", frozenset({"02", "178", "179", "182"}), 2, 3),
    ScheduledDose("dtp_hepb_hib", frozenset({"102", "198"}), 3, 4),
    ScheduledDose("opv", frozenset({"02", "178", "179", "182"}), 3, 4),
    ScheduledDose("ipv", frozenset({"10"}), 1, 5),
    ScheduledDose("measles", frozenset({"05"}), 1, 9),
    ScheduledDose("japanese_encephalitis", frozenset({"39", "134"}), 1, 12),
    ScheduledDose("japanese_encephalitis", frozenset({"39", "134"}), 2, 13),
    ScheduledDose("measles_rubella", frozenset({"04", "03", "94"}), 1, 18),
    ScheduledDose("dtp_booster", frozenset({"01", "20", "106", "107"}), 1, 18),
    ScheduledDose("japanese_encephalitis", frozenset({"39", "134"}), 3, 24),
)
INFLUENZA = frozenset({"88", "140", "141", "150", "155", "158", "161", "171", "185", "186", "197", "205"})
ADULT_AGE_YEARS = 18


def _codes(immunization: dict[str, Any]) -> set[str]:
    out = set()
    for coding in (immunization.get("vaccineCode") or {}).get("coding") or []:
        if coding.get("system") in (CVX, VN_VACCINE) and coding.get("code"):
            out.add(coding["code"])
    return out


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, 28)
    return date(start.year + year, month + 1, day)


def due(birth: date, immunizations: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Doses whose age has come and that are not recorded as given: ``[{key, dose, due_since}]``."""
    given = [i for i in immunizations if i.get("status") == "completed"]
    out: list[dict[str, Any]] = []
    age_months = _months_between(birth, today)
    if age_months < EPI_MAX_AGE_YEARS * 12:
        for item in EPI_SCHEDULE:
            if item.age_months > age_months:
                continue
            doses = sum(1 for i in given if _codes(i) & (item.cvx | {item.key}))
            if doses < item.dose:
                out.append({"key": item.key, "dose": item.dose, "due_since": add_months(birth, item.age_months)})
    if age_months >= ADULT_AGE_YEARS * 12:
        shots = [parse_fhir_datetime(i.get("occurrenceDateTime") or "") for i in given if _codes(i) & (INFLUENZA | {"influenza"})]
        days = [s.astimezone(LOCAL_TZ).date() for s in shots if s is not None]
        last = max(days, default=None)
        if last is None or last <= today - timedelta(days=365):
            out.append({"key": "influenza", "dose": 1, "due_since": (last + timedelta(days=365)) if last else today})
    return out

"""What the store indexes of each resource: its patient, its date, its ``code`` and ``category``.

The same functions serve the local store (when writing) and the remote source (when checking
that a resource fetched from a hospital belongs to a patient the caller may read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from miniapps.health.fhir.constants import NATIONAL_ID_SYSTEM, PATIENT

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)

# Where each resource keeps the patient reference.
PATIENT_FIELD = {
    "Encounter": "subject",
    "Immunization": "patient",
    "Observation": "subject",
    "Condition": "subject",
    "AllergyIntolerance": "patient",
    "MedicationRequest": "subject",
    "DiagnosticReport": "subject",
}
# The element searched by ``code``, ``category`` and ``date`` (first present wins for ``date``).
CODE_FIELD = {
    "Encounter": "type",
    "Immunization": "vaccineCode",
    "Observation": "code",
    "Condition": "code",
    "AllergyIntolerance": "code",
    "MedicationRequest": "medicationCodeableConcept",
    "DiagnosticReport": "code",
}
CATEGORY_FIELD = {
    "Encounter": "class",
    "Observation": "category",
    "Condition": "category",
    "AllergyIntolerance": "category",
    "MedicationRequest": "category",
    "DiagnosticReport": "category",
}
DATE_FIELDS = {
    "Patient": (),
    "Encounter": ("period.start",),
    "Immunization": ("occurrenceDateTime", "recorded"),
    "Observation": ("effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued"),
    "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
    "AllergyIntolerance": ("recordedDate", "onsetDateTime"),
    "MedicationRequest": ("authoredOn",),
    "DiagnosticReport": ("effectiveDateTime", "effectivePeriod.start", "issued"),
}


@dataclass(frozen=True)
class Token:
    system: str
    code: str


def _path(resource: dict[str, Any], dotted: str) -> Any:
    value: Any = resource
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def reference_id(reference: str | None, resource_type: str = PATIENT) -> str | None:
    """``Patient/123`` (relative or absolute URL, optional ``/_history``) → ``123``."""
    if not reference or not isinstance(reference, str):
        return None
    parts = reference.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None


def patient_of(resource: dict[str, Any]) -> str | None:
    """The id of the Patient a resource belongs to (its own id for a Patient)."""
    rtype = resource.get("resourceType")
    if rtype == PATIENT:
        return resource.get("id")
    field = PATIENT_FIELD.get(rtype or "")
    ref = resource.get(field) if field else None
    return reference_id(ref.get("reference")) if isinstance(ref, dict) else None


def national_id_of(patient: dict[str, Any]) -> str | None:
    for ident in patient.get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == NATIONAL_ID_SYSTEM:
            return ident.get("value")
    return None


def parse_fhir_datetime(value: str) -> datetime | None:
    """A FHIR ``date``/``dateTime``/``instant`` → its first instant in UTC (local time if no offset)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 4:
            moment = datetime(int(value), 1, 1, tzinfo=LOCAL_TZ)
        elif len(value) == 7:
            moment = datetime(int(value[:4]), int(value[5:7]), 1, tzinfo=LOCAL_TZ)
        elif len(value) == 10:
            moment = datetime.combine(date.fromisoformat(value), time(), tzinfo=LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_TZ)
    except ValueError:
        return None
    return moment.astimezone(UTC)


def date_of(resource: dict[str, Any]) -> datetime | None:
    for dotted in DATE_FIELDS.get(resource.get("resourceType") or "", ()):
        found = parse_fhir_datetime(_path(resource, dotted))
        if found is not None:
            return found
    return None


def _codings(element: Any) -> list[Token]:
    """Tokens of a CodeableConcept, a Coding, a code string, or a list of any of them."""
    if element is None:
        return []
    if isinstance(element, list):
        return [t for item in element for t in _codings(item)]
    if isinstance(element, str):
        return [Token("", element)]
    if isinstance(element, dict):
        if "coding" in element:
            return _codings(element["coding"])
        if "code" in element and isinstance(element["code"], str):
            return [Token(element.get("system") or "", element["code"])]
    return []


def tokens_of(resource: dict[str, Any]) -> dict[str, list[Token]]:
    rtype = resource.get("resourceType") or ""
    out: dict[str, list[Token]] = {}
    if rtype in CODE_FIELD:
        out["code"] = _codings(resource.get(CODE_FIELD[rtype]))
    if rtype in CATEGORY_FIELD:
        out["category"] = _codings(resource.get(CATEGORY_FIELD[rtype]))
    return out


def matches_token(resource: dict[str, Any], param: str, system: str | None, code: str | None) -> bool:
    """Whether one token search value (``system|code``, either side optional) matches."""
    for tok in tokens_of(resource).get(param, []):
        if (system is None or tok.system == system) and (code is None or tok.code == code):
            return True
    return False


def to_utc(value: datetime) -> datetime:
    """Datetimes read back from SQLite come without offset; they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

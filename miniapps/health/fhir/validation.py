"""Validation of an imported FHIR Bundle: the R4B models of ``fhir.resources`` plus local rules.

Local rules (documented in docs/health.md):

- the Bundle is a ``collection``, ``transaction``, ``batch`` or ``searchset`` with 1 to
  ``MAX_ENTRIES`` entries, each holding a resource of a supported type with a logical ``id``,
  no (type, id) twice;
- a Patient carries its national ID (12 digits) as an identifier of system
  :data:`~miniapps.health.fhir.constants.NATIONAL_ID_SYSTEM`, a name and a birth date;
- every other resource references a Patient of the Bundle or of the store (``Patient/{id}``, or
  the ``fullUrl`` of a Patient entry, which is rewritten to ``Patient/{id}``);
- the main code is coded in a known system: LOINC for Observation and DiagnosticReport, CVX or
  the national vaccine list for Immunization, ICD-10 or SNOMED CT for Condition, SNOMED CT /
  RxNorm / ATC / the national drug list for AllergyIntolerance and MedicationRequest;
- ``status`` (and Patient ``gender``) use a code of their required FHIR value set;
- clinical events carry their date (Observation and DiagnosticReport effective or issued,
  Immunization occurrence, Encounter period start, MedicationRequest authoredOn).

The whole Bundle is refused if any rule fails; every failure is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from miniapps.health.fhir.constants import (
    NATIONAL_ID_SYSTEM,
    PATIENT,
    REQUIRED_CODE_SYSTEMS,
    RESOURCE_TYPES,
)
from miniapps.health.fhir.indexing import (
    CODE_FIELD,
    PATIENT_FIELD,
    date_of,
    national_id_of,
    patient_of,
    tokens_of,
)

BUNDLE_TYPES = ("collection", "transaction", "batch", "searchset")
MAX_ENTRIES = 10_000
NATIONAL_ID_RE = re.compile(r"^\d{12}$")
# Required bindings (FHIR R4) that the models do not enforce.
STATUS_CODES = {
    "Observation": {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"},
    "DiagnosticReport": {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled",
                         "entered-in-error", "unknown"},
    "Immunization": {"completed", "entered-in-error", "not-done"},
    "Encounter": {"planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
                  "unknown"},
    "MedicationRequest": {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"},
}
GENDERS = {"male", "female", "other", "unknown"}
DATED_TYPES = ("Observation", "DiagnosticReport", "Immunization", "Encounter", "MedicationRequest")


@dataclass
class ValidatedBundle:
    resources: list[dict[str, Any]]  # canonical FHIR JSON of each resource, references resolved
    errors: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def _pydantic_errors(prefix: str, exc: ValidationError, limit: int = 10) -> list[str]:
    out = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        out.append(f"{prefix}: {loc or '(resource)'}: {err.get('msg')}")
    return out


def _label(index: int, resource: dict[str, Any]) -> str:
    return f"entry[{index}] {resource.get('resourceType', '?')}/{resource.get('id', '?')}"


def validate_bundle(data: Any, known_patients: Iterable[str] = ()) -> ValidatedBundle:
    """Check a parsed Bundle; ``known_patients`` are Patient ids already in the store."""
    errors: list[str] = []
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        return ValidatedBundle([], ["the document is not a FHIR Bundle"])
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries:
        return ValidatedBundle([], ["the Bundle has no entries"])
    if len(entries) > MAX_ENTRIES:
        return ValidatedBundle([], [f"the Bundle has more than {MAX_ENTRIES} entries"])
    shell = {**data, "entry": [{k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e
                               for e in entries]}
    try:
        Bundle.model_validate(shell)
    except ValidationError as exc:
        errors.extend(_pydantic_errors("Bundle", exc))
    if data.get("type") not in BUNDLE_TYPES:
        errors.append(f"Bundle.type must be one of {', '.join(BUNDLE_TYPES)}")

    raw: list[tuple[int, dict[str, Any]]] = []
    full_urls: dict[str, str] = {}
    for i, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            errors.append(f"entry[{i}]: has no resource")
            continue
        rtype = resource.get("resourceType")
        if rtype not in RESOURCE_TYPES:
            errors.append(f"{_label(i, resource)}: resource type {rtype!r} is not supported")
            continue
        if not isinstance(resource.get("id"), str) or not resource["id"]:
            errors.append(f"{_label(i, resource)}: a logical id is required")
            continue
        if rtype == PATIENT and isinstance(entry.get("fullUrl"), str):
            full_urls[entry["fullUrl"]] = resource["id"]
        raw.append((i, resource))

    seen: set[tuple[str, str]] = set()
    bundle_patients = {r["id"] for _, r in raw if r["resourceType"] == PATIENT}
    patients = bundle_patients | set(known_patients)
    national_ids: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for i, resource in raw:
        label = _label(i, resource)
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            errors.append(f"{label}: appears twice in the Bundle")
            continue
        seen.add(key)
        resource = _resolve_patient_reference(resource, full_urls)
        model = get_fhir_model_class(resource["resourceType"])
        try:
            parsed = model.model_validate(resource)
        except ValidationError as exc:
            errors.extend(_pydantic_errors(label, exc))
            continue
        canonical = json.loads(parsed.model_dump_json())
        problems = _local_rules(canonical, patients)
        if canonical["resourceType"] == PATIENT:
            nid = national_id_of(canonical)
            if nid and nid in national_ids:
                problems.append(f"national ID also used by Patient/{national_ids[nid]}")
            elif nid:
                national_ids[nid] = canonical["id"]
        errors.extend(f"{label}: {p}" for p in problems)
        out.append(canonical)
    return ValidatedBundle(out if not errors else [], errors)


def _resolve_patient_reference(resource: dict[str, Any], full_urls: dict[str, str]) -> dict[str, Any]:
    field = PATIENT_FIELD.get(resource["resourceType"])
    ref = resource.get(field) if field else None
    if isinstance(ref, dict) and ref.get("reference") in full_urls:
        return {**resource, field: {**ref, "reference": f"Patient/{full_urls[ref['reference']]}"}}
    return resource


def _local_rules(resource: dict[str, Any], patients: set[str]) -> list[str]:
    rtype = resource["resourceType"]
    problems: list[str] = []
    if rtype == PATIENT:
        nid = national_id_of(resource)
        if nid is None:
            problems.append(f"Patient.identifier needs the national ID (system {NATIONAL_ID_SYSTEM})")
        elif not NATIONAL_ID_RE.match(nid):
            problems.append("the national ID must have 12 digits")
        if not resource.get("name"):
            problems.append("Patient.name is required")
        if not resource.get("birthDate"):
            problems.append("Patient.birthDate is required")
        if resource.get("gender") is not None and resource["gender"] not in GENDERS:
            problems.append(f"Patient.gender {resource['gender']!r} is not one of {', '.join(sorted(GENDERS))}")
        return problems
    allowed_status = STATUS_CODES.get(rtype)
    if allowed_status is not None and resource.get("status") not in allowed_status:
        problems.append(f"{rtype}.status {resource.get('status')!r} is not a code of its required value set")
    patient = patient_of(resource)
    field = PATIENT_FIELD[rtype]
    if patient is None:
        problems.append(f"{rtype}.{field} must reference a Patient (Patient/{{id}})")
    elif patient not in patients:
        problems.append(f"{rtype}.{field} references Patient/{patient}, which is neither in the Bundle nor in the store")
    systems = REQUIRED_CODE_SYSTEMS.get(rtype)
    if systems:
        codes = tokens_of(resource).get("code", [])
        if not any(t.system in systems and t.code for t in codes):
            problems.append(f"{rtype}.{CODE_FIELD[rtype]} needs a coding from {' or '.join(systems)}")
    if rtype in DATED_TYPES and date_of(resource) is None:
        problems.append(f"{rtype} needs its clinical date")
    return problems

"""The phone's one-screen view of a record: latest vitals, active conditions, allergies,
vaccinations (done and due), current medicines and last visits, with localized labels."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from miniapps.health.access import PatientAccess
from miniapps.health.fhir import constants as c
from miniapps.health.fhir.indexing import EARLIEST, LOCAL_TZ, date_of, tokens_of
from miniapps.health.fhir.search import parse_search
from miniapps.health.sources import RecordSource
from miniapps.health.vaccines import due
from superapp import i18n

SECTIONS = ("latest_vitals", "active_conditions", "allergies", "vaccinations", "medications", "last_visits")
ACTIVE_CLINICAL = ("active", "recurrence", "relapse")
LAST_VISITS = 5


def _text(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return concept["text"]
    for coding in concept.get("coding") or []:
        if coding.get("display"):
            return coding["display"]
    return None


def _first_code(concept: Any) -> tuple[str | None, str | None]:
    for coding in (concept or {}).get("coding") or []:
        return coding.get("system"), coding.get("code")
    return None, None


def _when(resource: dict[str, Any]) -> str | None:
    moment = date_of(resource)
    return moment.astimezone(LOCAL_TZ).isoformat() if moment else None


def _clinical_status(resource: dict[str, Any]) -> str | None:
    return _first_code(resource.get("clinicalStatus"))[1]


async def _search(source: RecordSource, patient_id: str, rtype: str, count: int, **params: str) -> list[dict[str, Any]]:
    items = [("patient", patient_id), ("_count", str(count)), *params.items()]
    query = parse_search(rtype, items, default_count=count, max_count=100)
    return (await source.search(query, [patient_id])).resources


def _vital(obs: dict[str, Any], code: str, lang: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": obs["id"], "code": code, "label": i18n.t(f"health.vital.{code}", lang),
                             "effective": _when(obs)}
    if code == c.BLOOD_PRESSURE:
        parts = {}
        for comp in obs.get("component") or []:
            _, comp_code = _first_code(comp.get("code"))
            parts[comp_code] = (comp.get("valueQuantity") or {}).get("value")
        entry.update(value=f"{parts.get(c.SYSTOLIC):g}/{parts.get(c.DIASTOLIC):g}" if None not in (
            parts.get(c.SYSTOLIC), parts.get(c.DIASTOLIC)) else None, unit="mmHg",
            systolic=parts.get(c.SYSTOLIC), diastolic=parts.get(c.DIASTOLIC))
    else:
        quantity = obs.get("valueQuantity") or {}
        entry.update(value=quantity.get("value"), unit=quantity.get("unit") or quantity.get("code"))
    return entry


def _latest_vitals(observations: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for obs in sorted(observations, key=lambda o: date_of(o) or EARLIEST, reverse=True):
        for tok in tokens_of(obs).get("code", []):
            if tok.system == c.LOINC and tok.code in c.VITAL_CODES and tok.code not in latest:
                latest[tok.code] = _vital(obs, tok.code, lang)
    return [latest[code] for code in c.VITAL_CODES if code in latest]


def _visit(enc: dict[str, Any]) -> dict[str, Any]:
    provider = (enc.get("serviceProvider") or {}).get("display")
    locations = enc.get("location") or []
    facility = provider or ((locations[0].get("location") or {}).get("display") if locations else None)
    reasons = [_text(r) for r in enc.get("reasonCode") or []]
    return {
        "id": enc["id"],
        "start": _when(enc),
        "end": (enc.get("period") or {}).get("end"),
        "class": (enc.get("class") or {}).get("code"),
        "type": _text((enc.get("type") or [None])[0]),
        "facility": facility,
        "reason": next((r for r in reasons if r), None),
        "status": enc.get("status"),
    }


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


async def build_summary(source: RecordSource, patient: PatientAccess, lang: str) -> dict[str, Any]:
    pid = patient.patient_id
    vital_codes = ",".join(f"{c.LOINC}|{code}" for code in c.VITAL_CODES)
    observations = await _search(source, pid, "Observation", 100, code=vital_codes)
    conditions = await _search(source, pid, "Condition", 100)
    allergies = await _search(source, pid, "AllergyIntolerance", 100)
    immunizations = await _search(source, pid, "Immunization", 100)
    medications = await _search(source, pid, "MedicationRequest", 50)
    visits = await _search(source, pid, "Encounter", LAST_VISITS)

    today = datetime.now(LOCAL_TZ).date()
    birth = date.fromisoformat(patient.resource["birthDate"][:10]) if len(patient.resource.get("birthDate", "")) >= 10 else None
    names = patient.resource.get("name") or [{}]
    full_name = names[0].get("text") or " ".join([names[0].get("family", ""), *names[0].get("given", [])]).strip()
    done = [
        {"id": i["id"], "code": _first_code(i.get("vaccineCode"))[1], "label": _text(i.get("vaccineCode")),
         "date": _when(i), "dose": ((i.get("protocolApplied") or [{}])[0]).get("doseNumberPositiveInt")}
        for i in immunizations if i.get("status") == "completed"
    ]
    due_list = [
        {"key": d["key"], "label": i18n.t(f"health.vaccine.{d['key']}", lang), "dose": d["dose"],
         "due_since": d["due_since"].isoformat()}
        for d in (due(birth, immunizations, today) if birth else [])
    ]
    return {
        "patient": {
            "id": pid,
            "name": full_name,
            "birth_date": patient.resource.get("birthDate"),
            "age": _age(birth, today) if birth else None,
            "gender": patient.resource.get("gender"),
            "relationship": patient.relationship,
        },
        "labels": {s: i18n.t(f"health.section.{s}", lang) for s in SECTIONS},
        "latest_vitals": _latest_vitals(observations, lang),
        "active_conditions": [
            {"id": r["id"], "code": _first_code(r.get("code"))[1], "label": _text(r.get("code")),
             "onset": r.get("onsetDateTime"), "recorded": r.get("recordedDate")}
            for r in conditions if _clinical_status(r) in ACTIVE_CLINICAL
        ],
        "allergies": [
            {"id": r["id"], "label": _text(r.get("code")), "category": r.get("category") or [],
             "criticality": r.get("criticality"),
             "criticality_label": i18n.t(f"health.criticality.{r['criticality']}", lang) if r.get("criticality") else None,
             "reactions": [_text(m) for rx in r.get("reaction") or [] for m in rx.get("manifestation") or []]}
            for r in allergies if _clinical_status(r) not in ("inactive", "resolved")
        ],
        "vaccinations": {"done": done, "due": due_list},
        "medications": [
            {"id": r["id"], "label": _text(r.get("medicationCodeableConcept")),
             "dosage": ((r.get("dosageInstruction") or [{}])[0]).get("text"), "authored_on": r.get("authoredOn")}
            for r in medications if r.get("status") == "active"
        ],
        "last_visits": [_visit(e) for e in visits],
    }

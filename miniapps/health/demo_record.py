"""A realistic synthetic health record for the demo citizen and her son, as a FHIR Bundle.

Dates are placed relative to ``today`` so the demo always looks current; ids are fixed so that
seeding again replaces the same resources.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from miniapps.health.fhir import constants as c

BACH_MAI = "Bệnh viện Bạch Mai"
HA_DONG = "Bệnh viện Đa khoa Hà Đông"
WARD_STATION = "Trạm Y tế phường Thanh Xuân Trung"
NHI_TW = "Bệnh viện Nhi Trung ương"


def _patient(pid: str, nid: str, family: str, given: list[str], gender: str, born: date, phone: str | None) -> dict:
    patient: dict[str, Any] = {
        "resourceType": "Patient", "id": pid,
        "identifier": [{"system": c.NATIONAL_ID_SYSTEM, "value": nid}],
        "name": [{"use": "official", "text": " ".join([family, *given]), "family": family, "given": given}],
        "gender": gender, "birthDate": born.isoformat(),
        "address": [{"city": "Hà Nội", "district": "Thanh Xuân", "country": "VN"}],
    }
    if phone:
        patient["telecom"] = [{"system": "phone", "value": phone, "use": "mobile"}]
    return patient


def _ref(pid: str) -> dict:
    return {"reference": f"Patient/{pid}"}


def _concept(system: str, code: str, display: str, text: str | None = None) -> dict:
    concept: dict[str, Any] = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        concept["text"] = text
    return concept


def _at(day: date, hour: int = 9) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+07:00"


VITALS_CATEGORY = [_concept(c.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]
LAB_CATEGORY = [_concept(c.OBSERVATION_CATEGORY, "laboratory", "Laboratory")]


def _quantity(value: float, unit: str, code: str) -> dict:
    return {"value": value, "unit": unit, "system": c.UCUM, "code": code}


def _observation(oid: str, pid: str, code: str, display: str, when: date, **kw: Any) -> dict:
    obs = {"resourceType": "Observation", "id": oid, "status": "final", "category": VITALS_CATEGORY,
           "code": _concept(c.LOINC, code, display), "subject": _ref(pid), "effectiveDateTime": _at(when)}
    obs.update(kw)
    return obs


def _bp(oid: str, pid: str, when: date, sys_: int, dia: int) -> dict:
    return _observation(oid, pid, c.BLOOD_PRESSURE, "Blood pressure panel with all children optional", when, component=[
        {"code": _concept(c.LOINC, c.SYSTOLIC, "Systolic blood pressure"), "valueQuantity": _quantity(sys_, "mmHg", "mm[Hg]")},
        {"code": _concept(c.LOINC, c.DIASTOLIC, "Diastolic blood pressure"), "valueQuantity": _quantity(dia, "mmHg", "mm[Hg]")},
    ])


def _immunization(iid: str, pid: str, cvx: str, display: str, when: date, dose: int | None = None, site: str = WARD_STATION) -> dict:
    imm: dict[str, Any] = {"resourceType": "Immunization", "id": iid, "status": "completed",
                           "vaccineCode": _concept(c.CVX, cvx, display), "patient": _ref(pid),
                           "occurrenceDateTime": _at(when), "performer": [{"actor": {"display": site}}]}
    if dose:
        imm["protocolApplied"] = [{"doseNumberPositiveInt": dose}]
    return imm


def _encounter(eid: str, pid: str, when: date, facility: str, reason: str, kind: str = "AMB") -> dict:
    return {"resourceType": "Encounter", "id": eid, "status": "finished",
            "class": {"system": c.ACT_CODE, "code": kind, "display": "ambulatory" if kind == "AMB" else "inpatient encounter"},
            "type": [_concept(c.SNOMED, "185349003", "Encounter for check up", "Khám bệnh")],
            "subject": _ref(pid), "period": {"start": _at(when, 8), "end": _at(when, 10)},
            "reasonCode": [{"text": reason}], "serviceProvider": {"display": facility}}


def _lan(pid: str, nid: str, today: date) -> list[dict]:
    out = [_patient(pid, nid, "Nguyễn", ["Thị", "Lan"], "female", date(1988, 3, 14), "+84901000001")]
    visits = [(today - timedelta(days=14), BACH_MAI, "Tái khám tăng huyết áp"),
              (today - timedelta(days=75), HA_DONG, "Ho, sốt 3 ngày"),
              (today - timedelta(days=160), BACH_MAI, "Khám sức khỏe định kỳ"),
              (today - timedelta(days=300), WARD_STATION, "Đo huyết áp, tư vấn dinh dưỡng")]
    out += [_encounter(f"{pid}-enc-{i + 1}", pid, d, f, r) for i, (d, f, r) in enumerate(visits)]
    readings = [(150, 95), (146, 92), (142, 90), (138, 88), (136, 86), (132, 85), (130, 84), (128, 82)]
    for i, (s, d) in enumerate(readings):
        out.append(_bp(f"{pid}-bp-{i + 1}", pid, today - timedelta(days=30 * (len(readings) - 1 - i) + 3), s, d))
    glucose = [6.8, 6.5, 6.4, 6.2, 6.1, 5.9]
    for i, value in enumerate(glucose):
        out.append(_observation(f"{pid}-glu-{i + 1}", pid, c.GLUCOSE_FASTING,
                                "Glucose [Moles/volume] in Serum or Plasma --fasting",
                                today - timedelta(days=45 * (len(glucose) - 1 - i) + 5), category=LAB_CATEGORY,
                                valueQuantity=_quantity(value, "mmol/L", "mmol/L")))
    out.append(_observation(f"{pid}-wt-1", pid, c.BODY_WEIGHT, "Body weight", today - timedelta(days=14),
                            valueQuantity=_quantity(61.5, "kg", "kg")))
    out.append(_observation(f"{pid}-ht-1", pid, c.BODY_HEIGHT, "Body height", today - timedelta(days=160),
                            valueQuantity=_quantity(156, "cm", "cm")))
    out.append(_observation(f"{pid}-hr-1", pid, c.HEART_RATE, "Heart rate", today - timedelta(days=14),
                            valueQuantity=_quantity(76, "/min", "/min")))
    out.append(_observation(f"{pid}-hba1c-1", pid, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood",
                            today - timedelta(days=160), category=LAB_CATEGORY, valueQuantity=_quantity(6.1, "%", "%")))
    out.append({"resourceType": "DiagnosticReport", "id": f"{pid}-dr-1", "status": "final", "category": [
        _concept("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
        "code": _concept(c.LOINC, "24323-8", "Comprehensive metabolic 2000 panel", "Sinh hóa máu"),
        "subject": _ref(pid), "effectiveDateTime": _at(today - timedelta(days=160)),
        "result": [{"reference": f"Observation/{pid}-hba1c-1"}, {"reference": f"Observation/{pid}-glu-4"}],
        "conclusion": "Tiền đái tháo đường; theo dõi đường huyết định kỳ."})
    active = {"coding": [{"system": c.CONDITION_CLINICAL, "code": "active"}]}
    resolved = {"coding": [{"system": c.CONDITION_CLINICAL, "code": "resolved"}]}
    problem = [_concept(c.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")]
    out.append({"resourceType": "Condition", "id": f"{pid}-cond-htn", "clinicalStatus": active, "category": problem,
                "code": _concept(c.ICD10, "I10", "Essential (primary) hypertension", "Tăng huyết áp vô căn"),
                "subject": _ref(pid), "onsetDateTime": "2023-05-10", "recordedDate": "2023-05-10"})
    out.append({"resourceType": "Condition", "id": f"{pid}-cond-prediabetes", "clinicalStatus": active, "category": problem,
                "code": _concept(c.ICD10, "R73.0", "Abnormal glucose tolerance test", "Rối loạn dung nạp glucose"),
                "subject": _ref(pid), "onsetDateTime": (today - timedelta(days=160)).isoformat(),
                "recordedDate": (today - timedelta(days=160)).isoformat()})
    out.append({"resourceType": "Condition", "id": f"{pid}-cond-bronchitis", "clinicalStatus": resolved,
                "category": [_concept(c.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
                "code": _concept(c.ICD10, "J20.9", "Acute bronchitis, unspecified", "Viêm phế quản cấp"),
                "subject": _ref(pid), "encounter": {"reference": f"Encounter/{pid}-enc-2"},
                "recordedDate": (today - timedelta(days=75)).isoformat()})
    out.append({"resourceType": "AllergyIntolerance", "id": f"{pid}-allergy-penicillin",
                "clinicalStatus": {"coding": [{"system": c.ALLERGY_CLINICAL, "code": "active"}]},
                "type": "allergy", "category": ["medication"], "criticality": "high",
                "code": _concept(c.SNOMED, "764146007", "Penicillin", "Penicillin"), "patient": _ref(pid),
                "recordedDate": "2010-08-01", "reaction": [{"manifestation": [
                    _concept(c.SNOMED, "126485001", "Urticaria", "Nổi mề đay")], "severity": "moderate"}]})
    out.append({"resourceType": "MedicationRequest", "id": f"{pid}-med-amlodipine", "status": "active", "intent": "order",
                "medicationCodeableConcept": _concept(c.RXNORM, "197361", "amlodipine 5 MG Oral Tablet", "Amlodipin 5 mg"),
                "subject": _ref(pid), "authoredOn": _at(today - timedelta(days=14), 10),
                "dosageInstruction": [{"text": "Uống 1 viên mỗi sáng"}]})
    out.append({"resourceType": "MedicationRequest", "id": f"{pid}-med-azithromycin", "status": "completed", "intent": "order",
                "medicationCodeableConcept": _concept(c.RXNORM, "308460", "azithromycin 250 MG Oral Tablet", "Azithromycin 250 mg"),
                "subject": _ref(pid), "authoredOn": _at(today - timedelta(days=75), 10),
                "dosageInstruction": [{"text": "Uống 2 viên ngày đầu, sau đó 1 viên/ngày trong 4 ngày"}]})
    out += [
        _immunization(f"{pid}-imm-covid-1", pid, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", date(2021, 8, 20), 1),
        _immunization(f"{pid}-imm-covid-2", pid, "208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", date(2021, 9, 10), 2),
        _immunization(f"{pid}-imm-td", pid, "139", "Td (adult), unspecified formulation", date(2019, 4, 2), 1),
        _immunization(f"{pid}-imm-flu", pid, "150", "Influenza, injectable, quadrivalent, preservative free",
                      today - timedelta(days=420), 1),
    ]
    return out


def _khoi(pid: str, nid: str, born: date, today: date) -> list[dict]:
    out = [_patient(pid, nid, "Trần", ["Minh", "Khôi"], "male", born, None)]
    schedule = [("19", "BCG", 0, 1), ("08", "Hep B, adolescent or pediatric", 0, 1)]
    schedule += [("102", "DTP-Hib-Hep B", m, n) for n, m in ((1, 2), (2, 3), (3, 4))]
    schedule += [("02", "OPV", m, n) for n, m in ((1, 2), (2, 3), (3, 4))]
    schedule += [("05", "measles", 9, 1), ("39", "Japanese encephalitis, unspecified formulation", 12, 1),
                 ("39", "Japanese encephalitis, unspecified formulation", 13, 2), ("04", "M/R", 18, 1),
                 ("01", "DTP", 18, 1), ("39", "Japanese encephalitis, unspecified formulation", 24, 3)]
    for i, (cvx, display, months, dose) in enumerate(schedule):
        when = born + timedelta(days=int(months * 30.5) + (1 if months == 0 else 0))
        out.append(_immunization(f"{pid}-imm-{i + 1}", pid, cvx, display, when, dose))
    out.append(_encounter(f"{pid}-enc-1", pid, today - timedelta(days=40), NHI_TW, "Sốt, đau họng"))
    out.append(_encounter(f"{pid}-enc-2", pid, today - timedelta(days=200), WARD_STATION, "Khám sức khỏe học đường"))
    out.append(_observation(f"{pid}-wt-1", pid, c.BODY_WEIGHT, "Body weight", today - timedelta(days=40),
                            valueQuantity=_quantity(36.2, "kg", "kg")))
    out.append(_observation(f"{pid}-ht-1", pid, c.BODY_HEIGHT, "Body height", today - timedelta(days=40),
                            valueQuantity=_quantity(144, "cm", "cm")))
    out.append(_observation(f"{pid}-temp-1", pid, c.BODY_TEMPERATURE, "Body temperature", today - timedelta(days=40),
                            valueQuantity=_quantity(38.4, "Cel", "Cel")))
    out.append({"resourceType": "Condition", "id": f"{pid}-cond-pharyngitis",
                "clinicalStatus": {"coding": [{"system": c.CONDITION_CLINICAL, "code": "resolved"}]},
                "category": [_concept(c.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
                "code": _concept(c.ICD10, "J02.9", "Acute pharyngitis, unspecified", "Viêm họng cấp"),
                "subject": _ref(pid), "recordedDate": (today - timedelta(days=40)).isoformat()})
    out.append({"resourceType": "AllergyIntolerance", "id": f"{pid}-allergy-shrimp",
                "clinicalStatus": {"coding": [{"system": c.ALLERGY_CLINICAL, "code": "active"}]},
                "type": "allergy", "category": ["food"], "criticality": "low",
                "code": _concept(c.SNOMED, "735029006", "Shellfish", "Hải sản có vỏ (tôm)"), "patient": _ref(pid),
                "recordedDate": "2020-07-15", "reaction": [{"manifestation": [
                    _concept(c.SNOMED, "271807003", "Eruption of skin", "Phát ban")]}]})
    return out


def demo_bundle(citizen_nid: str, child_nid: str, child_birth: date, today: date) -> dict[str, Any]:
    resources = _lan("demo-lan", citizen_nid, today) + _khoi("demo-khoi", child_nid, child_birth, today)
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}

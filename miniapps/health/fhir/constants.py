"""Code systems and resource types the health record works with (FHIR R4, HL7 terminology)."""

from __future__ import annotations

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"

# The national citizen ID (CCCD, 12 digits) as a Patient.identifier system.
NATIONAL_ID_SYSTEM = "https://fhir.hanoi.gov.vn/sid/cccd"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CVX = "http://hl7.org/fhir/sid/cvx"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
# Vietnam's national drug and vaccine registries (Cục Quản lý Dược).
VN_DRUG = "https://fhir.hanoi.gov.vn/CodeSystem/vn-drug"
VN_VACCINE = "https://fhir.hanoi.gov.vn/CodeSystem/vn-vaccine"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
UCUM = "http://unitsofmeasure.org"

PATIENT = "Patient"
RESOURCE_TYPES = (
    "Patient",
    "Encounter",
    "Immunization",
    "Observation",
    "Condition",
    "AllergyIntolerance",
    "MedicationRequest",
    "DiagnosticReport",
)

# Which code systems each resource's main code must use (at least one coding).
REQUIRED_CODE_SYSTEMS: dict[str, tuple[str, ...]] = {
    "Observation": (LOINC,),
    "DiagnosticReport": (LOINC,),
    "Immunization": (CVX, VN_VACCINE),
    "Condition": (ICD10, SNOMED),
    "AllergyIntolerance": (SNOMED, RXNORM, ATC, VN_DRUG),
    "MedicationRequest": (RXNORM, ATC, VN_DRUG),
}

# Vital signs shown on the summary screen (LOINC).
BLOOD_PRESSURE = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
GLUCOSE = "2339-0"
GLUCOSE_FASTING = "1558-6"
HEART_RATE = "8867-4"
BODY_WEIGHT = "29463-7"
BODY_HEIGHT = "8302-2"
BMI = "39156-5"
BODY_TEMPERATURE = "8310-5"
VITAL_CODES = (BLOOD_PRESSURE, GLUCOSE, GLUCOSE_FASTING, HEART_RATE, BODY_WEIGHT, BODY_HEIGHT, BMI, BODY_TEMPERATURE)

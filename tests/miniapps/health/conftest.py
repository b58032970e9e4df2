"""Fixtures of the health-record tests: the mini-app mounted alone, a citizen with a record,
her child, and a stranger with a record of their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from auth.models import Account, DependentLink
from miniapps.health.demo_record import demo_bundle
from miniapps.health.fhir.constants import FHIR_JSON, NATIONAL_ID_SYSTEM
from miniapps.health.fhir.indexing import LOCAL_TZ
from miniapps.health.importer import import_bundle
from miniapps.health.plugin import miniapp as health_miniapp

CITIZEN_NID = "001188004512"
CHILD_NID = "001215007781"
CHILD_BIRTH = date(2015, 6, 2)
STRANGER_NID = "001079001243"
FHIR = "/v1/health/fhir"


@pytest.fixture
def miniapps() -> list:
    return [health_miniapp]


@pytest.fixture
async def app(ctx, miniapps):
    """The host app with only the health mini-app mounted (the first request on an app builds
    every route it passes over, so leaving the other modules out keeps these tests quick)."""
    from asgi_lifespan import LifespanManager

    from superapp import i18n
    from superapp.app import create_app

    application = create_app(ctx.settings, ctx=ctx, modules=[], miniapps=miniapps, run_background_workers=False)
    i18n.load_package("auth")  # the auth dependencies' messages
    async with LifespanManager(application):
        yield application


async def load(ctx, bundle: dict[str, Any]):
    async with ctx.sessionmaker() as session:
        result = await import_bundle(session, bundle)
        await session.commit()
    return result


def patient(pid: str, nid: str, birth: str = "1990-01-01", name: str = "Lê Văn Tâm") -> dict[str, Any]:
    family, *given = name.split()
    return {
        "resourceType": "Patient", "id": pid,
        "identifier": [{"system": NATIONAL_ID_SYSTEM, "value": nid}],
        "name": [{"text": name, "family": family, "given": given}], "birthDate": birth,
    }


def observation(oid: str, pid: str, when: str, code: str = "8867-4", value: float = 70) -> dict[str, Any]:
    return {
        "resourceType": "Observation", "id": oid, "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": "Heart rate"}]},
        "subject": {"reference": f"Patient/{pid}"}, "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
    }


def bundle(*resources: dict[str, Any], type_: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": type_, "entry": [{"resource": r} for r in resources]}


def validate_fhir(body: dict[str, Any]):
    """Parse a returned document with its fhir.resources R4B model (raises if invalid)."""
    if body["resourceType"] == "Bundle":
        parsed = Bundle.model_validate(body)
        for entry in body.get("entry", []):
            get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
        return parsed
    return get_fhir_model_class(body["resourceType"]).model_validate(body)


def fhir_json(response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith(FHIR_JSON), response.headers["content-type"]
    body = response.json()
    validate_fhir(body)
    return body


def outcome_code(response) -> str:
    body = fhir_json(response)
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]["details"]["coding"][0]["code"]


@dataclass
class World:
    citizen: Account
    stranger: Account
    level1: Account
    headers: dict[str, str]

    @property
    def citizen_patient(self) -> str:
        return "demo-lan"

    @property
    def child_patient(self) -> str:
        return "demo-khoi"

    @property
    def stranger_patient(self) -> str:
        return "stranger"


@pytest.fixture
async def world(ctx, factory) -> World:
    today = datetime.now(LOCAL_TZ).date()
    await load(ctx, demo_bundle(CITIZEN_NID, CHILD_NID, CHILD_BIRTH, today))
    await load(ctx, bundle(patient("stranger", STRANGER_NID, "1979-01-25", "Lê Quang Minh"),
                           observation("stranger-hr-1", "stranger", "2026-01-05T08:00:00+07:00")))
    citizen = await factory.account(level=2, national_id=CITIZEN_NID, birth_date=date(1988, 3, 14),
                                    full_name="Nguyễn Thị Lan")
    stranger = await factory.account(level=2, national_id=STRANGER_NID, birth_date=date(1979, 1, 25),
                                     full_name="Lê Quang Minh")
    level1 = await factory.account(level=1)
    async with ctx.sessionmaker() as session:
        session.add(DependentLink(guardian_id=citizen.id, national_id=CHILD_NID, birth_date=CHILD_BIRTH,
                                  full_name="Trần Minh Khôi"))
        await session.commit()
    return World(citizen, stranger, level1, await factory.headers(citizen, ["health.read"]))

"""Reading a hospital's FHIR server over HTTP instead of the local store: a fake FHIR server
runs under uvicorn on 127.0.0.1 and a free port inside each test."""

from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.models import DependentLink
from miniapps.health.demo_record import demo_bundle
from miniapps.health.fhir.indexing import (
    EARLIEST,
    LOCAL_TZ,
    date_of,
    matches_token,
    national_id_of,
    patient_of,
)
from miniapps.health.fhir.search import parse_token
from miniapps.health.settings import HealthSettings, configure
from superapp.pagination import encode_cursor
from tests.miniapps.health.conftest import (
    CHILD_BIRTH,
    CHILD_NID,
    CITIZEN_NID,
    FHIR,
    STRANGER_NID,
    fhir_json,
    observation,
    outcome_code,
    patient,
)


class FakeFhirServer:
    """A tiny FHIR R4 server: read, and search by identifier, _id, patient, code, with paging."""

    def __init__(self, resources: list[dict]) -> None:
        self.resources = resources
        self.ignore_patient_filter = False
        self.requests: list[str] = []
        self.app = Starlette(routes=[Route("/fhir/{rtype}", self.search), Route("/fhir/{rtype}/{rid}", self.read)])

    async def read(self, request: Request) -> JSONResponse:
        self.requests.append(str(request.url))
        for r in self.resources:
            if r["resourceType"] == request.path_params["rtype"] and r["id"] == request.path_params["rid"]:
                return JSONResponse(r, media_type="application/fhir+json")
        return JSONResponse({"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]},
                            status_code=404)

    async def search(self, request: Request) -> JSONResponse:
        self.requests.append(str(request.url))
        q = request.query_params
        found = [r for r in self.resources if r["resourceType"] == request.path_params["rtype"]]
        if "identifier" in q:
            wanted = {v.split("|", 1)[1] for v in q["identifier"].split(",")}
            found = [r for r in found if national_id_of(r) in wanted]
        if "_id" in q:
            found = [r for r in found if r["id"] in q["_id"].split(",")]
        if "patient" in q and not self.ignore_patient_filter:
            found = [r for r in found if patient_of(r) in q["patient"].split(",")]
        if "code" in q:
            tokens = [parse_token(v) for v in q["code"].split(",")]
            found = [r for r in found if any(matches_token(r, "code", t.system, t.code) for t in tokens)]
        if q.get("_sort") in ("date", "-date"):
            found.sort(key=lambda r: date_of(r) or EARLIEST, reverse=q["_sort"] == "-date")
        count, offset = int(q.get("_count", 20)), int(q.get("_offset", 0))
        page = found[offset: offset + count]
        links = [{"relation": "self", "url": str(request.url)}]
        if offset + count < len(found):
            links.append({"relation": "next", "url": str(request.url.include_query_params(_offset=offset + count))})
        return JSONResponse({"resourceType": "Bundle", "type": "searchset", "total": len(found), "link": links,
                             "entry": [{"resource": r, "search": {"mode": "match"}} for r in page]},
                            media_type="application/fhir+json")


@pytest.fixture
async def fake_fhir():
    today = datetime.now(LOCAL_TZ).date()
    resources = [e["resource"] for e in demo_bundle(CITIZEN_NID, CHILD_NID, CHILD_BIRTH, today)["entry"]]
    resources += [patient("stranger", STRANGER_NID), observation("stranger-hr-1", "stranger", "2026-01-05")]
    fake = FakeFhirServer(resources)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(fake.app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    fake.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}/fhir"
    yield fake
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture
async def remote(ctx, factory, fake_fhir):
    """The citizen (with her son linked) reading through the fake hospital server."""
    configure(ctx, HealthSettings(fhir_base_url=fake_fhir.base_url))
    citizen = await factory.account(level=2, national_id=CITIZEN_NID, birth_date=date(1988, 3, 14))
    async with ctx.sessionmaker() as session:
        session.add(DependentLink(guardian_id=citizen.id, national_id=CHILD_NID, birth_date=CHILD_BIRTH,
                                  full_name="Trần Minh Khôi"))
        await session.commit()
    return await factory.headers(citizen, ["health.read"])


class TestRemoteReads:
    async def test_search_and_paging_through_the_hospital_server(self, client, fake_fhir, remote):
        first = fhir_json(await client.get(f"{FHIR}/Observation", params={"_count": "10"}, headers=remote))
        assert first["total"] == 21
        seen = [e["resource"]["id"] for e in first["entry"]]
        body = first
        while (nxt := next((link["url"] for link in body["link"] if link["relation"] == "next"), None)):
            assert nxt.startswith("http://testserver/v1/health/fhir/Observation?")
            body = fhir_json(await client.get(nxt, headers=remote))
            seen += [e["resource"]["id"] for e in body["entry"]]
        assert len(seen) == len(set(seen)) == 21
        assert "stranger-hr-1" not in seen
        assert any("identifier=" in url for url in fake_fhir.requests)

    async def test_code_parameter_is_passed_on(self, client, remote):
        body = fhir_json(await client.get(f"{FHIR}/Observation", params={"code": "http://loinc.org|85354-9"},
                                          headers=remote))
        assert body["total"] == 8

    async def test_read_own_and_dependent_but_not_a_stranger(self, client, remote):
        assert fhir_json(await client.get(f"{FHIR}/Patient/demo-lan", headers=remote))["id"] == "demo-lan"
        assert (await client.get(f"{FHIR}/Immunization/demo-khoi-imm-1", headers=remote)).status_code == 200
        r = await client.get(f"{FHIR}/Observation/stranger-hr-1", headers=remote)
        assert r.status_code == 404 and outcome_code(r) == "health.not_found"

    async def test_resources_of_other_patients_are_dropped_even_if_the_server_sends_them(self, client, fake_fhir, remote):
        fake_fhir.ignore_patient_filter = True
        body = fhir_json(await client.get(f"{FHIR}/Observation", params={"_count": "100"}, headers=remote))
        assert "stranger-hr-1" not in [e["resource"]["id"] for e in body["entry"]]

    async def test_summary_from_the_hospital_server(self, client, remote):
        body = (await client.get("/v1/health/summary", headers=remote)).json()
        assert body["patient"]["id"] == "demo-lan"
        assert next(v for v in body["latest_vitals"] if v["code"] == "85354-9")["value"] == "128/82"


class TestRemoteFailures:
    async def test_a_cursor_pointing_elsewhere_is_refused(self, client, fake_fhir, remote):
        forged = encode_cursor([fake_fhir.base_url + "/Observation?patient=stranger", "0" * 32])
        r = await client.get(f"{FHIR}/Observation", params={"_cursor": forged}, headers=remote)
        assert r.status_code == 400 and outcome_code(r) == "pagination.invalid_cursor"

    async def test_server_down_is_502_operation_outcome(self, client, ctx, remote):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead_port = s.getsockname()[1]
        configure(ctx, HealthSettings(fhir_base_url=f"http://127.0.0.1:{dead_port}/fhir", fhir_timeout_seconds=2))
        r = await client.get(f"{FHIR}/Observation", headers=remote)
        assert r.status_code == 502 and outcome_code(r) == "health.source_unavailable"

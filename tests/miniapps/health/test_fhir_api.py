"""The FHIR REST API: CapabilityStatement, reads, searches, paging and OperationOutcome errors.
Every document returned is parsed with the fhir.resources R4B models."""

from __future__ import annotations

from miniapps.health.fhir.constants import RESOURCE_TYPES
from tests.miniapps.health.conftest import FHIR, fhir_json, outcome_code


def ids(body) -> list[str]:
    return [e["resource"]["id"] for e in body.get("entry", [])]


class TestMetadata:
    async def test_capability_statement_lists_the_eight_types_without_login(self, client):
        r = await client.get(f"{FHIR}/metadata")
        assert r.status_code == 200
        body = fhir_json(r)
        assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
        types = {res["type"] for res in body["rest"][0]["resource"]}
        assert types == set(RESOURCE_TYPES)
        observation = next(res for res in body["rest"][0]["resource"] if res["type"] == "Observation")
        assert {p["name"] for p in observation["searchParam"]} == {"patient", "_id", "code", "category", "date"}


class TestRead:
    async def test_own_patient_and_observation(self, client, world):
        r = await client.get(f"{FHIR}/Patient/demo-lan", headers=world.headers)
        assert r.status_code == 200 and fhir_json(r)["id"] == "demo-lan"
        r = await client.get(f"{FHIR}/Observation/demo-lan-bp-8", headers=world.headers)
        body = fhir_json(r)
        assert body["resourceType"] == "Observation" and body["subject"]["reference"] == "Patient/demo-lan"

    async def test_dependent_record(self, client, world):
        r = await client.get(f"{FHIR}/Immunization/demo-khoi-imm-1", headers=world.headers)
        assert r.status_code == 200 and fhir_json(r)["patient"]["reference"] == "Patient/demo-khoi"

    async def test_someone_elses_record_is_404_like_a_missing_one(self, client, world):
        other = await client.get(f"{FHIR}/Observation/stranger-hr-1", headers=world.headers)
        missing = await client.get(f"{FHIR}/Observation/no-such-thing", headers=world.headers)
        assert other.status_code == missing.status_code == 404
        assert outcome_code(other) == outcome_code(missing) == "health.not_found"
        assert (await client.get(f"{FHIR}/Patient/stranger", headers=world.headers)).status_code == 404

    async def test_unknown_type_is_400(self, client, world):
        r = await client.get(f"{FHIR}/Medication/x", headers=world.headers)
        assert r.status_code == 400 and outcome_code(r) == "health.unknown_resource_type"

    async def test_invalid_id_is_400(self, client, world):
        r = await client.get(f"{FHIR}/Observation/{'x' * 65}", headers=world.headers)
        assert r.status_code == 400 and outcome_code(r) == "health.invalid_id"


class TestSearch:
    async def test_searchset_bundle_with_total_and_links(self, client, world):
        r = await client.get(f"{FHIR}/Condition", headers=world.headers)
        body = fhir_json(r)
        assert body["type"] == "searchset" and body["total"] == len(body["entry"]) == 4
        assert body["link"][0]["relation"] == "self"
        assert all(e["search"]["mode"] == "match" for e in body["entry"])
        assert all(e["fullUrl"].endswith(f"/Condition/{e['resource']['id']}") for e in body["entry"])

    async def test_patient_search_returns_own_and_dependents(self, client, world):
        body = fhir_json(await client.get(f"{FHIR}/Patient", headers=world.headers))
        assert sorted(ids(body)) == ["demo-khoi", "demo-lan"]

    async def test_patient_parameter_restricts(self, client, world):
        body = fhir_json(await client.get(f"{FHIR}/Encounter", params={"patient": "demo-khoi"}, headers=world.headers))
        assert body["total"] == 2
        assert {e["resource"]["subject"]["reference"] for e in body["entry"]} == {"Patient/demo-khoi"}

    async def test_code_with_and_without_system(self, client, world):
        with_system = fhir_json(await client.get(
            f"{FHIR}/Observation", params={"code": "http://loinc.org|85354-9"}, headers=world.headers))
        assert with_system["total"] == 8
        assert all(e["resource"]["code"]["coding"][0]["code"] == "85354-9" for e in with_system["entry"])
        bare = fhir_json(await client.get(f"{FHIR}/Observation", params={"code": "85354-9,1558-6"}, headers=world.headers))
        assert bare["total"] == 14
        wrong_system = fhir_json(await client.get(
            f"{FHIR}/Observation", params={"code": "http://snomed.info/sct|85354-9"}, headers=world.headers))
        assert wrong_system["total"] == 0

    async def test_category(self, client, world):
        body = fhir_json(await client.get(f"{FHIR}/Observation", params={"category": "laboratory"}, headers=world.headers))
        assert body["total"] == 7  # six fasting glucose values and an HbA1c
        allergies = fhir_json(await client.get(f"{FHIR}/AllergyIntolerance", params={"category": "food"},
                                               headers=world.headers))
        assert ids(allergies) == ["demo-khoi-allergy-shrimp"]

    async def test_date_range_and_sort(self, client, world):
        all_bp = fhir_json(await client.get(f"{FHIR}/Observation", params={"code": "85354-9", "_sort": "date"},
                                            headers=world.headers))
        dates = [e["resource"]["effectiveDateTime"] for e in all_bp["entry"]]
        assert dates == sorted(dates)
        lo, hi = dates[2][:10], dates[5][:10]
        ranged = fhir_json(await client.get(
            f"{FHIR}/Observation", params=[("code", "85354-9"), ("date", f"ge{lo}"), ("date", f"le{hi}")],
            headers=world.headers))
        assert ranged["total"] == 4
        newest_first = [e["resource"]["effectiveDateTime"] for e in ranged["entry"]]
        assert newest_first == sorted(newest_first, reverse=True)

    async def test_count_zero_gives_the_total_only(self, client, world):
        body = fhir_json(await client.get(f"{FHIR}/Immunization", params={"_count": "0"}, headers=world.headers))
        assert body["total"] == 18 and not body.get("entry")


class TestPaging:
    async def test_next_links_walk_every_match_once(self, client, world):
        first = fhir_json(await client.get(f"{FHIR}/Observation", params={"_count": "4"}, headers=world.headers))
        seen, body, pages = ids(first), first, 1
        while (nxt := next((link["url"] for link in body["link"] if link["relation"] == "next"), None)):
            assert "_cursor=" in nxt and "_count=4" in nxt
            body = fhir_json(await client.get(nxt, headers=world.headers))
            assert body["total"] == first["total"]
            seen += ids(body)
            pages += 1
        assert len(seen) == len(set(seen)) == first["total"] == 21
        assert pages == 6

    async def test_tampered_cursor_is_400(self, client, world):
        r = await client.get(f"{FHIR}/Observation", params={"_cursor": "not-a-cursor"}, headers=world.headers)
        assert r.status_code == 400 and outcome_code(r) == "pagination.invalid_cursor"


class TestSearchErrors:
    async def test_unknown_parameter(self, client, world):
        r = await client.get(f"{FHIR}/Observation", params={"value-quantity": "5"}, headers=world.headers)
        assert r.status_code == 400
        assert fhir_json(r)["issue"][0]["code"] == "not-supported"

    async def test_malformed_date(self, client, world):
        r = await client.get(f"{FHIR}/Observation", params={"date": "ge2024-13-45"}, headers=world.headers)
        assert r.status_code == 400 and outcome_code(r) == "health.invalid_search"

    async def test_count_beyond_cap(self, client, world):
        r = await client.get(f"{FHIR}/Observation", params={"_count": "1000"}, headers=world.headers)
        assert r.status_code == 400
        assert "100" in fhir_json(r)["issue"][0]["details"]["text"]

    async def test_unsupported_sort(self, client, world):
        r = await client.get(f"{FHIR}/Observation", params={"_sort": "-code"}, headers=world.headers)
        assert r.status_code == 400

    async def test_unknown_type(self, client, world):
        r = await client.get(f"{FHIR}/Practitioner", headers=world.headers)
        assert r.status_code == 400 and outcome_code(r) == "health.unknown_resource_type"

    async def test_someone_elses_patient_is_404(self, client, world):
        for patient in ("stranger", "no-such-patient"):
            r = await client.get(f"{FHIR}/Observation", params={"patient": patient}, headers=world.headers)
            assert r.status_code == 404 and outcome_code(r) == "health.not_found"

    async def test_messages_follow_accept_language(self, client, world):
        headers = {**world.headers, "Accept-Language": "en"}
        r = await client.get(f"{FHIR}/Observation", params={"_count": "1000"}, headers=headers)
        assert fhir_json(r)["issue"][0]["details"]["text"] == "_count may be at most 100."


class TestReadOnly:
    async def test_writes_are_405_operation_outcome(self, client, world):
        for method in ("POST", "PUT", "DELETE"):
            r = await client.request(method, f"{FHIR}/Observation/demo-lan-bp-1", headers=world.headers, json={})
            assert r.status_code == 405 and outcome_code(r) == "health.read_only"
            assert r.headers["allow"] == "GET"

    async def test_history_and_operations_are_not_supported(self, client, world):
        r = await client.get(f"{FHIR}/Patient/demo-lan/$everything", headers=world.headers)
        assert r.status_code == 400 and fhir_json(r)["issue"][0]["code"] == "not-supported"

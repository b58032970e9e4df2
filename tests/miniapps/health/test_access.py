"""Access rules: scopes (health.read and SMART patient scopes), identity level 2, own record
and dependents under 16 only; everything else 404."""

from __future__ import annotations

from datetime import date

from auth.models import DependentLink
from superapp.errors import PROBLEM_JSON
from tests.miniapps.health.conftest import FHIR, fhir_json, load, outcome_code, patient


class TestAuthentication:
    async def test_no_token_is_401_operation_outcome(self, client, world):
        r = await client.get(f"{FHIR}/Observation")
        assert r.status_code == 401 and outcome_code(r) == "unauthorized"
        assert r.headers["www-authenticate"].startswith("Bearer")

    async def test_missing_scope_is_403(self, client, world, factory):
        headers = await factory.headers(world.citizen, ["openid", "feedback"])
        r = await client.get(f"{FHIR}/Observation", headers=headers)
        assert r.status_code == 403 and outcome_code(r) == "auth.insufficient_scope"
        assert 'scope="health.read"' in r.headers["www-authenticate"]

    async def test_client_credentials_token_is_refused(self, client, world, factory):
        app_client = await factory.client(grant_types=["client_credentials"], scopes=["health.read"])
        headers = await factory.headers(None, ["health.read"], client=app_client)
        r = await client.get(f"{FHIR}/Observation", headers=headers)
        assert r.status_code == 403 and outcome_code(r) == "auth.account_required"


class TestSmartScopes:
    async def test_patient_wildcard_read_and_rs_are_accepted(self, client, world, factory):
        for scope in ("patient/*.read", "patient/*.rs"):
            headers = await factory.headers(world.citizen, [scope])
            r = await client.get(f"{FHIR}/Condition", headers=headers)
            assert r.status_code == 200 and fhir_json(r)["total"] == 4

    async def test_type_scope_limits_to_that_type(self, client, world, factory):
        headers = await factory.headers(world.citizen, ["patient/Observation.rs"])
        assert (await client.get(f"{FHIR}/Observation", headers=headers)).status_code == 200
        r = await client.get(f"{FHIR}/Condition", headers=headers)
        assert r.status_code == 403 and outcome_code(r) == "auth.insufficient_scope"
        assert (await client.get("/v1/health/summary", headers=headers)).status_code == 403


class TestIdentityLevel:
    async def test_level_one_gets_403_as_operation_outcome_on_fhir(self, client, world, factory):
        headers = await factory.headers(world.level1, ["health.read"])
        r = await client.get(f"{FHIR}/Patient", headers=headers)
        assert r.status_code == 403 and outcome_code(r) == "auth.identity_level_required"

    async def test_level_one_gets_403_problem_json_elsewhere(self, client, world, factory):
        headers = await factory.headers(world.level1, ["health.read"])
        for path in ("/v1/health/summary", "/v1/health/access-log"):
            r = await client.get(path, headers=headers)
            assert r.status_code == 403 and r.headers["content-type"].startswith(PROBLEM_JSON)
            assert r.json()["code"] == "auth.identity_level_required"


class TestWhoseRecord:
    async def test_stranger_sees_only_their_own(self, client, world, factory):
        headers = await factory.headers(world.stranger, ["health.read"])
        body = fhir_json(await client.get(f"{FHIR}/Observation", headers=headers))
        assert [e["resource"]["id"] for e in body["entry"]] == ["stranger-hr-1"]
        assert (await client.get(f"{FHIR}/Patient/demo-lan", headers=headers)).status_code == 404
        assert (await client.get(f"{FHIR}/Observation/demo-khoi-wt-1", headers=headers)).status_code == 404

    async def test_account_without_a_record_finds_nothing(self, client, world, factory):
        someone = await factory.account(level=2, national_id="001195008824", birth_date=date(1995, 4, 17))
        headers = await factory.headers(someone, ["health.read"])
        body = fhir_json(await client.get(f"{FHIR}/Observation", headers=headers))
        assert body["total"] == 0 and not body.get("entry")

    async def test_dependent_aged_16_or_more_is_no_longer_readable(self, client, ctx, world, factory):
        await load(ctx, {"resourceType": "Bundle", "type": "collection",
                         "entry": [{"resource": patient("teen", "001205003344", "2005-02-01", "Trần Văn Tú")}]})
        async with ctx.sessionmaker() as session:
            session.add(DependentLink(guardian_id=world.citizen.id, national_id="001205003344",
                                      birth_date=date(2005, 2, 1), full_name="Trần Văn Tú"))
            await session.commit()
        assert (await client.get(f"{FHIR}/Patient/teen", headers=world.headers)).status_code == 404

    async def test_dependent_whose_birth_date_differs_is_not_readable(self, client, ctx, world, factory):
        await load(ctx, {"resourceType": "Bundle", "type": "collection",
                         "entry": [{"resource": patient("kid", "001218001122", "2018-01-01", "Trần Bé Na")}]})
        async with ctx.sessionmaker() as session:
            session.add(DependentLink(guardian_id=world.citizen.id, national_id="001218001122",
                                      birth_date=date(2018, 5, 5), full_name="Trần Bé Na"))
            await session.commit()
        assert (await client.get(f"{FHIR}/Patient/kid", headers=world.headers)).status_code == 404

    async def test_a_child_is_not_readable_by_an_unlinked_adult(self, client, world, factory):
        headers = await factory.headers(world.stranger, ["health.read"])
        r = await client.get(f"{FHIR}/Immunization", params={"patient": "demo-khoi"}, headers=headers)
        assert r.status_code == 404

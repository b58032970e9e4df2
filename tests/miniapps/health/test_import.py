"""``superapp health import``: R4B validation plus local rules; a bad Bundle is refused whole."""

from __future__ import annotations

import copy
import json

import anyio
import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from miniapps.health.cli import health_cli
from miniapps.health.errors import BundleRejected
from miniapps.health.models import HealthResource, HealthSearchToken
from superapp.models import AuditEntry
from tests.miniapps.health.conftest import bundle, load, observation, patient


async def stored(ctx) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(HealthResource))).one()


def good() -> dict:
    return bundle(patient("p1", "001090000001"), observation("o1", "p1", "2025-05-01T08:00:00+07:00"),
                  {"resourceType": "Immunization", "id": "i1", "status": "completed",
                   "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "150"}]},
                   "patient": {"reference": "Patient/p1"}, "occurrenceDateTime": "2025-10-01"})


async def refused(ctx, data) -> list[str]:
    with pytest.raises(BundleRejected) as err:
        await load(ctx, data)
    assert await stored(ctx) == 0
    return err.value.reasons


class TestAccepted:
    async def test_a_valid_bundle_is_stored_with_its_index(self, ctx):
        result = await load(ctx, good())
        assert result.by_type == {"Patient": 1, "Observation": 1, "Immunization": 1}
        async with ctx.sessionmaker() as s:
            obs = (await s.exec(select(HealthResource).where(HealthResource.fhir_id == "o1"))).one()
            tokens = (await s.exec(select(HealthSearchToken).where(HealthSearchToken.resource_pk == obs.pk))).all()
        assert obs.patient_id == "p1" and obs.date is not None
        assert {(t.param, t.system, t.code) for t in tokens} == {
            ("code", "http://loinc.org", "8867-4"),
            ("category", "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")}

    async def test_importing_again_replaces_instead_of_duplicating(self, ctx):
        await load(ctx, good())
        changed = good()
        changed["entry"][1]["resource"]["valueQuantity"]["value"] = 99
        await load(ctx, changed)
        assert await stored(ctx) == 3
        async with ctx.sessionmaker() as s:
            obs = (await s.exec(select(HealthResource).where(HealthResource.fhir_id == "o1"))).one()
        assert obs.resource["valueQuantity"]["value"] == 99 and obs.version == 2

    async def test_full_url_references_are_resolved(self, ctx):
        data = good()
        data["entry"][0]["fullUrl"] = "urn:uuid:8f7e1a52-0c1d-4a7e-9a34-2b1d7f0e5c11"
        data["entry"][1]["resource"]["subject"] = {"reference": "urn:uuid:8f7e1a52-0c1d-4a7e-9a34-2b1d7f0e5c11"}
        await load(ctx, data)
        async with ctx.sessionmaker() as s:
            obs = (await s.exec(select(HealthResource).where(HealthResource.fhir_id == "o1"))).one()
        assert obs.resource["subject"]["reference"] == "Patient/p1" and obs.patient_id == "p1"

    async def test_resources_may_reference_a_patient_already_stored(self, ctx):
        await load(ctx, bundle(patient("p1", "001090000001")))
        await load(ctx, bundle(observation("o2", "p1", "2025-06-01")))
        assert await stored(ctx) == 2


class TestRefused:
    async def test_patient_without_national_id(self, ctx):
        data = good()
        data["entry"][0]["resource"]["identifier"] = [{"system": "urn:other", "value": "1"}]
        assert any("national ID" in r for r in await refused(ctx, data))

    async def test_national_id_must_have_12_digits(self, ctx):
        data = good()
        data["entry"][0]["resource"]["identifier"][0]["value"] = "12345"
        assert any("12 digits" in r for r in await refused(ctx, data))

    async def test_observation_without_loinc(self, ctx):
        data = good()
        data["entry"][1]["resource"]["code"]["coding"][0]["system"] = "http://snomed.info/sct"
        reasons = await refused(ctx, data)
        assert reasons == ["entry[1] Observation/o1: Observation.code needs a coding from http://loinc.org"]

    async def test_immunization_without_a_vaccine_code_system(self, ctx):
        data = good()
        data["entry"][2]["resource"]["vaccineCode"] = {"text": "cúm"}
        assert any("Immunization.vaccineCode" in r for r in await refused(ctx, data))

    async def test_invalid_fhir_is_reported_by_the_r4b_model(self, ctx):
        data = good()
        data["entry"][1]["resource"]["effectiveDateTime"] = "2025-13-01"
        data["entry"][2]["resource"]["unknownElement"] = 1
        reasons = await refused(ctx, data)
        assert any("effectiveDateTime" in r for r in reasons) and any("unknownElement" in r for r in reasons)

    async def test_status_outside_its_required_value_set(self, ctx):
        data = good()
        data["entry"][1]["resource"]["status"] = "finished-ish"
        reasons = await refused(ctx, data)
        assert reasons == ["entry[1] Observation/o1: Observation.status 'finished-ish' is not a code of its required value set"]

    async def test_unsupported_resource_type(self, ctx):
        data = good()
        data["entry"].append({"resource": {"resourceType": "Practitioner", "id": "dr1"}})
        assert any("'Practitioner' is not supported" in r for r in await refused(ctx, data))

    async def test_reference_to_an_unknown_patient(self, ctx):
        data = bundle(observation("o9", "nobody", "2025-01-01"))
        assert any("Patient/nobody" in r for r in await refused(ctx, data))

    async def test_duplicates_and_missing_ids(self, ctx):
        data = good()
        data["entry"].append(copy.deepcopy(data["entry"][1]))
        data["entry"].append({"resource": {"resourceType": "Observation"}})
        reasons = await refused(ctx, data)
        assert any("appears twice" in r for r in reasons) and any("logical id is required" in r for r in reasons)

    async def test_every_problem_is_reported_at_once(self, ctx):
        data = good()
        data["entry"][0]["resource"].pop("birthDate")
        data["entry"][1]["resource"].pop("effectiveDateTime")
        reasons = await refused(ctx, data)
        assert len(reasons) == 2

    async def test_not_a_bundle_or_wrong_type(self, ctx):
        assert await refused(ctx, {"resourceType": "Patient"}) == ["the document is not a FHIR Bundle"]
        assert any("Bundle.type" in r for r in await refused(ctx, {**good(), "type": "history"}))
        assert await refused(ctx, bundle()) == ["the Bundle has no entries"]

    async def test_a_national_id_already_held_by_another_patient(self, ctx):
        await load(ctx, bundle(patient("p1", "001090000001")))
        with pytest.raises(BundleRejected) as err:
            await load(ctx, bundle(patient("p2", "001090000001")))
        assert err.value.reasons == ["Patient/p2: its national ID already belongs to Patient/p1"]


class TestCommand:
    async def _run(self, ctx, tmp_path, data) -> tuple[int, str, str]:
        path = tmp_path / "bundle.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        env = {"SUPERAPP_DATABASE_URL": ctx.settings.resolved_database_url, "SUPERAPP_DATA_DIR": str(ctx.settings.data_dir),
               "SUPERAPP_ENVIRONMENT": "test", "SUPERAPP_REDIS_URL": ctx.settings.redis_url or ""}
        runner = CliRunner()
        result = await anyio.to_thread.run_sync(lambda: runner.invoke(health_cli, ["import", str(path)], env=env))
        return result.exit_code, result.stdout, result.stderr

    async def test_import_prints_what_was_loaded(self, ctx, tmp_path):
        code, out, _ = await self._run(ctx, tmp_path, good())
        assert code == 0
        assert json.loads(out) == {"imported": 3, "by_type": {"Patient": 1, "Observation": 1, "Immunization": 1}}
        assert await stored(ctx) == 3
        async with ctx.sessionmaker() as s:
            audit = (await s.exec(select(AuditEntry).where(AuditEntry.action == "health.bundle_imported"))).one()
        assert audit.actor_label == "cli" and audit.detail == {"by_type": {"Patient": 1, "Observation": 1, "Immunization": 1}}

    async def test_refusal_exits_non_zero_with_the_reasons(self, ctx, tmp_path):
        data = good()
        data["entry"][1]["resource"]["code"]["coding"][0]["system"] = "urn:local"
        code, _, err = await self._run(ctx, tmp_path, data)
        assert code == 1
        assert "nothing was imported" in err and "Observation.code needs a coding from http://loinc.org" in err
        assert await stored(ctx) == 0

    async def test_malformed_json_is_refused(self, ctx, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("{not json", encoding="utf-8")
        result = await anyio.to_thread.run_sync(lambda: CliRunner().invoke(health_cli, ["import", str(path)]))
        assert result.exit_code == 2 and "not valid JSON" in result.stderr

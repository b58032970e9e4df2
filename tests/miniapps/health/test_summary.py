"""The phone's summary screen and the vaccination schedule behind its "due" list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from miniapps.health.fhir.indexing import LOCAL_TZ
from miniapps.health.vaccines import due
from tests.factories import Factory
from tests.miniapps.health.conftest import bundle, load, patient

SUMMARY = "/v1/health/summary"


def immunization(iid: str, pid: str, cvx: str, when: date) -> dict:
    return {"resourceType": "Immunization", "id": iid, "status": "completed", "patient": {"reference": f"Patient/{pid}"},
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx}]},
            "occurrenceDateTime": when.isoformat()}


class TestSummaryScreen:
    async def test_sections_for_the_citizen(self, client, world):
        r = await client.get(SUMMARY, headers=world.headers)
        assert r.status_code == 200
        body = r.json()
        assert body["patient"] | {"age": None} == {"id": "demo-lan", "name": "Nguyễn Thị Lan", "birth_date": "1988-03-14",
                                                   "age": None, "gender": "female", "relationship": "self"}
        bp = next(v for v in body["latest_vitals"] if v["code"] == "85354-9")
        assert (bp["value"], bp["unit"], bp["id"]) == ("128/82", "mmHg", "demo-lan-bp-8")
        glucose = next(v for v in body["latest_vitals"] if v["code"] == "1558-6")
        assert (glucose["value"], glucose["id"]) == (5.9, "demo-lan-glu-6")
        assert {c["code"] for c in body["active_conditions"]} == {"I10", "R73.0"}  # bronchitis is resolved
        assert [a["label"] for a in body["allergies"]] == ["Penicillin"]
        assert body["allergies"][0]["criticality"] == "high"
        assert len(body["vaccinations"]["done"]) == 4
        assert [d["key"] for d in body["vaccinations"]["due"]] == ["influenza"]
        assert [m["id"] for m in body["medications"]] == ["demo-lan-med-amlodipine"]
        visits = body["last_visits"]
        assert len(visits) == 4 and visits[0]["facility"] == "Bệnh viện Bạch Mai"
        assert [v["start"] for v in visits] == sorted((v["start"] for v in visits), reverse=True)

    async def test_labels_in_vietnamese_by_default_and_english_on_request(self, client, world):
        vi = (await client.get(SUMMARY, headers=world.headers)).json()
        en = (await client.get(SUMMARY, headers={**world.headers, "Accept-Language": "en"})).json()
        assert vi["labels"]["allergies"] == "Dị ứng" and en["labels"]["allergies"] == "Allergies"
        bp_vi = next(v for v in vi["latest_vitals"] if v["code"] == "85354-9")
        bp_en = next(v for v in en["latest_vitals"] if v["code"] == "85354-9")
        assert (bp_vi["label"], bp_en["label"]) == ("Huyết áp", "Blood pressure")
        assert en["vaccinations"]["due"][0]["label"] == "Influenza (yearly)"

    async def test_a_dependents_summary(self, client, world):
        body = (await client.get(SUMMARY, params={"patient": "demo-khoi"}, headers=world.headers)).json()
        assert body["patient"]["relationship"] == "dependent"
        assert [a["id"] for a in body["allergies"]] == ["demo-khoi-allergy-shrimp"]
        assert body["active_conditions"] == [] and body["vaccinations"]["due"] == []

    async def test_viewing_the_summary_is_logged(self, client, world):
        await client.get(SUMMARY, headers=world.headers)
        items = (await client.get("/v1/health/access-log", headers=world.headers)).json()["items"]
        assert [i["interaction"] for i in items] == ["summary"]

    async def test_someone_elses_patient_is_404(self, client, world):
        r = await client.get(SUMMARY, params={"patient": "stranger"}, headers=world.headers)
        assert r.status_code == 404 and r.json()["code"] == "health.record_not_found"

    async def test_no_record_yet_is_404_with_a_message(self, client, world, factory: Factory):
        someone = await factory.account(level=2, national_id="001195008824", birth_date=date(1995, 4, 17))
        r = await client.get(SUMMARY, headers={**await factory.headers(someone, ["health.read"]), "Accept-Language": "en"})
        assert r.status_code == 404
        assert r.json()["detail"] == "No health record is linked to this national ID yet."

    async def test_an_infant_sees_the_doses_that_are_due(self, client, ctx, world, factory: Factory):
        today = datetime.now(LOCAL_TZ).date()
        born = today - timedelta(days=100)  # a little over three months old
        await load(ctx, bundle(patient("baby", "001226000001", born.isoformat(), "Nguyễn Bé Bông"),
                               immunization("baby-bcg", "baby", "19", born), immunization("baby-hepb", "baby", "08", born)))
        mother = await factory.account(level=2, national_id="001190009362", birth_date=date(1990, 2, 11))
        from auth.models import DependentLink

        async with ctx.sessionmaker() as session:
            session.add(DependentLink(guardian_id=mother.id, national_id="001226000001", birth_date=born,
                                      full_name="Nguyễn Bé Bông"))
            await session.commit()
        body = (await client.get(SUMMARY, params={"patient": "baby"},
                                 headers=await factory.headers(mother, ["health.read"]))).json()
        assert [(d["key"], d["dose"]) for d in body["vaccinations"]["due"]] == [
            ("dtp_hepb_hib", 1), ("opv", 1), ("dtp_hepb_hib", 2), ("opv", 2)]


class TestVaccinationSchedule:
    def test_given_doses_are_not_due(self):
        born = date(2026, 1, 10)
        given = [immunization("a", "p", "102", date(2026, 3, 10)) | {"status": "completed"}]
        keys = [(d["key"], d["dose"]) for d in due(born, given, date(2026, 3, 20))]
        assert ("dtp_hepb_hib", 1) not in keys and ("opv", 1) in keys and ("bcg", 1) in keys

    def test_adult_influenza_is_due_a_year_after_the_last_shot(self):
        shot = immunization("f", "p", "150", date(2025, 10, 1))
        assert due(date(1980, 1, 1), [shot], date(2026, 9, 1)) == []
        late = due(date(1980, 1, 1), [shot], date(2026, 10, 2))
        assert [(d["key"], d["due_since"]) for d in late] == [("influenza", date(2026, 10, 1))]

    def test_school_age_child_has_no_infant_doses_due(self):
        assert due(date(2015, 6, 2), [], date(2026, 11, 1)) == []

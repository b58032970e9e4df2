"""The access log: every read and search appended, shown to the citizen with the app's name,
cursor-paginated; refused reads leave no entry."""

from __future__ import annotations

from sqlmodel import func, select

from miniapps.health.models import HealthAccessLog
from tests.miniapps.health.conftest import FHIR

LOG = "/v1/health/access-log"


async def log_count(ctx) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(HealthAccessLog))).one()


class TestAppending:
    async def test_a_read_is_logged_with_resource_and_client(self, client, world):
        await client.get(f"{FHIR}/Observation/demo-lan-bp-8", headers=world.headers)
        items = (await client.get(LOG, headers={**world.headers, "Accept-Language": "en"})).json()["items"]
        entry = items[0]
        assert entry["interaction"] == "read" and entry["interaction_label"] == "Opened a record entry"
        assert (entry["resource_type"], entry["resource_id"], entry["patient_id"]) == ("Observation", "demo-lan-bp-8", "demo-lan")
        assert entry["actor"] == "you" and entry["actor_label"] == "You"
        assert entry["client_id"] == "test-mobile-app" and entry["client_name"] == "Hanoi mobile app"
        assert entry["relationship"] == "self"

    async def test_a_search_is_logged_once_per_patient_with_its_query(self, client, world, ctx):
        await client.get(f"{FHIR}/Observation", params={"code": "85354-9"}, headers=world.headers)
        async with ctx.sessionmaker() as s:
            rows = (await s.exec(select(HealthAccessLog))).all()
        assert sorted(r.patient_id for r in rows) == ["demo-khoi", "demo-lan"]
        assert {r.query for r in rows} == {"code=85354-9"} and {r.interaction for r in rows} == {"search"}

    async def test_refused_and_failed_reads_leave_no_entry(self, client, world, ctx):
        await client.get(f"{FHIR}/Observation/stranger-hr-1", headers=world.headers)
        await client.get(f"{FHIR}/Observation", params={"patient": "stranger"}, headers=world.headers)
        await client.get(f"{FHIR}/Observation", params={"date": "bad"}, headers=world.headers)
        assert await log_count(ctx) == 0

    async def test_a_third_party_app_is_named(self, client, world, factory):
        app = await factory.client(name="Phòng khám Online", scopes=["health.read"])
        headers = await factory.headers(world.citizen, ["patient/*.rs"], client=app)
        assert (await client.get(f"{FHIR}/Patient/demo-lan", headers=headers)).status_code == 200
        entry = (await client.get(LOG, headers=world.headers)).json()["items"][0]
        assert entry["client_id"] == app.client_id and entry["client_name"] == "Phòng khám Online"


class TestWhoSeesWhat:
    async def test_guardian_sees_reads_of_the_childs_record(self, client, world):
        await client.get(f"{FHIR}/Patient/demo-khoi", headers=world.headers)
        items = (await client.get(LOG, params={"patient": "demo-khoi"}, headers=world.headers)).json()["items"]
        assert [(i["patient_id"], i["relationship"]) for i in items] == [("demo-khoi", "dependent")]

    async def test_other_peoples_reads_are_not_shown(self, client, world, factory):
        stranger = await factory.headers(world.stranger, ["health.read"])
        await client.get(f"{FHIR}/Observation/stranger-hr-1", headers=stranger)
        assert (await client.get(LOG, headers=world.headers)).json()["items"] == []
        assert len((await client.get(LOG, headers=stranger)).json()["items"]) == 1

    async def test_another_guardian_reading_the_child_is_shown_by_name(self, client, ctx, world, factory):
        from datetime import date

        from auth.models import DependentLink

        father = await factory.account(level=2, national_id="001086003317", birth_date=date(1986, 9, 2),
                                       full_name="Trần Văn Hùng")
        async with ctx.sessionmaker() as session:
            session.add(DependentLink(guardian_id=father.id, national_id="001215007781", birth_date=date(2015, 6, 2),
                                      full_name="Trần Minh Khôi"))
            await session.commit()
        await client.get(f"{FHIR}/Patient/demo-khoi", headers=await factory.headers(father, ["health.read"]))
        entry = (await client.get(LOG, headers=world.headers)).json()["items"][0]
        assert entry["actor"] == "family_member" and entry["actor_name"] == "Trần Văn Hùng"

    async def test_a_patient_that_is_not_yours_is_404(self, client, world):
        r = await client.get(LOG, params={"patient": "stranger"}, headers=world.headers)
        assert r.status_code == 404 and r.json()["code"] == "health.record_not_found"


class TestPaging:
    async def test_cursor_pages_newest_first(self, client, world):
        for i in range(1, 6):
            await client.get(f"{FHIR}/Observation/demo-lan-bp-{i}", headers=world.headers)
        first = (await client.get(LOG, params={"limit": 2}, headers=world.headers)).json()
        assert [e["resource_id"] for e in first["items"]] == ["demo-lan-bp-5", "demo-lan-bp-4"]
        seen = [e["resource_id"] for e in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = (await client.get(LOG, params={"limit": 2, "cursor": cursor}, headers=world.headers)).json()
            seen += [e["resource_id"] for e in page["items"]]
            cursor = page["next_cursor"]
        assert seen == [f"demo-lan-bp-{i}" for i in range(5, 0, -1)]

    async def test_bad_cursor_is_400_problem(self, client, world):
        r = await client.get(LOG, params={"cursor": "!!"}, headers=world.headers)
        assert r.status_code == 400 and r.json()["code"] == "pagination.invalid_cursor"

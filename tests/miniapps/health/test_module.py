"""The mini-app as the host sees it: entry point, demo seed, personal-data export and erasure,
and message catalogues in both languages."""

from __future__ import annotations

import json
from importlib import resources

from sqlmodel import func, select

from miniapps.health.models import HealthAccessLog, HealthResource, HealthShare
from miniapps.health.privacy import erase_account, export_account
from miniapps.health.seed import seed_demo
from superapp import plugins
from tests.miniapps.health.conftest import FHIR


class TestPlugin:
    def test_found_through_the_entry_point_with_its_parts(self):
        found = {m.slug: m for m in plugins.discover_miniapps()}
        health = found["health"]
        assert health.router is not None and health.models == ["miniapps.health.models"]
        assert [name for name, _ in health.cli] == ["health"]
        assert [c.code for c in health.notification_categories] == ["health.share_used"]
        assert health.export is export_account and health.erase is erase_account

    def test_every_message_exists_in_vietnamese_and_english(self):
        base = resources.files("miniapps.health").joinpath("locales")
        vi = json.loads(base.joinpath("vi.json").read_text(encoding="utf-8"))
        en = json.loads(base.joinpath("en.json").read_text(encoding="utf-8"))
        assert vi.keys() == en.keys()
        assert all(vi[k] and en[k] for k in vi)


class TestMountedInTheHost:
    async def test_the_full_host_serves_the_fhir_endpoint(self, ctx):
        import httpx
        from asgi_lifespan import LifespanManager

        from superapp.app import create_app

        application = create_app(ctx.settings, ctx=ctx, run_background_workers=False)
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                r = await c.get(f"{FHIR}/metadata")
                no_token = await c.get(f"{FHIR}/Observation")
        assert r.status_code == 200 and r.json()["resourceType"] == "CapabilityStatement"
        assert no_token.status_code == 401 and no_token.json()["resourceType"] == "OperationOutcome"


    async def test_a_used_share_reaches_the_citizens_inbox(self, ctx):
        import httpx
        from asgi_lifespan import LifespanManager

        from superapp.app import create_app
        from superapp.outbox import drain
        from tests.factories import Factory
        from tests.miniapps.health.conftest import CITIZEN_NID, bundle, load, patient

        await load(ctx, bundle(patient("p1", CITIZEN_NID)))
        application = create_app(ctx.settings, ctx=ctx, run_background_workers=False)
        async with LifespanManager(application):
            factory = Factory(ctx)
            citizen = await factory.account(level=2, national_id=CITIZEN_NID)
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                headers = await factory.headers(citizen, ["health.read", "notifications"])
                share = (await c.post("/v1/health/shares", json={"expires_in": 600}, headers=headers)).json()
                assert (await c.get(f"/v1/health/shared/{share['code']}")).status_code == 200
                await drain(ctx)
                inbox = (await c.get("/v1/notifications", headers={**headers, "Accept-Language": "en"})).json()
        assert [(n["category"], n["title"]) for n in inbox["items"]] == [
            ("health.share_used", "Your health record was viewed")]


class TestSeed:
    async def test_seed_is_idempotent(self, ctx, app):
        async def count() -> int:
            async with ctx.sessionmaker() as s:
                return (await s.exec(select(func.count()).select_from(HealthResource))).one()

        for _ in range(2):
            async with ctx.sessionmaker() as session:
                lines = await seed_demo(ctx, session)
                await session.commit()
            assert lines and "FHIR resources" in lines[0]
        assert await count() == 56
        async with ctx.sessionmaker() as s:
            types = set((await s.exec(select(HealthResource.resource_type))).all())
        assert types == {"Patient", "Encounter", "Immunization", "Observation", "Condition", "AllergyIntolerance",
                         "MedicationRequest", "DiagnosticReport"}


class TestPersonalData:
    async def test_export_holds_the_record_the_log_and_the_shares(self, client, ctx, world):
        await client.get(f"{FHIR}/Patient/demo-lan", headers=world.headers)
        await client.post("/v1/health/shares", json={"expires_in": 600}, headers=world.headers)
        async with ctx.sessionmaker() as session:
            data = await export_account(ctx, session, world.citizen.id)
        json.dumps(data)
        ids = {r["id"] for r in data["record"]}
        assert "demo-lan" in ids and "demo-lan-bp-1" in ids and not any(i.startswith("demo-khoi") for i in ids)
        assert [e["interaction"] for e in data["access_log"]] == ["read"] and data["access_log"][0]["by_me"]
        assert len(data["reads_by_me"]) == 1 and len(data["shares"]) == 1

    async def test_erase_removes_shares_and_unlinks_the_log_but_keeps_the_record(self, client, ctx, world):
        await client.get(f"{FHIR}/Patient/demo-lan", headers=world.headers)
        await client.post("/v1/health/shares", json={"expires_in": 600}, headers=world.headers)
        async with ctx.sessionmaker() as session:
            await erase_account(ctx, session, world.citizen.id)
            await session.commit()
        async with ctx.sessionmaker() as s:
            assert (await s.exec(select(func.count()).select_from(HealthShare))).one() == 0
            log = (await s.exec(select(HealthAccessLog))).all()
            assert len(log) == 1 and log[0].actor_account_id is None
            assert (await s.exec(select(func.count()).select_from(HealthResource))).one() == 58

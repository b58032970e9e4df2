"""Doctor shares: a high-entropy code stored hashed, read without an account until expiry or
revocation, rate-limited, every use logged and notified."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from miniapps.health.models import HealthShare
from miniapps.health.notifier import JOB_KIND
from miniapps.health.settings import HealthSettings, configure
from superapp.db import utcnow
from superapp.models import OutboxJob
from tests.miniapps.health.conftest import fhir_json, outcome_code

SHARES = "/v1/health/shares"


async def create(client, headers, **body):
    r = await client.post(SHARES, json={"expires_in": 3600, **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


class TestCreating:
    async def test_code_and_url_and_only_a_hash_is_stored(self, client, ctx, world):
        share = await create(client, world.headers)
        assert len(share["code"]) >= 43  # 256 bits, base64url
        assert share["url"] == f"http://testserver/v1/health/shared/{share['code']}"
        assert share["patient_id"] == "demo-lan"
        async with ctx.sessionmaker() as s:
            row = (await s.exec(select(HealthShare))).one()
        assert share["code"] not in row.code_hash and len(row.code_hash) == 64

    async def test_expiry_beyond_24_hours_is_refused(self, client, world):
        r = await client.post(SHARES, json={"expires_in": 86_401}, headers=world.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"

    async def test_a_dependents_record_can_be_shared_but_not_a_strangers(self, client, world):
        assert (await create(client, world.headers, patient="demo-khoi"))["patient_id"] == "demo-khoi"
        r = await client.post(SHARES, json={"expires_in": 600, "patient": "stranger"}, headers=world.headers)
        assert r.status_code == 404

    async def test_creation_is_rate_limited(self, client, ctx, world):
        configure(ctx, HealthSettings(share_create_limit="2/hour"))
        await create(client, world.headers)
        await create(client, world.headers)
        r = await client.post(SHARES, json={"expires_in": 600}, headers=world.headers)
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"

    async def test_list_shows_status_without_codes(self, client, world):
        a = await create(client, world.headers)
        await create(client, world.headers)
        await client.delete(f"{SHARES}/{a['code']}", headers=world.headers)
        page = (await client.get(SHARES, params={"limit": 1}, headers=world.headers)).json()
        assert len(page["items"]) == 1 and page["next_cursor"]
        rest = (await client.get(SHARES, params={"cursor": page["next_cursor"]}, headers=world.headers)).json()
        items = page["items"] + rest["items"]
        assert {i["status"] for i in items} == {"active", "revoked"}
        assert all("code" not in i for i in items)


class TestDoctorReading:
    async def test_the_doctor_reads_the_record_without_an_account(self, client, world):
        share = await create(client, world.headers)
        r = await client.get(path_of(share["url"]))
        assert r.status_code == 200
        body = fhir_json(r)
        assert body["type"] == "collection"
        types = [e["resource"]["resourceType"] for e in body["entry"]]
        assert types[0] == "Patient" and body["entry"][0]["resource"]["id"] == "demo-lan"
        patients = {e["resource"].get("subject", e["resource"].get("patient", {})).get("reference")
                    for e in body["entry"][1:]}
        assert patients == {"Patient/demo-lan"}
        assert {"Observation", "Immunization", "Condition", "AllergyIntolerance", "Encounter",
                "MedicationRequest", "DiagnosticReport"} <= set(types)

    async def test_each_use_is_logged_and_notified(self, client, ctx, world):
        share = await create(client, world.headers)
        await client.get(path_of(share["url"]))
        await client.get(path_of(share["url"]))
        items = (await client.get("/v1/health/access-log", headers=world.headers)).json()["items"]
        assert [(i["actor"], i["interaction"], i["share_id"]) for i in items] == [("shared_link", "share", share["id"])] * 2
        listed = (await client.get(SHARES, headers=world.headers)).json()["items"][0]
        assert listed["use_count"] == 2 and listed["last_used_at"]
        async with ctx.sessionmaker() as s:
            jobs = (await s.exec(select(OutboxJob).where(OutboxJob.kind == JOB_KIND))).all()
        assert len(jobs) == 1  # one notice per share and hour
        assert jobs[0].payload["account_id"] == str(world.citizen.id)

    async def test_unknown_code_is_404(self, client, world):
        r = await client.get("/v1/health/shared/" + "A" * 43)
        assert r.status_code == 404 and outcome_code(r) == "health.share_not_found"

    async def test_revoked_share_stops_working(self, client, world):
        share = await create(client, world.headers)
        assert (await client.delete(f"{SHARES}/{share['code']}", headers=world.headers)).status_code == 204
        r = await client.get(path_of(share["url"]))
        assert r.status_code == 410 and outcome_code(r) == "health.share_revoked"

    async def test_expired_share_stops_working(self, client, ctx, world):
        share = await create(client, world.headers)
        async with ctx.sessionmaker() as s:
            row = (await s.exec(select(HealthShare))).one()
            row.expires_at = utcnow() - timedelta(seconds=1)
            s.add(row)
            await s.commit()
        r = await client.get(path_of(share["url"]))
        assert r.status_code == 410 and outcome_code(r) == "health.share_expired"
        listed = (await client.get(SHARES, headers=world.headers)).json()["items"][0]
        assert listed["status"] == "expired"

    async def test_guessing_codes_is_rate_limited(self, client, ctx, world):
        configure(ctx, HealthSettings(share_guess_limit="3/minute"))
        statuses = [(await client.get(f"/v1/health/shared/guess{i}")).status_code for i in range(4)]
        assert statuses == [404, 404, 404, 429]


class TestRevoking:
    async def test_only_the_owner_can_revoke(self, client, world, factory):
        share = await create(client, world.headers)
        stranger = await factory.headers(world.stranger, ["health.read"])
        r = await client.delete(f"{SHARES}/{share['code']}", headers=stranger)
        assert r.status_code == 404 and r.json()["code"] == "health.share_not_found"
        assert (await client.get(path_of(share["url"]))).status_code == 200

    async def test_revoking_twice_is_harmless(self, client, world):
        share = await create(client, world.headers)
        assert (await client.delete(f"{SHARES}/{share['code']}", headers=world.headers)).status_code == 204
        assert (await client.delete(f"{SHARES}/{share['code']}", headers=world.headers)).status_code == 204


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class TestDoctorsBrowser:
    async def test_a_browser_gets_a_page_of_the_essentials(self, client, world):
        share = await create(client, world.headers)
        r = await client.get(path_of(share["url"]), headers={**BROWSER, "Accept-Language": "en"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "Nguyễn Thị Lan" in r.text and "Penicillin" in r.text and "Amlodipin 5 mg" in r.text
        assert "Allergies" in r.text and "128/82 mmHg" in r.text
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
        items = (await client.get("/v1/health/access-log", headers=world.headers)).json()["items"]
        assert [i["interaction"] for i in items] == ["share"]

    async def test_format_json_gives_the_bundle_to_a_browser(self, client, world):
        share = await create(client, world.headers)
        r = await client.get(path_of(share["url"]), params={"_format": "json"}, headers=BROWSER)
        assert fhir_json(r)["type"] == "collection"

    async def test_a_revoked_link_shows_a_page_in_vietnamese(self, client, ctx, world):
        share = await create(client, world.headers)
        await client.delete(f"{SHARES}/{share['code']}", headers=world.headers)
        r = await client.get(path_of(share["url"]), headers=BROWSER)
        assert r.status_code == 410 and r.headers["content-type"].startswith("text/html")
        assert "Người bệnh đã thu hồi liên kết chia sẻ này." in r.text
        async with ctx.sessionmaker() as s:
            assert (await s.exec(select(HealthShare))).one().use_count == 0

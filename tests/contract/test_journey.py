"""A citizen's first day, end to end through HTTP only: register by phone, verify with the
texted code, sign in natively, reach identity level 2, buy a ticket and show its QR, report a
problem, see the moderation notice in the inbox, read the health summary."""

from __future__ import annotations

import io
import re
from datetime import date

from PIL import Image

from superapp import outbox
from tests.contract.conftest import last_code_for, native_sign_in
from tests.factories import MOBILE_CLIENT_ID

NATIONAL_ID = "001092005530"  # a man born in 1992 in Hanoi (province 001, century digit 0)
FULL_NAME = "Hoàng Đức Anh"
BIRTH = date(1992, 12, 1)
SCOPES = "openid profile phone offline_access identity feedback transit health.read notifications"
OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def assert_times_have_offsets(document, where: str) -> None:
    """Every RFC 3339 date-time string anywhere in ``document`` carries a UTC offset."""
    if isinstance(document, dict):
        for value in document.values():
            assert_times_have_offsets(value, where)
    elif isinstance(document, list):
        for value in document:
            assert_times_have_offsets(value, where)
    elif isinstance(document, str) and DATETIME.match(document):
        assert OFFSET.search(document), f"{where}: {document!r} has no offset"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


async def add_registry_person(ctx) -> None:
    from auth.accounts.models import RegistryPerson

    async with ctx.sessionmaker() as session:
        session.add(RegistryPerson(national_id=NATIONAL_ID, full_name=FULL_NAME, birth_date=BIRTH, sex="male"))
        await session.commit()


async def add_health_record(ctx) -> None:
    from miniapps.health.fhir.constants import NATIONAL_ID_SYSTEM
    from miniapps.health.importer import import_bundle

    patient = {"resourceType": "Patient", "id": "journey-patient",
               "identifier": [{"system": NATIONAL_ID_SYSTEM, "value": NATIONAL_ID}],
               "name": [{"text": FULL_NAME, "family": "Hoàng", "given": ["Đức", "Anh"]}], "birthDate": BIRTH.isoformat()}
    pulse = {"resourceType": "Observation", "id": "journey-pulse", "status": "final",
             "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                       "code": "vital-signs"}]}],
             "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}]},
             "subject": {"reference": "Patient/journey-patient"}, "effectiveDateTime": "2026-01-05T08:30:00+07:00",
             "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"}}
    async with ctx.sessionmaker() as session:
        await import_bundle(session, {"resourceType": "Bundle", "type": "collection",
                                      "entry": [{"resource": patient}, {"resource": pulse}]})
        await session.commit()


class TestCitizenJourney:
    async def test_register_sign_in_verify_buy_report_notify_read_health(self, client, ctx, factory, reference_data):
        await factory.mobile_client()
        await add_registry_person(ctx)
        await add_health_record(ctx)
        phone_local, phone = "0987650011", "+84987650011"

        # Register by phone; the OTP arrives in the SMS outbox file.
        r = await client.post("/v1/accounts", json={"phone": phone_local, "password": "Lake-Hoan-Kiem-42",
                                                    "full_name": FULL_NAME})
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "pending_verification"
        r = await client.post("/v1/accounts/verify", json={"phone": phone, "code": last_code_for(ctx.settings, phone)})
        assert r.status_code == 200, r.text

        # Native sign-in through the authorization challenge endpoint.
        tokens = await native_sign_in(client, MOBILE_CLIENT_ID, phone_local, SCOPES, password="Lake-Hoan-Kiem-42")
        assert tokens["token_type"].lower() == "bearer" and tokens["refresh_token"]
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        me = (await client.get("/v1/me", headers=auth)).json()
        assert (me["phone"], me["identity_level"]) == (phone, 1)

        # Identity level 2 through the population registry.
        r = await client.post("/v1/me/identity", headers=auth, json={
            "national_id": NATIONAL_ID, "full_name": FULL_NAME, "birth_date": BIRTH.isoformat()})
        assert r.status_code == 200, r.text
        me = (await client.get("/v1/me", headers=auth)).json()
        assert me["identity_level"] == 2
        assert_times_have_offsets(me, "/v1/me")

        # A single-ride ticket and its QR.
        r = await client.post("/v1/transit/orders", headers=auth,
                              json={"product_code": "single_ride", "payment_method": "sandbox"})
        assert r.status_code == 201, r.text
        order = r.json()
        assert set(order) >= {"order_id", "ticket"}
        assert_times_have_offsets(order, "POST /v1/transit/orders")
        r = await client.get(f"/v1/transit/tickets/{order['ticket']['id']}/qr", headers=auth, params={"format": "text"})
        assert r.status_code == 200, r.text
        assert r.json()["payload"] and OFFSET.search(r.json()["expires_at"])
        wallet = (await client.get("/v1/transit/tickets", headers=auth)).json()
        assert [t["id"] for t in wallet["items"]] == [order["ticket"]["id"]]
        assert_times_have_offsets(wallet, "GET /v1/transit/tickets")

        # A feedback report, approved by a moderator, notified to the reporter's inbox.
        r = await client.post("/v1/feedback/reports", headers=auth, data={
            "category": "traffic.road_damage", "description": "Ổ gà lớn trước số 12 Tràng Tiền, rất nguy hiểm.",
            "latitude": "21.0288", "longitude": "105.8525"}, files=[("photos", ("pothole.jpg", jpeg(), "image/jpeg"))])
        assert r.status_code == 201, r.text
        report = r.json()
        assert report["status"] == "submitted" and report["tracking_code"]
        moderator = await factory.account(roles=["moderator"])
        r = await client.post(f"/v1/admin/feedback/reports/{report['id']}/moderate",
                              headers=await factory.headers(moderator, ["openid"]), json={"action": "approve"})
        assert r.status_code == 200, r.text
        await outbox.drain(ctx)
        inbox = (await client.get("/v1/notifications", headers=auth)).json()
        assert set(inbox) == {"items", "next_cursor"}
        notices = [n for n in inbox["items"] if n["data"].get("report_id") == report["id"]]
        assert notices, inbox
        assert set(notices[0]) >= {"id", "category", "title", "body", "data", "source", "created_at", "read_at"}
        assert_times_have_offsets(inbox, "GET /v1/notifications")
        detail = (await client.get(f"/v1/feedback/reports/{report['id']}", headers=auth)).json()
        assert detail["status"] in ("approved", "assigned")
        assert_times_have_offsets(detail, "GET /v1/feedback/reports/{id}")
        timeline = (await client.get(f"/v1/feedback/reports/{report['id']}/timeline", headers=auth)).json()
        assert_times_have_offsets(timeline, "timeline")

        # The health summary of the level-2 citizen.
        r = await client.get("/v1/health/summary", headers=auth)
        assert r.status_code == 200, r.text
        assert "8867-4" in r.text
        assert_times_have_offsets(r.json(), "GET /v1/health/summary")
        log = (await client.get("/v1/health/access-log", headers=auth)).json()
        assert_times_have_offsets(log, "GET /v1/health/access-log")

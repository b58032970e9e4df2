"""Object-level authorisation across modules (OWASP ASVS 4.0 V4.2.1; API1:2023 BOLA): a
citizen asking for another citizen's objects gets 404, the same answer as for a missing one."""

from __future__ import annotations

from datetime import date

from miniapps.health.importer import import_bundle
from miniapps.transit.seed import seed as seed_transit
from notifications.service import publish_to_accounts
from tests.feedback.conftest import image_bytes
from tests.miniapps.health.conftest import bundle, patient
from tests.security.test_privacy import CITIZEN_NID

FORM = {"category": "traffic.road_damage", "description": "Ổ gà lớn giữa đường, xe máy dễ ngã.",
        "latitude": "21.0288", "longitude": "105.8525"}


class TestAnotherCitizensObjects:
    async def test_reports_tickets_health_and_notifications_are_404(self, client, ctx, person):
        from feedback.seed import seed_reference_data

        async with ctx.sessionmaker() as s:
            await seed_reference_data(s)
            await seed_transit(ctx, s)
            await import_bundle(s, bundle(patient("p-lan", CITIZEN_NID, birth="1988-04-12")))
            await s.commit()
        owner = await person(level=2, national_id=CITIZEN_NID, birth_date=date(1988, 4, 12))
        other = await person(level=2, national_id="001079001243", birth_date=date(1979, 1, 1))

        report = (await client.post("/v1/feedback/reports", data=FORM,
                                    files=[("photos[]", ("p.jpg", image_bytes(), "image/jpeg"))], headers=owner.headers)).json()
        ticket = (await client.post("/v1/transit/orders", json={"product_code": "single_ride", "payment_method": "sandbox"},
                                    headers=owner.headers)).json()["ticket"]
        share = (await client.post("/v1/health/shares", json={"expires_in": 600}, headers=owner.headers)).json()
        async with ctx.sessionmaker() as s:
            await publish_to_accounts(s, recipients=[owner.account.id], category="feedback.status", title="t", body="b")
            await s.commit()
        item = (await client.get("/v1/notifications", headers=owner.headers)).json()["items"][0]

        attempts = [
            ("GET", f"/v1/feedback/reports/{report['id']}"),
            ("GET", f"/v1/feedback/reports/{report['id']}/timeline"),
            ("GET", f"/v1/transit/tickets/{ticket['id']}/qr"),
            ("GET", "/v1/health/fhir/Patient/p-lan"),
            ("DELETE", f"/v1/health/shares/{share['code']}"),
            ("POST", f"/v1/notifications/{item['id']}/read"),
            ("DELETE", f"/v1/notifications/{item['id']}"),
        ]
        for method, path in attempts:
            r = await client.request(method, path, headers=other.headers)
            assert r.status_code == 404, (method, path, r.status_code)
        # The owner still reaches each of them.
        for path in (f"/v1/feedback/reports/{report['id']}", f"/v1/transit/tickets/{ticket['id']}/qr",
                     "/v1/health/fhir/Patient/p-lan"):
            assert (await client.get(path, headers=owner.headers)).status_code == 200, path

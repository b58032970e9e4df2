"""Personal data under Vietnam Decree 13/2023/ND-CP, end to end across every module.

A citizen with data in every module exports it all (Art. 14: right to obtain data) and then
erases the account (Art. 16: right to deletion): the feedback report stays public but
anonymous, tickets stay as fare records without identity, health links and shares are gone,
every mini-app that knew the citizen is told by a signed webhook, tokens stop working and the
phone number is free to register again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import httpx
import respx
from sqlmodel import select

from auth.models import Account, Consent, DependentLink, PairwiseSubject
from auth.pairwise import pairwise_sub
from feedback.models import Follow, Report
from feedback.seed import seed_reference_data
from miniapps.health.importer import import_bundle
from miniapps.health.models import HealthAccessLog, HealthShare
from miniapps.transit.models import TransitOrder, TransitTicket, TransitValidation
from miniapps.transit.seed import seed as seed_transit
from notifications.models import Device, InboxItem
from notifications.service import publish_to_accounts
from superapp import outbox
from tests.feedback.conftest import image_bytes
from tests.miniapps.health.conftest import bundle, observation, patient
from tests.miniapps.platform.conftest import APP_BODY

CITIZEN_NID = "001188004512"
CHILD_NID = "001215007781"
HOOK = APP_BODY["webhook_url"]
DEVICE_TOKEN = "fcm-token-lan-" + "a1B2c3D4" * 5
EVERY_SCOPE = ["openid", "profile", "phone", "email", "feedback", "transit", "health.read", "notifications", "miniapps"]
MODULE_SECTIONS = {"auth", "feedback", "transit", "health", "notifications", "miniapps"}


@dataclass
class Citizen:
    account: Account
    headers: dict[str, str]


async def _seed(ctx) -> None:
    async with ctx.sessionmaker() as session:
        await seed_reference_data(session)
        await seed_transit(ctx, session)
        await import_bundle(session, bundle(
            patient("p-lan", CITIZEN_NID, birth="1988-04-12", name="Nguyễn Thị Lan"),
            observation("o-lan-1", "p-lan", "2025-03-01T08:00:00+07:00"),
        ))
        await session.commit()


async def _published_app(client, factory) -> dict:
    developer = await factory.account(roles=["developer"])
    admin = await factory.account(roles=["admin"])
    dev_h, admin_h = await factory.headers(developer, ["openid"]), await factory.headers(admin, ["openid"])
    app = (await client.post("/v1/developer/miniapps", json=APP_BODY, headers=dev_h)).json()
    assert (await client.post(f"/v1/developer/miniapps/{app['id']}/submit", headers=dev_h)).status_code == 200
    r = await client.post(f"/v1/admin/miniapps/{app['id']}/review", json={"decision": "approve"}, headers=admin_h)
    assert r.status_code == 200, r.text
    return app


async def _citizen_with_data_everywhere(client, ctx, factory) -> tuple[Citizen, dict]:
    await _seed(ctx)
    account = await factory.account(level=2, national_id=CITIZEN_NID, birth_date=date(1988, 4, 12),
                                    full_name="Nguyễn Thị Lan", email="lan@example.vn")
    async with ctx.sessionmaker() as s:
        s.add(DependentLink(guardian_id=account.id, national_id=CHILD_NID, birth_date=date(2015, 6, 2),
                            full_name="Trần Minh Khôi"))
        await s.commit()
    citizen = Citizen(account, await factory.headers(account, EVERY_SCOPE))

    app = await _published_app(client, factory)
    r = await client.post("/v1/me/consents", json={"client_id": app["client_id"], "scopes": ["openid", "notifications"]},
                          headers=citizen.headers)
    assert r.status_code == 201, r.text

    form = {"category": "traffic.road_damage", "description": "Ổ gà lớn giữa đường, xe máy dễ ngã.",
            "latitude": "21.0288", "longitude": "105.8525"}
    r = await client.post("/v1/feedback/reports", data=form, files=[("photos[]", ("p.jpg", image_bytes(), "image/jpeg"))],
                          headers=citizen.headers)
    assert r.status_code == 201, r.text
    report_id = r.json()["id"]
    neighbour = await factory.account()
    r = await client.post("/v1/feedback/reports", data=form, headers=await factory.headers(neighbour, ["feedback"]))
    followed_id = r.json()["id"]
    moderator = await factory.headers(await factory.account(roles=["moderator"]), ["feedback"])
    r = await client.post(f"/v1/admin/feedback/reports/{followed_id}/moderate", json={"action": "approve"}, headers=moderator)
    assert r.status_code == 200, r.text
    assert (await client.post(f"/v1/feedback/reports/{followed_id}/follow", headers=citizen.headers)).status_code == 200

    r = await client.post("/v1/transit/orders", json={"product_code": "single_ride", "payment_method": "sandbox"},
                          headers=citizen.headers)
    assert r.status_code == 201, r.text
    ticket_id = r.json()["ticket"]["id"]
    payload = (await client.get(f"/v1/transit/tickets/{ticket_id}/qr", headers=citizen.headers)).json()["payload"]
    validator = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
    r = await client.post("/v1/transit/validate", json={"payload": payload, "validator_id": "HN-BUS-32-001", "route": "32"},
                          headers=await factory.headers(None, ["transit.validate"], client=validator))
    assert r.json()["result"] == "accepted", r.text

    assert (await client.get("/v1/health/summary", headers=citizen.headers)).status_code == 200
    r = await client.post("/v1/health/shares", json={"expires_in": 3600}, headers=citizen.headers)
    assert r.status_code == 201, r.text

    r = await client.post("/v1/devices", json={"token": DEVICE_TOKEN, "platform": "android"}, headers=citizen.headers)
    assert r.status_code == 201, r.text
    async with ctx.sessionmaker() as s:
        await publish_to_accounts(s, recipients=[account.id], category="feedback.status", title="Tiêu đề", body="Nội dung")
        await s.commit()
    return citizen, {"app": app, "report_id": report_id, "ticket_id": ticket_id}


async def _rows(ctx, model, *where):
    async with ctx.sessionmaker() as s:
        return list(await s.exec(select(model).where(*where)))


class TestExportThenErase:
    async def test_every_module_exports_then_erasure_keeps_only_anonymous_records(self, client, ctx, factory):
        citizen, made = await _citizen_with_data_everywhere(client, ctx, factory)
        account_id, phone = citizen.account.id, citizen.account.phone

        r = await client.get("/v1/me/export", headers=citizen.headers)
        assert r.status_code == 200, r.text
        export = r.json()
        assert export["account"]["phone"] == phone
        assert MODULE_SECTIONS <= set(export["modules"])
        assert not any(isinstance(v, dict) and v.get("error") for v in export["modules"].values())
        dumped = json.dumps(export, ensure_ascii=False)
        for proof in (made["report_id"], made["ticket_id"], made["app"]["client_id"], CHILD_NID):
            assert proof in dumped, proof
        assert "password_hash" not in dumped
        notifications = export["modules"]["notifications"]
        assert [d["platform"] for d in notifications["devices"]] == ["android"] and notifications["inbox"]
        assert DEVICE_TOKEN not in dumped  # a push credential, not personal data to hand out

        assert (await client.delete("/v1/me", headers=citizen.headers)).status_code == 204

        # Feedback: the report stays (public record of the city's work) without its reporter.
        (report,) = await _rows(ctx, Report, Report.id == _uuid(made["report_id"]))
        assert report.reporter_id is None
        assert await _rows(ctx, Follow, Follow.account_id == account_id) == []
        # Transit: orders, tickets and taps stay for accounting, unlinked and the tickets revoked.
        (ticket,) = await _rows(ctx, TransitTicket, TransitTicket.id == _uuid(made["ticket_id"]))
        assert ticket.account_id is None and ticket.status == "revoked"
        assert await _rows(ctx, TransitOrder, TransitOrder.account_id == account_id) == []
        (order,) = await _rows(ctx, TransitOrder, TransitOrder.id == ticket.order_id)
        assert order.account_id is None and order.amount_vnd > 0
        assert await _rows(ctx, TransitValidation, TransitValidation.account_id == account_id) == []
        assert len(await _rows(ctx, TransitValidation, TransitValidation.ticket_id == ticket.id)) == 1
        # Health: no share, no access-log entry naming the citizen, no national ID or guardian link.
        assert await _rows(ctx, HealthShare, HealthShare.account_id == account_id) == []
        assert await _rows(ctx, HealthAccessLog, HealthAccessLog.actor_account_id == account_id) == []
        assert await _rows(ctx, DependentLink, DependentLink.guardian_id == account_id) == []
        (scrubbed,) = await _rows(ctx, Account, Account.id == account_id)
        assert (scrubbed.phone, scrubbed.email, scrubbed.full_name, scrubbed.national_id) == (None, None, None, None)
        # Notifications and consents: gone.
        assert await _rows(ctx, InboxItem, InboxItem.account_id == account_id) == []
        assert await _rows(ctx, Device, Device.account_id == account_id) == []
        assert await _rows(ctx, Consent, Consent.account_id == account_id, Consent.revoked_at.is_(None)) == []

        # The mini-app hears of it through a signed webhook carried by the outbox.
        with respx.mock() as mock:
            route = mock.post(HOOK).mock(return_value=httpx.Response(200))
            await outbox.drain(ctx)
        events = [json.loads(call.request.content) for call in route.calls]
        sub = pairwise_sub(ctx.settings.secrets["pairwise_secret"], f"miniapp:{made['app']['id']}", account_id)
        assert await _rows(ctx, PairwiseSubject, PairwiseSubject.account_id == account_id) == []
        assert {"type": "account.deleted", "sub": sub} in [
            {"type": e["type"], "sub": e["data"]["sub"]} for e in events
        ]

        # Tokens are dead and the phone number may register again.
        assert (await client.get("/v1/me", headers=citizen.headers)).status_code == 401
        r = await client.post("/v1/accounts", json={"phone": phone, "password": "Another-horse-9", "full_name": "Lan"})
        assert r.status_code == 201, r.text


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)

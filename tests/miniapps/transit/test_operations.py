"""Operators: revoke tickets, manage products, register validators; all audited. Notifications,
expiry reminders, personal data and seeding."""

from __future__ import annotations

import uuid

from sqlmodel import select

from miniapps.transit import notifier
from miniapps.transit.models import TransitOrder, TransitProduct, TransitTicket
from miniapps.transit.personal_data import erase, export
from miniapps.transit.seed import seed
from miniapps.transit.tasks import remind_expiring
from superapp.db import unit_of_work
from superapp.models import AuditEntry, OutboxJob
from superapp.outbox import drain


async def audit_actions(ctx) -> list[str]:
    async with ctx.sessionmaker() as s:
        return [e.action for e in (await s.exec(select(AuditEntry))).all()]


async def notify_jobs(ctx) -> list[dict]:
    async with ctx.sessionmaker() as s:
        return [j.payload for j in (await s.exec(select(OutboxJob).where(OutboxJob.kind == notifier.JOB_KIND))).all()]


class TestRevoke:
    async def test_revoke_is_audited_notified_and_idempotent(self, client, ctx, citizen, buy, operator_headers):
        t = (await buy(citizen, "monthly_pass"))["ticket"]["id"]
        r = await client.post(f"/v1/admin/transit/tickets/{t}/revoke", json={"reason": "lost phone"}, headers=operator_headers)
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "revoked" and body["revoked_reason"] == "lost phone" and body["revoked_at"]
        again = await client.post(f"/v1/admin/transit/tickets/{t}/revoke", headers=operator_headers)
        assert again.status_code == 200 and again.json()["revoked_at"] == body["revoked_at"]
        assert (await audit_actions(ctx)).count("transit.ticket.revoke") == 1
        assert [j["event"] for j in await notify_jobs(ctx)] == ["purchased", "revoked"]

    async def test_citizen_cannot_revoke_and_unknown_ticket_is_404(self, client, citizen, buy, operator_headers):
        t = (await buy(citizen))["ticket"]["id"]
        r = await client.post(f"/v1/admin/transit/tickets/{t}/revoke", headers=citizen.headers)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"
        r = await client.post(f"/v1/admin/transit/tickets/{uuid.uuid4()}/revoke", headers=operator_headers)
        assert r.status_code == 404 and r.json()["code"] == "transit.ticket_not_found"
        r = await client.post("/v1/admin/transit/tickets/not-a-uuid/revoke", headers=operator_headers)
        assert r.status_code == 422


class TestProducts:
    async def test_create_update_and_retire_a_product(self, client, ctx, products, operator_headers, citizen):
        new = {"code": "airport_86", "kind": "single_ride", "name": {"vi": "Vé tuyến 86", "en": "Route 86 ride"},
               "price_vnd": 45000}
        r = await client.post("/v1/admin/transit/products", json=new, headers=operator_headers)
        assert r.status_code == 201 and r.json()["number"] == 6 and r.json()["active"] is True
        r = await client.post("/v1/admin/transit/products", json=new, headers=operator_headers)
        assert r.status_code == 409 and r.json()["code"] == "transit.product_exists"
        r = await client.patch("/v1/admin/transit/products/airport_86", json={"price_vnd": 50000}, headers=operator_headers)
        assert r.json()["price_vnd"] == 50000
        listed = {p["code"]: p for p in (await client.get("/v1/transit/products")).json()}
        assert listed["airport_86"]["price_vnd"] == 50000
        await client.patch("/v1/admin/transit/products/airport_86", json={"active": False}, headers=operator_headers)
        assert "airport_86" not in {p["code"] for p in (await client.get("/v1/transit/products")).json()}
        r = await client.post("/v1/transit/orders", json={"product_code": "airport_86", "payment_method": "sandbox"},
                              headers=citizen.headers)
        assert r.status_code == 404
        actions = await audit_actions(ctx)
        assert actions.count("transit.product.create") == 1 and actions.count("transit.product.update") == 2

    async def test_bad_product_input_is_422(self, client, products, operator_headers):
        for body in (
            {"code": "Bad Code", "kind": "single_ride", "name": {"vi": "a", "en": "a"}, "price_vnd": 1},
            {"code": "x_ok", "kind": "weekly", "name": {"vi": "a", "en": "a"}, "price_vnd": 1},
            {"code": "x_ok", "kind": "single_ride", "name": {"vi": "a"}, "price_vnd": 1},
            {"code": "x_ok", "kind": "single_ride", "name": {"vi": "a", "en": "a"}, "price_vnd": -5},
        ):
            r = await client.post("/v1/admin/transit/products", json=body, headers=operator_headers)
            assert r.status_code == 422, body
        r = await client.patch("/v1/admin/transit/products/nope", json={"price_vnd": 1}, headers=operator_headers)
        assert r.status_code == 404

    async def test_listing_needs_the_role(self, client, citizen):
        assert (await client.get("/v1/admin/transit/products", headers=citizen.headers)).status_code == 403


class TestValidators:
    async def test_register_list_and_audit(self, client, ctx, products, operator_headers):
        body = {"validator_id": "HN-BUS-09-002", "name": "Tuyến 09", "route": "09"}
        assert (await client.post("/v1/admin/transit/validators", json=body, headers=operator_headers)).status_code == 201
        r = await client.post("/v1/admin/transit/validators", json=body, headers=operator_headers)
        assert r.status_code == 409 and r.json()["code"] == "transit.validator_exists"
        ids = [v["validator_id"] for v in (await client.get("/v1/admin/transit/validators", headers=operator_headers)).json()]
        assert "HN-BUS-09-002" in ids and "HN-BUS-32-001" in ids  # seeded one too
        r = await client.patch("/v1/admin/transit/validators/ghost", json={"active": False}, headers=operator_headers)
        assert r.status_code == 404
        assert "transit.validator.register" in await audit_actions(ctx)


class TestNotifications:
    async def test_outbox_job_hands_both_languages_to_the_hub(self, ctx, citizen, buy, monkeypatch):
        calls = []

        async def fake_publish(session, **kw):
            calls.append(kw)

        import notifications.api

        monkeypatch.setattr(notifications.api, "publish", fake_publish)
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        await drain(ctx)
        assert len(calls) == 1
        call = calls[0]
        assert call["recipients"] == [citizen.account.id] and call["category"] == "transit.ticket"
        assert call["data"] == {"ticket_id": t, "event": "purchased"}
        assert "Vé ngày" in call["body"]["vi"] and "Day pass" in call["body"]["en"]

    async def test_purchase_reaches_the_inbox_in_the_citizens_language(self, client, ctx, citizen, buy, factory):
        ticket = (await buy(citizen, "day_pass"))["ticket"]["id"]
        await drain(ctx)
        h = await factory.headers(citizen.account, ["notifications"])
        r = await client.get("/v1/notifications", headers={**h, "Accept-Language": "en"})
        assert r.status_code == 200
        [item] = [i for i in r.json()["items"] if i["category"] == "transit.ticket"]
        assert item["title"] == "Ticket ready" and "Day pass" in item["body"]
        assert item["data"] == {"ticket_id": ticket, "event": "purchased"} and item["source"] == "transit"

    async def test_category_is_declared(self):
        from miniapps.transit.plugin import miniapp

        assert [c.code for c in miniapp.notification_categories] == ["transit.ticket"]

    async def test_expiring_passes_are_reminded_once(self, ctx, citizen, buy, clock):
        await buy(citizen, "day_pass")
        await buy(citizen, "monthly_pass")
        await buy(citizen, "single_ride")
        clock.advance(3600)
        assert await remind_expiring(ctx) == 1  # the day pass ends within 24 h
        assert await remind_expiring(ctx) == 0
        expiring = [j for j in await notify_jobs(ctx) if j["event"] == "expiring"]
        assert len(expiring) == 1 and expiring[0]["params"]["valid_until"]


class TestPersonalData:
    async def test_export_then_erase(self, ctx, citizen, buy, qr_text, validate):
        t = (await buy(citizen, "single_ride"))["ticket"]["id"]
        await validate(await qr_text(citizen, t))
        async with ctx.sessionmaker() as s:
            data = await export(ctx, s, citizen.account.id)
        assert len(data["orders"]) == 1 and data["tickets"][0]["id"] == t and len(data["trips"]) == 1
        async with unit_of_work(ctx.sessionmaker) as s:
            await erase(ctx, s, citizen.account.id)
        async with ctx.sessionmaker() as s:
            assert await export(ctx, s, citizen.account.id) == {"orders": [], "tickets": [], "trips": []}
            ticket = await s.get(TransitTicket, uuid.UUID(t))
            assert ticket.account_id is None and ticket.status == "revoked" and ticket.revoked_reason == "account_erased"
            assert len((await s.exec(select(TransitOrder))).all()) == 1  # kept as an anonymous fare record


class TestSeed:
    async def test_seed_is_idempotent(self, ctx, app):
        for _ in range(2):
            async with unit_of_work(ctx.sessionmaker) as s:
                lines = await seed(ctx, s)
        assert lines and "5 products (0 new)" in lines[0]
        async with ctx.sessionmaker() as s:
            assert len((await s.exec(select(TransitProduct))).all()) == 5


class TestCli:
    async def test_rotate_key_command_promotes_the_next_key(self, ctx, app, monkeypatch):
        import json

        import anyio
        from typer.testing import CliRunner

        from miniapps.transit.cli import transit_cli
        from miniapps.transit.models import TransitSigningKey

        s = ctx.settings
        for name, value in {
            "SUPERAPP_DATABASE_URL": s.resolved_database_url, "SUPERAPP_DATA_DIR": str(s.data_dir),
            "SUPERAPP_SECRET_KEY": s.secret_key, "SUPERAPP_PAIRWISE_SECRET": s.pairwise_secret,
            "SUPERAPP_ENVIRONMENT": "test",
        }.items():
            monkeypatch.setenv(name, value)
        async with ctx.sessionmaker() as session:
            before = {k.state: k.kid for k in (await session.exec(select(TransitSigningKey))).all()}
        result = await anyio.to_thread.run_sync(lambda: CliRunner().invoke(transit_cli, ["rotate-key"]))
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert out["active"] == before["next"] and out["retired"] == before["active"]

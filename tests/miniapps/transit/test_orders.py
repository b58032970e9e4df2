"""Products, orders through the sandbox provider, concessions, idempotent purchase, wallet."""

from __future__ import annotations

from datetime import date

from sqlmodel import func, select

from miniapps.transit.models import TransitOrder, TransitTicket
from miniapps.transit.payments import CACHE_KEY, PaymentResult
from superapp.outbox import OutboxJob


async def count(ctx, model) -> int:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(func.count()).select_from(model))).one()


class TestProducts:
    async def test_catalogue_lists_hanoi_products_in_vnd(self, client, products):
        r = await client.get("/v1/transit/products")
        assert r.status_code == 200
        by_code = {p["code"]: p for p in r.json()}
        assert by_code["single_ride"] == {
            "code": "single_ride", "name": "Vé lượt", "kind": "single_ride", "price_vnd": 8000, "concession": None
        }
        assert by_code["monthly_elderly"]["price_vnd"] == 0 and by_code["monthly_elderly"]["concession"] == "elderly"
        assert {p["kind"] for p in r.json()} == {"single_ride", "day_pass", "monthly_pass"}

    async def test_names_follow_accept_language(self, client, products):
        r = await client.get("/v1/transit/products", headers={"Accept-Language": "en"})
        assert {p["code"]: p["name"] for p in r.json()}["day_pass"] == "Day pass"


class TestOrders:
    async def test_purchase_creates_order_and_active_ticket(self, client, ctx, citizen, clock):
        r = await client.post(
            "/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "sandbox"}, headers=citizen.headers
        )
        assert r.status_code == 201
        body = r.json()
        assert body["order_id"] and body["amount_vnd"] == 30000 and body["payment_reference"].startswith("sbx_")
        ticket = body["ticket"]
        assert ticket["status"] == "active" and ticket["kind"] == "day_pass" and not ticket["device_bound"]
        assert ticket["valid_until"] > ticket["valid_from"]
        assert await count(ctx, TransitOrder) == 1 and await count(ctx, TransitTicket) == 1

    async def test_same_idempotency_key_buys_once(self, client, ctx, citizen):
        h = {**citizen.headers, "Idempotency-Key": "buy-1"}
        body = {"product_code": "single_ride", "payment_method": "sandbox"}
        first = await client.post("/v1/transit/orders", json=body, headers=h)
        second = await client.post("/v1/transit/orders", json=body, headers=h)
        assert first.status_code == second.status_code == 201
        assert first.json()["order_id"] == second.json()["order_id"]
        assert await count(ctx, TransitOrder) == 1 and await count(ctx, TransitTicket) == 1

    async def test_unknown_product_is_404(self, client, citizen):
        r = await client.post(
            "/v1/transit/orders", json={"product_code": "nope", "payment_method": "sandbox"}, headers=citizen.headers
        )
        assert r.status_code == 404 and r.json()["code"] == "transit.product_not_found"

    async def test_unknown_payment_method_is_422(self, client, citizen):
        r = await client.post(
            "/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "cash"}, headers=citizen.headers
        )
        assert r.status_code == 422 and r.json()["code"] == "transit.payment_method_unsupported"

    async def test_declined_payment_creates_nothing(self, client, ctx, citizen):
        class Declining:
            name = "sandbox"

            async def charge(self, **_):
                return PaymentResult(False, failure="insufficient_funds")

        ctx.cache[CACHE_KEY] = {"sandbox": Declining()}
        r = await client.post(
            "/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "sandbox"}, headers=citizen.headers
        )
        assert r.status_code == 402 and r.json()["code"] == "transit.payment_declined"
        assert await count(ctx, TransitOrder) == 0 and await count(ctx, TransitTicket) == 0

    async def test_malformed_body_is_problem_json(self, client, citizen):
        r = await client.post("/v1/transit/orders", content=b"{oops", headers={**citizen.headers, "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["code"] == "request.malformed_json"
        r = await client.post("/v1/transit/orders", json={"product_code": "x" * 500}, headers=citizen.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"

    async def test_token_without_transit_scope_is_403(self, client, factory, products):
        account = await factory.account()
        r = await client.post(
            "/v1/transit/orders",
            json={"product_code": "day_pass", "payment_method": "sandbox"},
            headers=await factory.headers(account, ["openid"]),
        )
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"

    async def test_no_token_is_401(self, client, products):
        r = await client.post("/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "sandbox"})
        assert r.status_code == 401

    async def test_purchase_queues_a_ticket_notification(self, client, ctx, citizen, buy):
        await buy(citizen, "day_pass")
        async with ctx.sessionmaker() as s:
            jobs = (await s.exec(select(OutboxJob).where(OutboxJob.kind == "transit.notify"))).all()
        assert len(jobs) == 1 and jobs[0].payload["event"] == "purchased"
        assert jobs[0].payload["account_id"] == str(citizen.account.id)


class TestConcessions:
    async def elderly_order(self, client, who):
        return await client.post(
            "/v1/transit/orders", json={"product_code": "monthly_elderly", "payment_method": "sandbox"}, headers=who.headers
        )

    async def test_verified_citizen_aged_60_gets_free_pass(self, client, make_citizen):
        who = await make_citizen(level=2, birth_date=date(1960, 1, 1))
        r = await self.elderly_order(client, who)
        assert r.status_code == 201 and r.json()["amount_vnd"] == 0
        assert r.json()["ticket"]["concession"] == "elderly"

    async def test_second_free_pass_while_one_is_valid_is_409(self, client, make_citizen):
        who = await make_citizen(level=2, birth_date=date(1950, 5, 5))
        assert (await self.elderly_order(client, who)).status_code == 201
        r = await self.elderly_order(client, who)
        assert r.status_code == 409 and r.json()["code"] == "transit.concession_pass_active"

    async def test_unverified_identity_is_refused_whatever_the_age(self, client, make_citizen):
        who = await make_citizen(level=1, birth_date=date(1940, 1, 1))
        r = await self.elderly_order(client, who)
        assert r.status_code == 422 and r.json()["code"] == "transit.concession_not_eligible"
        assert r.json()["failed_check"] == "identity_level"

    async def test_verified_but_too_young_is_refused(self, client, make_citizen):
        # The clock is at 2027-01-15: born 1967-01-16 is one day short of 60.
        who = await make_citizen(level=2, birth_date=date(1967, 1, 16))
        r = await self.elderly_order(client, who)
        assert r.status_code == 422 and r.json()["failed_check"] == "age"

    async def test_verified_without_birth_date_is_refused(self, client, make_citizen):
        who = await make_citizen(level=2)
        r = await self.elderly_order(client, who)
        assert r.status_code == 422 and r.json()["failed_check"] == "birth_date"

    async def test_student_pass_for_verified_young_citizen(self, client, make_citizen):
        young = await make_citizen(level=2, birth_date=date(2006, 3, 1))
        old = await make_citizen(level=2, birth_date=date(1980, 3, 1))
        body = {"product_code": "monthly_student", "payment_method": "sandbox"}
        assert (await client.post("/v1/transit/orders", json=body, headers=young.headers)).status_code == 201
        r = await client.post("/v1/transit/orders", json=body, headers=old.headers)
        assert r.status_code == 422 and r.json()["code"] == "transit.concession_not_eligible"

    async def test_refusal_is_translated(self, client, make_citizen):
        who = await make_citizen(level=1)
        vi = await self.elderly_order(client, who)
        en = await client.post(
            "/v1/transit/orders",
            json={"product_code": "monthly_elderly", "payment_method": "sandbox"},
            headers={**who.headers, "Accept-Language": "en"},
        )
        assert vi.json()["detail"] != en.json()["detail"] and "national ID" in en.json()["detail"]


class TestWallet:
    async def test_tickets_paginate_newest_first_and_stay_private(self, client, citizen, make_citizen, buy, clock):
        ids = []
        for _ in range(3):
            ids.append((await buy(citizen))["ticket"]["id"])
            clock.advance(1)
        other = await make_citizen()
        await buy(other)
        r = await client.get("/v1/transit/tickets?limit=2", headers=citizen.headers)
        page1 = r.json()
        assert [t["id"] for t in page1["items"]] == ids[::-1][:2] and page1["next_cursor"]
        r = await client.get(f"/v1/transit/tickets?limit=2&cursor={page1['next_cursor']}", headers=citizen.headers)
        assert [t["id"] for t in r.json()["items"]] == [ids[0]] and r.json()["next_cursor"] is None

    async def test_bad_cursor_is_400(self, client, citizen):
        r = await client.get("/v1/transit/tickets?cursor=%%%", headers=citizen.headers)
        assert r.status_code == 400 and r.json()["code"] == "pagination.invalid_cursor"

    async def test_someone_elses_ticket_is_404(self, client, citizen, make_citizen, buy):
        ticket = (await buy(citizen))["ticket"]["id"]
        other = await make_citizen()
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=other.headers)
        assert r.status_code == 404 and r.json()["code"] == "transit.ticket_not_found"

    async def test_pass_shows_as_expired_after_its_validity(self, client, citizen, buy, clock):
        ticket = (await buy(citizen, "day_pass"))["ticket"]["id"]
        clock.advance(25 * 3600)
        r = await client.get(f"/v1/transit/tickets/{ticket}", headers=citizen.headers)
        assert r.json()["status"] == "expired"
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=citizen.headers)
        assert r.status_code == 409 and r.json()["code"] == "transit.ticket_not_usable"

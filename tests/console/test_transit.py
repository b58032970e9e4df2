"""Transit page: look up and revoke a ticket, validators, validations where listed."""

from __future__ import annotations

import pytest

from miniapps.transit.plugin import miniapp as transit_miniapp
from miniapps.transit.seed import seed
from superapp.db import unit_of_work

JSON = {"Accept": "application/json"}


@pytest.fixture
def miniapps():
    return [transit_miniapp]


@pytest.fixture
async def operator(factory):
    return await factory.account(full_name="Hoàng Vận Hành", roles=["transit_operator"])


@pytest.fixture
async def ticket_id(ctx, app, client, factory) -> str:
    async with unit_of_work(ctx.sessionmaker) as session:
        await seed(ctx, session)
    rider = await factory.account()
    r = await client.post("/v1/transit/orders", json={"product_code": "single_ride", "payment_method": "sandbox"},
                          headers=await factory.headers(rider, ["transit"]))
    assert r.status_code == 201, r.text
    return r.json()["ticket"]["id"]


class TestTickets:
    async def test_look_up_and_revoke(self, browser, operator, ticket_id, client, factory):
        await browser.sign_in(operator)
        page = await browser.http.get("/admin/transit", params={"ticket_id": ticket_id})
        assert page.status_code == 200 and f'data-id="{ticket_id}"' in page.text and 'data-status="active"' in page.text
        token = await browser.csrf(f"/admin/transit?ticket_id={ticket_id}")
        r = await browser.http.post("/admin/transit/revoke",
                                    data={"csrf_token": token, "ticket_id": ticket_id, "reason": "Vé gian lận"})
        assert r.status_code == 303
        after = await browser.http.get(r.headers["location"])
        assert 'data-status="revoked"' in after.text and "Vé gian lận" in after.text
        ticket = await client.get(f"/v1/admin/transit/tickets/{ticket_id}", headers=await factory.headers(operator, ["openid"]))
        assert ticket.json()["status"] == "revoked"

    async def test_unknown_ticket_is_reported_on_the_page(self, browser, operator, app):
        await browser.sign_in(operator)
        page = await browser.http.get("/admin/transit", params={"ticket_id": "01a20000-0000-7000-8000-000000000000"})
        assert page.status_code == 200 and 'class="flash flash-error"' in page.text

    async def test_malformed_ticket_id_is_a_form_error(self, browser, operator, app):
        await browser.sign_in(operator)
        token = await browser.csrf("/admin/transit")
        r = await browser.http.post("/admin/transit/revoke", data={"csrf_token": token, "ticket_id": "../../x"}, headers=JSON)
        assert r.status_code == 422 and r.json()["code"] == "console.invalid_form"

    async def test_moderator_cannot_open_transit(self, browser, moderator, app):
        await browser.sign_in(moderator)
        r = await browser.http.get("/admin/transit", headers=JSON)
        assert r.status_code == 403


class TestValidators:
    async def test_registered_validators_are_listed(self, browser, operator, client, factory, app):
        headers = await factory.headers(operator, ["openid"])
        r = await client.post("/v1/admin/transit/validators", headers=headers,
                              json={"validator_id": "HN-BUS-32-001", "name": "Xe 32 cửa trước", "route": "32"})
        assert r.status_code == 201, r.text
        await browser.sign_in(operator)
        page = await browser.http.get("/admin/transit")
        assert "HN-BUS-32-001" in page.text and "Xe 32 cửa trước" in page.text

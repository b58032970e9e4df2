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



@pytest.fixture
async def tapped(ticket_id, ctx, client, factory) -> dict:
    """Two tickets; the first is scanned once by a validator on route 32, the second not at all."""
    async def buy() -> tuple[str, dict]:
        rider = await factory.account()
        headers = await factory.headers(rider, ["transit"])
        r = await client.post("/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "sandbox"},
                              headers=headers)
        assert r.status_code == 201, r.text
        return r.json()["ticket"]["id"], headers

    scanned, rider = await buy()
    other, _ = await buy()
    payload = (await client.get(f"/v1/transit/tickets/{scanned}/qr", headers=rider)).json()["payload"]
    machine = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
    r = await client.post("/v1/transit/validate", json={"payload": payload, "validator_id": "HN-BUS-32-001", "route": "32"},
                          headers=await factory.headers(None, ["transit.validate"], client=machine))
    assert r.status_code == 200 and r.json()["result"] == "accepted", r.text
    return {"scanned": scanned, "other": other}


class TestValidations:
    async def test_a_validation_made_here_is_listed(self, browser, operator, tapped):
        await browser.sign_in(operator)
        page = await browser.http.get("/admin/transit")
        assert page.status_code == 200
        assert "Dịch vụ giao thông chưa cung cấp" not in page.text and "Chưa có lượt quẹt vé nào." not in page.text
        row = page.text[page.text.index(f"<code>{tapped['scanned']}</code>") :].split("</tr>")[0]
        assert '<td>HN-BUS-32-001</td><td>32</td><td data-result="accepted">Hợp lệ · trực tuyến</td>' in row

    async def test_looking_up_a_ticket_lists_only_its_validations(self, browser, operator, tapped):
        await browser.sign_in(operator)
        scanned = await browser.http.get("/admin/transit", params={"ticket_id": tapped["scanned"]})
        assert f"<td><code>{tapped['scanned']}</code></td><td>HN-BUS-32-001</td>" in scanned.text
        other = await browser.http.get("/admin/transit", params={"ticket_id": tapped["other"]})
        assert "Chưa có lượt quẹt vé nào." in other.text and "<td>HN-BUS-32-001</td>" not in other.text

    async def test_the_next_page_link_leads_to_older_validations(self, browser, operator, tapped, client, factory):
        from datetime import UTC, datetime, timedelta

        rider = await factory.account()
        headers = await factory.headers(rider, ["transit"])
        order = await client.post("/v1/transit/orders", json={"product_code": "day_pass", "payment_method": "sandbox"},
                                  headers=headers)
        ticket = order.json()["ticket"]["id"]
        payload = (await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=headers)).json()["payload"]
        now = datetime.now(UTC)
        taps = [{"payload": payload, "validator_id": f"BUS-PAGE-{n:02d}", "tapped_at": (now + timedelta(seconds=n)).isoformat()}
                for n in range(1, 51)]  # 50 taps newer than the online one
        machine = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        r = await client.post("/v1/transit/validations", json=taps,
                              headers=await factory.headers(None, ["transit.validate"], client=machine))
        assert r.status_code == 200 and r.json()["recorded"] + r.json()["conflicts"] == 50, r.text
        await browser.sign_in(operator)
        first = await browser.http.get("/admin/transit")
        assert "BUS-PAGE-50" in first.text and "<td>HN-BUS-32-001</td>" not in first.text
        marker = '<p class="pager"><a href="'
        link = first.text[first.text.index(marker) + len(marker):].split('"')[0].replace("&amp;", "&")
        assert link.startswith("/admin/transit?cursor=")
        second = await browser.http.get(link)
        assert second.status_code == 200 and "<td>HN-BUS-32-001</td>" in second.text and "BUS-PAGE" not in second.text

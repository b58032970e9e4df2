"""``GET /v1/admin/transit/validations``: every tap for operators, newest first, by cursor,
filtered by ticket, validator, result and time; operators only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

URL = "/v1/admin/transit/validations"


def at(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat()


@pytest.fixture
async def taps(client, citizen, buy, qr_text, validate, validator_headers, clock) -> dict:
    """Three taps a minute apart: an online acceptance of a day pass, an offline rejection of the
    same pass, and an offline acceptance of another citizen's single ride."""
    day = (await buy(citizen, "day_pass"))["ticket"]["id"]
    single = (await buy(citizen, "single_ride"))["ticket"]["id"]
    first_at = clock()
    assert (await validate(await qr_text(citizen, day)))["result"] == "accepted"
    clock.advance(60)
    second_at = clock()
    offline = [{"payload": await qr_text(citizen, day), "validator_id": "BUS-OFF-1", "route": "09",
                "tapped_at": at(second_at), "result": "rejected", "reason": "expired"}]
    clock.advance(60)
    third_at = clock()
    offline.append({"payload": await qr_text(citizen, single), "validator_id": "BUS-OFF-2", "tapped_at": at(third_at)})
    r = await client.post("/v1/transit/validations", json=offline, headers=validator_headers)
    assert r.status_code == 200 and r.json()["recorded"] == 2, r.text
    return {"day": day, "single": single, "times": [first_at, second_at, third_at]}


async def listing(client, headers, **params) -> dict:
    r = await client.get(URL, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


class TestList:
    async def test_newest_first_with_every_field(self, client, operator_headers, taps):
        page = await listing(client, operator_headers)
        items = page["items"]
        assert page["next_cursor"] is None and len(items) == 3
        assert [i["validator_id"] for i in items] == ["BUS-OFF-2", "BUS-OFF-1", "HN-BUS-32-001"]
        newest, rejected, online = items
        assert newest["ticket_id"] == taps["single"] and newest["kind"] == "single_ride"
        assert (newest["source"], newest["result"], newest["reason"], newest["route"]) == ("offline", "accepted", None, None)
        assert (rejected["result"], rejected["reason"], rejected["route"]) == ("rejected", "expired", "09")
        assert (online["ticket_id"], online["source"], online["route"]) == (taps["day"], "online", "32")
        assert datetime.fromisoformat(online["tapped_at"]) == datetime.fromtimestamp(taps["times"][0], UTC)
        assert set(online) == {"id", "ticket_id", "product_code", "kind", "validator_id", "route", "source", "result",
                               "reason", "conflict", "tapped_at", "recorded_at"}

    async def test_cursor_walks_every_tap_once(self, client, operator_headers, taps):
        seen, cursor = [], None
        for _ in range(5):
            page = await listing(client, operator_headers, limit=1, **({"cursor": cursor} if cursor else {}))
            assert len(page["items"]) <= 1
            seen += [i["validator_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["BUS-OFF-2", "BUS-OFF-1", "HN-BUS-32-001"]

    async def test_taps_at_the_same_instant_are_each_listed_once(
        self, client, operator_headers, citizen, buy, qr_text, validator_headers, clock
    ):
        tickets = [(await buy(citizen, "day_pass"))["ticket"]["id"] for _ in range(3)]
        batch = [{"payload": await qr_text(citizen, t), "validator_id": f"BUS-SAME-{n}", "tapped_at": at(clock())}
                 for n, t in enumerate(tickets)]
        r = await client.post("/v1/transit/validations", json=batch, headers=validator_headers)
        assert r.json()["recorded"] == 3, r.text
        seen, cursor = [], None
        for _ in range(5):
            page = await listing(client, operator_headers, limit=2, **({"cursor": cursor} if cursor else {}))
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 3 and seen == sorted(seen, reverse=True)

    async def test_filters(self, client, operator_headers, taps):
        by_ticket = await listing(client, operator_headers, ticket_id=taps["day"])
        assert [i["validator_id"] for i in by_ticket["items"]] == ["BUS-OFF-1", "HN-BUS-32-001"]
        by_validator = await listing(client, operator_headers, validator_id="BUS-OFF-2")
        assert [i["ticket_id"] for i in by_validator["items"]] == [taps["single"]]
        rejected = await listing(client, operator_headers, result="rejected")
        assert [i["reason"] for i in rejected["items"]] == ["expired"]
        first, second, third = taps["times"]
        window = await listing(client, operator_headers, since=at(second), until=at(third))
        assert [i["validator_id"] for i in window["items"]] == ["BUS-OFF-1"]  # since inclusive, until exclusive
        later = await listing(client, operator_headers, since=at(second))
        assert len(later["items"]) == 2
        earlier = await listing(client, operator_headers, until=at(second))
        assert [i["validator_id"] for i in earlier["items"]] == ["HN-BUS-32-001"]
        both = await listing(client, operator_headers, ticket_id=taps["day"], result="accepted")
        assert [i["source"] for i in both["items"]] == ["online"]
        none = await listing(client, operator_headers, ticket_id="0190f3a2-0000-7000-8000-000000000001")
        assert none == {"items": [], "next_cursor": None}

    @pytest.mark.parametrize("params,status,code", [
        ({"cursor": "%%not-a-cursor%%"}, 400, "pagination.invalid_cursor"),
        ({"cursor": "WyJub3QtYS10aW1lIiwieCJd"}, 400, "pagination.invalid_cursor"),  # ["not-a-time","x"]
        ({"limit": 0}, 422, "request.invalid"),
        ({"limit": 101}, 422, "request.invalid"),
        ({"ticket_id": "not-a-uuid"}, 422, "request.invalid"),
        ({"validator_id": "bad id!"}, 422, "request.invalid"),
        ({"result": "maybe"}, 422, "request.invalid"),
        ({"since": "yesterday"}, 422, "request.invalid"),
        ({"since": "2027-01-15T08:00:00"}, 422, "request.invalid"),  # no offset: ambiguous
        ({"since": "2027-01-15T09:00:00Z", "until": "2027-01-15T08:00:00Z"}, 422, "transit.invalid_time_range"),
    ])
    async def test_bad_parameters_are_problems(self, client, operator_headers, products, params, status, code):
        r = await client.get(URL, headers=operator_headers, params=params)
        assert r.status_code == status and r.json()["code"] == code, r.text
        assert r.headers["content-type"].startswith("application/problem+json")


class TestWhoMayList:
    async def test_anonymous_is_401(self, client, products):
        r = await client.get(URL)
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")

    async def test_citizen_and_validator_are_403(self, client, citizen, validator_headers):
        for headers in (citizen.headers, validator_headers):
            r = await client.get(URL, headers=headers)
            assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")

    async def test_admin_may(self, client, factory, taps):
        admin = await factory.account(roles=["admin"])
        page = await listing(client, await factory.headers(admin, ["openid"]))
        assert len(page["items"]) == 3


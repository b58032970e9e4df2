"""Transit fixtures: only the transit mini-app mounted, seeded products, a settable clock,
citizens, validators and operators with their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from miniapps.transit.config import CLOCK_KEY
from miniapps.transit.plugin import miniapp as transit_miniapp
from miniapps.transit.seed import seed
from superapp.db import unit_of_work

START = 1_800_000_000.0  # a fixed instant (2027-01-15T08:00:00Z), on a 30 s step boundary


class Clock:
    def __init__(self, t: float = START) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def miniapps():
    return [transit_miniapp]


@pytest.fixture
def clock(ctx) -> Clock:
    c = Clock()
    ctx.cache[CLOCK_KEY] = c
    return c


@pytest.fixture
async def products(ctx, app) -> None:
    async with unit_of_work(ctx.sessionmaker) as session:
        await seed(ctx, session)


@dataclass
class Citizen:
    account: object
    headers: dict[str, str]


@pytest.fixture
async def citizen(factory, products, clock) -> Citizen:
    account = await factory.account()
    return Citizen(account, await factory.headers(account, ["transit"]))


@pytest.fixture
async def make_citizen(factory, products, clock):
    async def make(*, level: int = 1, birth_date: date | None = None, roles: list[str] | None = None) -> Citizen:
        account = await factory.account(level=level, birth_date=birth_date, roles=roles)
        return Citizen(account, await factory.headers(account, ["transit"]))

    return make


@pytest.fixture
async def validator_headers(factory) -> dict[str, str]:
    c = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
    return await factory.headers(None, ["transit.validate"], client=c)


@pytest.fixture
async def operator_headers(factory) -> dict[str, str]:
    op = await factory.account(roles=["transit_operator"])
    return await factory.headers(op, ["openid"])


@pytest.fixture
def buy(client):
    async def buy(citizen: Citizen, product_code: str = "single_ride", **headers) -> dict:
        r = await client.post(
            "/v1/transit/orders",
            json={"product_code": product_code, "payment_method": "sandbox"},
            headers={**citizen.headers, **headers},
        )
        assert r.status_code == 201, r.text
        return r.json()

    return buy


@pytest.fixture
def qr_text(client):
    async def qr_text(citizen: Citizen, ticket_id: str) -> str:
        r = await client.get(f"/v1/transit/tickets/{ticket_id}/qr", headers=citizen.headers)
        assert r.status_code == 200, r.text
        return r.json()["payload"]

    return qr_text


@pytest.fixture
def validate(client, validator_headers):
    async def validate(payload: str, validator_id: str = "HN-BUS-32-001", route: str | None = "32") -> dict:
        body = {"payload": payload, "validator_id": validator_id}
        if route:
            body["route"] = route
        r = await client.post("/v1/transit/validate", json=body, headers=validator_headers)
        assert r.status_code == 200, r.text
        return r.json()

    return validate

"""Fixtures of the mini-app platform tests: a fixed set of built-in mini-apps, people in each
role, and helpers that walk a web mini-app through its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hanoi_parking.app import miniapp as parking_miniapp
from miniapps.sdk import MiniApp

CITY_GUIDE = MiniApp(
    name="city-guide",
    slug="city-guide",
    title={"vi": "Cẩm nang thành phố", "en": "City guide"},
    description={"vi": "Địa điểm và sự kiện.", "en": "Places and events."},
    category="culture",
    scopes=["openid", "profile"],
)

APP_BODY = {
    "name": {"vi": "Thư viện Hà Nội", "en": "Hanoi Library"},
    "description": {"vi": "Mượn sách trực tuyến.", "en": "Borrow books online."},
    "home_url": "https://library.example.vn/app",
    "redirect_uris": ["https://library.example.vn/callback"],
    "scopes": ["openid", "profile", "offline_access", "notifications"],
    "icon_url": "https://library.example.vn/icon.png",
    "webhook_url": "https://library.example.vn/hooks/superapp",
    "category": "education",
}
CITIZEN_SCOPES = ["openid", "profile", "miniapps"]


@pytest.fixture
def miniapps() -> list[MiniApp]:
    return [parking_miniapp, CITY_GUIDE]


@dataclass
class Person:
    account: object
    headers: dict[str, str]


@pytest.fixture
async def developer(factory) -> Person:
    account = await factory.account(roles=["developer"])
    return Person(account, await factory.headers(account, ["openid"]))


@pytest.fixture
async def other_developer(factory) -> Person:
    account = await factory.account(roles=["developer"])
    return Person(account, await factory.headers(account, ["openid"]))


@pytest.fixture
async def admin(factory) -> Person:
    account = await factory.account(roles=["admin"])
    return Person(account, await factory.headers(account, ["openid"]))


@pytest.fixture
async def citizen(factory) -> Person:
    account = await factory.account()
    return Person(account, await factory.headers(account, CITIZEN_SCOPES))


class Lifecycle:
    """Drives a web mini-app through the public API."""

    def __init__(self, client, developer: Person, admin: Person) -> None:
        self.client, self.developer, self.admin = client, developer, admin

    async def register(self, **overrides) -> dict:
        r = await self.client.post("/v1/developer/miniapps", json={**APP_BODY, **overrides}, headers=self.developer.headers)
        assert r.status_code == 201, r.text
        return r.json()

    async def submit(self, app_id: str) -> dict:
        r = await self.client.post(f"/v1/developer/miniapps/{app_id}/submit", headers=self.developer.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def review(self, app_id: str, decision: str = "approve", reason: str | None = None) -> dict:
        body = {"decision": decision} | ({"reason": reason} if reason else {})
        r = await self.client.post(f"/v1/admin/miniapps/{app_id}/review", json=body, headers=self.admin.headers)
        assert r.status_code == 200, r.text
        return r.json()

    async def publish(self, **overrides) -> dict:
        created = await self.register(**overrides)
        await self.submit(created["id"])
        await self.review(created["id"])
        return created


@pytest.fixture
def lifecycle(client, developer, admin) -> Lifecycle:
    return Lifecycle(client, developer, admin)

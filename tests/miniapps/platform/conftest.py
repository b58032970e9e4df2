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
        r = await self.client.post(
            "/v1/developer/miniapps", json={**APP_BODY, **overrides}, headers=self.developer.headers
        )
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


# --- OAuth helpers: the phone app signs in natively; a mini-app server redeems codes ---------

PASSWORD = "Correct-horse-7"  # tests.factories' default password


@dataclass
class Pkce:
    verifier: str
    challenge: str


def pkce_pair() -> Pkce:
    import base64
    import hashlib
    import secrets

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return Pkce(verifier, challenge)


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def token_endpoint(client) -> str:
    from urllib.parse import urlsplit

    return urlsplit((await client.get("/.well-known/openid-configuration")).json()["token_endpoint"]).path


async def phone_sign_in(
    client, factory, account, scope: str = "openid profile miniapps", client_id: str | None = None
) -> dict[str, str]:
    """The person signs into a first-party app (native login, default: the city's phone app);
    returns their bearer headers."""
    from tests.factories import MOBILE_CLIENT_ID

    if client_id is None:
        await factory.mobile_client()
        client_id = MOBILE_CLIENT_ID
    pkce = pkce_pair()
    config = (await client.get("/.well-known/openid-configuration")).json()
    from urllib.parse import urlsplit

    r = await client.post(
        urlsplit(config["authorization_challenge_endpoint"]).path,
        data={
            "client_id": client_id,
            "username": account.phone,
            "password": PASSWORD,
            "scope": scope,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        },
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        urlsplit(config["token_endpoint"]).path,
        data={
            "grant_type": "authorization_code",
            "client_id": client_id,
            "code": r.json()["authorization_code"],
            "code_verifier": pkce.verifier,
        },
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def redeem(client, app: dict, code: str, verifier: str) -> "object":
    """The mini-app's server redeems a silent-SSO code with its secret and the PKCE verifier."""
    return await client.post(
        await token_endpoint(client),
        data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
        headers=basic_auth(app["client_id"], app["client_secret"]),
    )


async def refresh(client, app: dict, refresh_token: str) -> "object":
    return await client.post(
        await token_endpoint(client),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=basic_auth(app["client_id"], app["client_secret"]),
    )

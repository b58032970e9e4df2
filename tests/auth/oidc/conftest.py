"""Helpers for the provider's tests: PKCE pairs, native sign-in, code redemption."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from tests.factories import MOBILE_CLIENT_ID

PASSWORD = "Correct-horse-7"
CC_SECRET = "s3cret-" + "x" * 40


@dataclass
class Pkce:
    verifier: str
    challenge: str


def pkce_pair() -> Pkce:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return Pkce(verifier, challenge)


def basic(client_id: str, secret: str = CC_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def native_code(
    client: httpx.AsyncClient, username: str, *, pkce: Pkce, scope: str = "openid profile phone", password: str = PASSWORD,
    client_id: str = MOBILE_CLIENT_ID,
) -> httpx.Response:
    return await client.post(
        "/oauth/authorize-challenge",
        data={
            "client_id": client_id,
            "username": username,
            "password": password,
            "scope": scope,
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        },
    )


async def native_tokens(client: httpx.AsyncClient, username: str, scope: str = "openid profile phone") -> dict:
    pkce = pkce_pair()
    r = await native_code(client, username, pkce=pkce, scope=scope)
    assert r.status_code == 200, r.text
    r = await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": MOBILE_CLIENT_ID,
            "code": r.json()["authorization_code"],
            "code_verifier": pkce.verifier,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def mobile(factory):
    return await factory.mobile_client()


@pytest.fixture
async def citizen(factory):
    return await factory.account(email="an@example.vn")


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.buttons: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append({k: v or "" for k, v in attrs})
        elif tag == "button":
            self.buttons.append({k: v or "" for k, v in attrs})


def parse_form(html: str) -> _Forms:
    parser = _Forms()
    parser.feed(html)
    return parser


def hidden_fields(html: str) -> dict[str, str]:
    return {i["name"]: i.get("value", "") for i in parse_form(html).inputs if i.get("type") == "hidden"}


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


class Browser:
    """Drives /oauth/authorize like a browser would (cookies kept by the httpx client)."""

    def __init__(self, http: httpx.AsyncClient, client_id: str, redirect_uri: str) -> None:
        self.http, self.client_id, self.redirect_uri = http, client_id, redirect_uri
        self.pkce = pkce_pair()

    def params(self, **extra) -> dict[str, str]:
        base = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                "scope": "openid profile", "state": "st-123", "nonce": "n-456",
                "code_challenge": self.pkce.challenge, "code_challenge_method": "S256"}
        base.update(extra)
        return {k: v for k, v in base.items() if v is not None}

    async def start(self, **extra) -> httpx.Response:
        return await self.http.get("/oauth/authorize", params=self.params(**extra))

    async def login(self, page: httpx.Response, username: str, password: str = PASSWORD) -> httpx.Response:
        fields = hidden_fields(page.text)
        return await self.http.post("/oauth/authorize", data={**fields, "username": username, "password": password})

    async def decide(self, page: httpx.Response, decision: str) -> httpx.Response:
        return await self.http.post("/oauth/authorize", data={**hidden_fields(page.text), "decision": decision})

    async def redeem(self, location: str, *, auth: dict | None = None, data: dict | None = None) -> httpx.Response:
        form = {"grant_type": "authorization_code", "code": query_of(location)["code"],
                "redirect_uri": self.redirect_uri, "code_verifier": self.pkce.verifier, **(data or {})}
        if auth is None and "client_secret" not in form:
            form["client_id"] = self.client_id
        return await self.http.post("/oauth/token", data=form, headers=auth or {})


@pytest.fixture
def miniapps() -> list:
    """The provider needs no mini-app mounted (faster app start-up per test)."""
    return []

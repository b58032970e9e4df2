"""Fixtures of the security review tests: people in several roles with tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Person:
    account: object
    headers: dict[str, str]


ALL_CITIZEN_SCOPES = ["openid", "profile", "phone", "email", "feedback", "transit", "health.read", "notifications", "miniapps"]


@pytest.fixture
def person(factory):
    async def make(*, roles: list[str] | None = None, level: int = 1, **account) -> Person:
        who = await factory.account(roles=roles, level=level, **account)
        return Person(who, await factory.headers(who, ALL_CITIZEN_SCOPES))

    return make

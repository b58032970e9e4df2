"""Fixtures for the account tests: reading texts from the SMS outbox file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auth.sms import outbox_path


class SmsOutbox:
    """The lines the ``outbox`` SMS backend wrote, as the contract describes them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def messages(self, to: str | None = None) -> list[dict]:
        if not self.path.exists():
            return []
        lines = [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [m for m in lines if to is None or m["to"] == to]

    def last_code(self, to: str) -> str:
        sent = self.messages(to)
        assert sent, f"no text was sent to {to}"
        return sent[-1]["code"]


@pytest.fixture
def sms(settings) -> SmsOutbox:
    return SmsOutbox(outbox_path(settings))


@pytest.fixture
def allow_resend(ctx):
    """Lift the resend wait for one phone and purpose, as if the wait had passed."""

    async def lift(phone: str, purpose: str) -> None:
        await ctx.redis.delete(ctx.rkey("otp-resend", purpose, phone))

    return lift


@pytest.fixture
def registry(ctx):
    """Add a person to the population registry the default adapter reads."""
    from datetime import date

    from auth.accounts.models import RegistryPerson

    async def add(
        national_id: str,
        full_name: str,
        birth_date: date,
        *,
        sex: str = "female",
        district_code: str | None = "005",
        guardians: tuple[str, ...] = (),
    ) -> RegistryPerson:
        person = RegistryPerson(
            national_id=national_id,
            full_name=full_name,
            birth_date=birth_date,
            sex=sex,
            district_code=district_code,
            guardian_national_ids=list(guardians),
        )
        async with ctx.sessionmaker() as session:
            session.add(person)
            await session.commit()
        return person

    return add


@pytest.fixture
def load_account(ctx):
    """Read an account row as committed."""
    from auth.models import Account

    async def load(account_id):
        async with ctx.sessionmaker() as session:
            return await session.get(Account, account_id)

    return load

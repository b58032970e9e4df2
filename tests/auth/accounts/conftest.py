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

"""The notification tests' fake FCM server, answering each push after a short pause, so that a
broadcast to a few thousand devices lasts long enough to crash a worker in the middle of it."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.notifications.fake_fcm import FakeFcm

PUSH_DELAY_SECONDS = 0.25


@dataclass
class SlowFakeFcm(FakeFcm):
    delay_seconds: float = PUSH_DELAY_SECONDS

    async def send(self, request: Request) -> JSONResponse:
        await asyncio.sleep(self.delay_seconds)
        return await super().send(request)

    def accepted_per_token(self) -> Counter:
        """How many pushes were accepted for each device token."""
        with self._lock:
            return Counter(m["token"] for m in self.messages)

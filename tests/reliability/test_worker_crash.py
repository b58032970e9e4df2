"""A worker killed with SIGKILL in the middle of a broadcast, then started again: every
recipient gets the message, and no device gets a second delivery.

The broadcast goes to a few thousand citizens with one device each, through the real
firebase-admin client and a fake FCM server that answers each push after a short pause.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter

import httpx
import pytest
from sqlmodel import func, select

from auth.models import Account
from notifications.models import Broadcast, Delivery, Device, InboxItem
from notifications.push.fcm import MAX_BATCH
from superapp.db import utcnow

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CITIZENS = 3000
FINISH_DEADLINE_SECONDS = 120


async def seed_audience(ctx, district: str, size: int) -> list[str]:
    """``size`` active citizens of ``district``, each with one Android device; their tokens."""
    tokens = []
    async with ctx.sessionmaker() as session:
        now = utcnow()
        for _ in range(size):
            account = Account(status="active", identity_level=1, district_code=district, verified_at=now)
            token = f"fcm-{uuid.uuid4().hex}-" + "a1B2c3D4" * 4
            session.add(account)
            session.add(Device(account_id=account.id, token=token, platform="android", language="vi"))
            tokens.append(token)
        await session.commit()
    return tokens


class TestWorkerKilledMidBroadcast:
    async def test_every_recipient_gets_it_once_per_device_after_a_restart(self, cluster, factory, test_ctx):
        fcm = cluster.fcm
        district = f"REL{uuid.uuid4().hex[:8]}"
        tokens = await seed_audience(test_ctx, district, CITIZENS)
        admin = await factory.account(roles=["admin"])
        headers = await factory.headers(admin, ["openid"])
        fcm.reset()

        async with httpx.AsyncClient(timeout=20) as http:
            r = await http.post(
                cluster.a.url + "/v1/admin/notifications/broadcast",
                json={"audience": f"district:{district}", "category": "broadcast",
                      "title": {"vi": "Cắt nước khu vực", "en": "Water cut in your area"},
                      "body": {"vi": "Từ 8h đến 12h ngày mai.", "en": "From 8 am to noon tomorrow."}},
                headers=headers,
            )
            assert r.status_code == 201, r.text
            broadcast_id = r.json()["id"]

            pushed_at_kill = await _kill_when_pushing(cluster)
            assert 0 < pushed_at_kill < CITIZENS, "the worker was not killed in the middle of the broadcast"
            cluster.worker.start()

            progress = await _wait_until_done(http, cluster.b.url, broadcast_id, headers)
        assert progress["total"] == CITIZENS
        assert progress["sent"] == CITIZENS and progress["failed"] == 0

        async with test_ctx.sessionmaker() as session:
            broadcast = await session.get(Broadcast, uuid.UUID(broadcast_id))
            rows = (
                await session.exec(
                    select(Delivery.token, Delivery.status).where(Delivery.notification_id == broadcast.notification_id)
                )
            ).all()
            inbox = (
                await session.exec(
                    select(func.count(InboxItem.id), func.count(func.distinct(InboxItem.account_id))).where(
                        InboxItem.notification_id == broadcast.notification_id
                    )
                )
            ).one()
        per_token = Counter(token for token, _ in rows)
        assert set(per_token) == set(tokens)
        assert max(per_token.values()) == 1, "a device has two delivery rows"
        assert {status for _, status in rows} == {"sent"}
        assert tuple(inbox) == (CITIZENS, CITIZENS)

        accepted = fcm.accepted_per_token()
        assert set(accepted) == set(tokens), "some device never received the push"
        repeated = sum(n - 1 for n in accepted.values())
        # Pushes FCM accepted in the batch the worker died in, before it could record them,
        # are sent again (documented at-least-once window): never more than one batch.
        assert repeated <= MAX_BATCH, repeated


async def _kill_when_pushing(cluster) -> int:
    """SIGKILL the worker as soon as the first pushes reach FCM; how many had been accepted."""
    deadline = time.monotonic() + FINISH_DEADLINE_SECONDS
    while cluster.fcm.sent_count == 0:
        if time.monotonic() > deadline:
            raise AssertionError("the broadcast never started pushing:\n" + cluster.logs())
        await asyncio.sleep(0.02)
    cluster.worker.kill()
    return cluster.fcm.sent_count


async def _wait_until_done(http: httpx.AsyncClient, base: str, broadcast_id: str, headers: dict) -> dict:
    deadline = time.monotonic() + FINISH_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        r = await http.get(f"{base}/v1/admin/notifications/broadcast/{broadcast_id}", headers=headers)
        assert r.status_code == 200, r.text
        if r.json()["status"] == "done":
            return r.json()
        await asyncio.sleep(0.5)
    raise AssertionError(f"the broadcast did not finish: {r.json()}")

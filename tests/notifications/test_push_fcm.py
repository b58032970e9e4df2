"""Push through the real firebase-admin client against a local fake FCM server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from notifications.models import Delivery, Device
from superapp import outbox
from superapp.db import unit_of_work, utcnow
from superapp.models import OutboxJob
from tests.notifications.conftest import fcm_token


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def deliveries(ctx) -> dict[str, str]:
    async with ctx.sessionmaker() as s:
        return {d.token: d.status for d in (await s.exec(select(Delivery))).all()}


async def device_tokens(ctx) -> set[str]:
    async with ctx.sessionmaker() as s:
        return {d.token for d in (await s.exec(select(Device))).all()}


async def make_due(ctx) -> None:
    """Let jobs waiting out their backoff run now."""
    async with unit_of_work(ctx.sessionmaker) as s:
        await s.execute(
            update(OutboxJob).where(OutboxJob.status == "pending").values(run_after=utcnow() - timedelta(seconds=1))
        )


class TestDelivery:
    async def test_pushes_each_device_in_its_language(self, ctx, fcm, citizen, citizen_headers, register_device, send):
        await register_device(citizen_headers, fcm_token("vi"), "android", language="vi")
        await register_device(citizen_headers, fcm_token("en"), "ios", language="en")
        await send([citizen.id], data={"report_id": "R-1", "count": 2})
        await outbox.drain(ctx)
        by_token = {m["token"]: m for m in fcm.messages}
        assert set(by_token) == {fcm_token("vi"), fcm_token("en")}
        assert by_token[fcm_token("vi")]["notification"]["title"] == "Phản ánh của bạn đã được xử lý"
        assert by_token[fcm_token("en")]["notification"]["title"] == "Your report was resolved"
        assert by_token[fcm_token("en")]["data"]["report_id"] == "R-1"
        assert by_token[fcm_token("en")]["data"]["count"] == "2"
        assert fcm.token_requests >= 1
        assert set((await deliveries(ctx)).values()) == {"sent"}

    async def test_rollback_pushes_nothing(self, ctx, fcm, citizen, citizen_headers, register_device):
        from notifications.api import publish

        await register_device(citizen_headers, fcm_token(1))
        try:
            async with unit_of_work(ctx.sessionmaker) as s:
                await publish(s, recipients=[citizen.id], category="system", title="t", body="b")
                raise LookupError("the caller's own work failed")
        except LookupError:
            pass
        assert await outbox.drain(ctx) == 0
        assert fcm.messages == []

    async def test_push_preference_off_skips_push_but_keeps_inbox(
        self, ctx, fcm, client, citizen, citizen_headers, register_device, send
    ):
        await register_device(citizen_headers, fcm_token(1))
        r = await client.put(
            "/v1/notifications/preferences", json={"system": {"inbox": True, "push": False}}, headers=citizen_headers
        )
        assert r.status_code == 200
        await send([citizen.id])
        await outbox.drain(ctx)
        assert fcm.messages == []
        assert (await client.get("/v1/notifications/unread-count", headers=citizen_headers)).json() == {"count": 1}


class TestTokenCleanup:
    async def test_unregistered_token_is_deleted(self, ctx, fcm, citizen, citizen_headers, register_device, send):
        await register_device(citizen_headers, fcm_token("dead"))
        await register_device(citizen_headers, fcm_token("live"))
        fcm.unregistered.add(fcm_token("dead"))
        await send([citizen.id])
        await outbox.drain(ctx)
        assert await device_tokens(ctx) == {fcm_token("live")}
        assert await deliveries(ctx) == {fcm_token("dead"): "invalid", fcm_token("live"): "sent"}

    async def test_invalid_argument_about_the_token_deletes_it(
        self, ctx, fcm, citizen, citizen_headers, register_device, send
    ):
        await register_device(citizen_headers, fcm_token("bad"))
        fcm.invalid.add(fcm_token("bad"))
        await send([citizen.id])
        await outbox.drain(ctx)
        assert await device_tokens(ctx) == set()
        assert await deliveries(ctx) == {fcm_token("bad"): "invalid"}

    async def test_invalid_argument_about_the_message_keeps_the_token(
        self, ctx, fcm, citizen, citizen_headers, register_device, send
    ):
        await register_device(citizen_headers, fcm_token("ok"))
        fcm.bad_payload.add(fcm_token("ok"))
        await send([citizen.id])
        await outbox.drain(ctx)
        assert await device_tokens(ctx) == {fcm_token("ok")}
        assert await deliveries(ctx) == {fcm_token("ok"): "failed"}


class TestRetry:
    async def test_quota_and_unavailable_are_retried_with_backoff(
        self, ctx, fcm, citizen, citizen_headers, register_device, send
    ):
        await register_device(citizen_headers, fcm_token("busy"))
        await register_device(citizen_headers, fcm_token("calm"))
        fcm.transient[fcm_token("busy")] = [429, 503]
        await send([citizen.id])
        await outbox.drain(ctx)
        async with ctx.sessionmaker() as s:
            job = (await s.exec(select(OutboxJob).where(OutboxJob.kind == "notifications.push"))).one()
        assert job.status == "pending" and job.attempts == 1 and aware(job.run_after) > utcnow()
        assert await deliveries(ctx) == {fcm_token("busy"): "pending", fcm_token("calm"): "sent"}
        assert await outbox.drain(ctx) == 0  # still backing off
        await make_due(ctx)
        await outbox.drain(ctx)
        await make_due(ctx)
        await outbox.drain(ctx)
        assert await deliveries(ctx) == {fcm_token("busy"): "sent", fcm_token("calm"): "sent"}
        assert fcm.attempts[fcm_token("busy")] == 3
        assert fcm.received_tokens().count(fcm_token("calm")) == 1

    async def test_unreachable_server_is_retried(self, ctx, fcm, citizen, citizen_headers, register_device, send):
        await register_device(citizen_headers, fcm_token(1))
        ctx.settings.fcm_endpoint = "http://127.0.0.1:9"  # nothing listens on the discard port
        await send([citizen.id])
        await outbox.drain(ctx)
        assert await deliveries(ctx) == {fcm_token(1): "pending"}
        async with ctx.sessionmaker() as s:
            job = (await s.exec(select(OutboxJob).where(OutboxJob.kind == "notifications.push"))).one()
        assert job.status == "pending" and "retry" in (job.last_error or "")


class TestAtMostOnce:
    async def test_running_a_push_job_again_does_not_push_again(
        self, ctx, fcm, citizen, citizen_headers, register_device, send
    ):
        from notifications.tasks import push

        await register_device(citizen_headers, fcm_token(1))
        result = await send([citizen.id])
        payload = {"notification_id": str(result.notification_ids[0]), "account_ids": [str(citizen.id)]}
        await push(ctx, payload)
        await push(ctx, payload)
        await outbox.drain(ctx)
        assert fcm.received_tokens() == [fcm_token(1)]

    async def test_concurrent_workers_push_each_device_once(self, ctx, fcm, factory, register_device, send):
        import asyncio

        people = [await factory.account() for _ in range(6)]
        for n, person in enumerate(people):
            await register_device(await factory.headers(person, ["notifications"]), fcm_token(n))
        for _ in range(3):
            await send([p.id for p in people])
        await asyncio.gather(outbox.drain(ctx, batch=1), outbox.drain(ctx, batch=1), outbox.drain(ctx, batch=2))
        tokens = fcm.received_tokens()
        assert len(tokens) == 18
        assert all(tokens.count(fcm_token(n)) == 3 for n in range(6))


class TestBatches:
    async def test_send_each_gets_at_most_the_batch_limit(self, ctx, fcm, factory, register_device, send, monkeypatch):
        from notifications.push import fcm as fcm_backend

        sizes: list[int] = []
        real_send_each = fcm_backend.messaging.send_each

        def counting_send_each(messages, *args, **kwargs):
            sizes.append(len(messages))
            return real_send_each(messages, *args, **kwargs)

        monkeypatch.setattr(fcm_backend.messaging, "send_each", counting_send_each)
        monkeypatch.setattr(fcm_backend, "MAX_BATCH", 2)
        person = await factory.account()
        headers = await factory.headers(person, ["notifications"])
        for n in range(5):
            await register_device(headers, fcm_token(n))
        await send([person.id])
        await outbox.drain(ctx)
        assert sizes == [2, 2, 1]
        assert sorted(fcm.received_tokens()) == sorted(fcm_token(n) for n in range(5))

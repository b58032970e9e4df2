"""Admin broadcasts: audience selection, chunked fan-out, progress counters, bad input."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from notifications import broadcast
from notifications.api import publish
from notifications.models import InboxItem, Preference
from superapp import outbox
from superapp.db import unit_of_work
from superapp.models import AuditEntry, OutboxJob
from tests.notifications.conftest import fcm_token

BROADCAST = {"title": {"vi": "Cắt nước", "en": "Water cut"}, "body": "Thứ Bảy 8h–12h", "category": "broadcast"}


@pytest.fixture
async def admin_headers(factory):
    admin = await factory.account(roles=["admin"], district_code="ADMIN")
    return await factory.headers(admin, ["openid"])


async def inbox_accounts(ctx) -> set:
    async with ctx.sessionmaker() as s:
        return set((await s.exec(select(InboxItem.account_id))).all())


async def progress(client, headers, broadcast_id) -> dict:
    r = await client.get(f"/v1/admin/notifications/broadcast/{broadcast_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestAudience:
    async def test_district_broadcast_reaches_only_that_district(self, ctx, client, factory, admin_headers):
        hk = [await factory.account(district_code="HK") for _ in range(3)]
        elsewhere = await factory.account(district_code="BD")
        await factory.account(district_code="HK", status="disabled")
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:HK"}, headers=admin_headers
        )
        assert r.status_code == 201, r.text
        bid = r.json()["id"]
        assert (await progress(client, admin_headers, bid))["status"] == "queued"
        await outbox.drain(ctx)
        p = await progress(client, admin_headers, bid)
        assert (p["status"], p["total"], p["sent"], p["failed"]) == ("done", 3, 3, 0)
        assert await inbox_accounts(ctx) == {a.id for a in hk}
        assert elsewhere.id not in await inbox_accounts(ctx)

    async def test_all_reaches_every_active_citizen(self, ctx, client, factory, admin_headers):
        people = [await factory.account(district_code=d) for d in ("HK", "BD", None)]
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "all"}, headers=admin_headers
        )
        await outbox.drain(ctx)
        p = await progress(client, admin_headers, r.json()["id"])
        assert p["total"] == 4 and p["sent"] == 4  # the three citizens and the admin
        assert {a.id for a in people} <= await inbox_accounts(ctx)

    async def test_is_audited(self, ctx, client, admin_headers):
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "all"}, headers=admin_headers
        )
        async with ctx.sessionmaker() as s:
            entry = (await s.exec(select(AuditEntry).where(AuditEntry.action == "notifications.broadcast"))).one()
        assert entry.target_id == r.json()["id"] and entry.detail["audience"] == "all"


class TestProgress:
    async def test_counters_advance_chunk_by_chunk(self, ctx, client, factory, admin_headers, monkeypatch):
        monkeypatch.setattr(broadcast, "CHUNK_SIZE", 2)
        for _ in range(5):
            await factory.account(district_code="TH")
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:TH"}, headers=admin_headers
        )
        bid = r.json()["id"]
        await outbox.drain(ctx, batch=1, max_rounds=2)  # the plan, then the first chunk
        p = await progress(client, admin_headers, bid)
        assert (p["status"], p["total"], p["sent"]) == ("sending", 5, 2)
        async with ctx.sessionmaker() as s:
            chunk_jobs = (
                await s.exec(select(func.count()).select_from(OutboxJob).where(OutboxJob.kind == broadcast.CHUNK_JOB))
            ).one()
        assert chunk_jobs == 3
        await outbox.drain(ctx)
        p = await progress(client, admin_headers, bid)
        assert (p["status"], p["total"], p["sent"], p["failed"]) == ("done", 5, 5, 0)
        assert p["finished_at"] is not None

    async def test_unreachable_citizens_count_as_failed(
        self, ctx, client, factory, admin_headers, fcm, register_device
    ):
        reachable = await factory.account(district_code="LB")
        silent = await factory.account(district_code="LB")
        async with unit_of_work(ctx.sessionmaker) as s:
            s.add(Preference(account_id=silent.id, category="broadcast", inbox=False, push=True))
        await register_device(await factory.headers(silent, ["notifications"]), fcm_token("gone"))
        await register_device(await factory.headers(reachable, ["notifications"]), fcm_token("here"))
        fcm.unregistered.add(fcm_token("gone"))
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:LB"}, headers=admin_headers
        )
        await outbox.drain(ctx)
        p = await progress(client, admin_headers, r.json()["id"])
        assert (p["total"], p["sent"], p["failed"]) == (2, 1, 1)
        assert fcm.received_tokens() == [fcm_token("here")]

    async def test_a_chunk_that_runs_again_counts_once(self, ctx, client, factory, admin_headers, fcm, register_device):
        person = await factory.account(district_code="CG")
        await register_device(await factory.headers(person, ["notifications"]), fcm_token(1))
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:CG"}, headers=admin_headers
        )
        await outbox.drain(ctx)
        bid = r.json()["id"]
        import uuid

        await broadcast.run_chunk(ctx, uuid.UUID(bid), 0)
        p = await progress(client, admin_headers, bid)
        assert (p["total"], p["sent"]) == (1, 1)
        assert fcm.received_tokens() == [fcm_token(1)]
        assert len(await inbox_accounts(ctx)) == 1

    async def test_parallel_workers_fan_out_each_chunk_once(self, ctx, client, factory, admin_headers, monkeypatch):
        import asyncio

        monkeypatch.setattr(broadcast, "CHUNK_SIZE", 2)
        people = [await factory.account(district_code="PW") for _ in range(7)]
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:PW"}, headers=admin_headers
        )
        await asyncio.gather(*(outbox.drain(ctx, batch=1) for _ in range(3)))
        p = await progress(client, admin_headers, r.json()["id"])
        assert (p["status"], p["total"], p["sent"], p["failed"]) == ("done", 7, 7, 0)
        async with ctx.sessionmaker() as s:
            rows = (await s.exec(select(InboxItem.account_id))).all()
        assert sorted(rows) == sorted(a.id for a in people)

    async def test_empty_audience_is_done_at_once(self, ctx, client, admin_headers):
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "district:NONE"}, headers=admin_headers
        )
        await outbox.drain(ctx)
        p = await progress(client, admin_headers, r.json()["id"])
        assert (p["status"], p["total"], p["sent"]) == ("done", 0, 0)


class TestPythonApi:
    async def test_audience_starts_a_broadcast(self, ctx, factory):
        person = await factory.account(district_code="HD")
        async with unit_of_work(ctx.sessionmaker) as s:
            result = await publish(
                s,
                audience="district:HD",
                category="broadcast",
                title="t",
                body="b",
                source="transit",
                idempotency_key="line-7-detour",
            )
        async with unit_of_work(ctx.sessionmaker) as s:
            again = await publish(
                s,
                audience="district:HD",
                category="broadcast",
                title="t",
                body="b",
                source="transit",
                idempotency_key="line-7-detour",
            )
        assert again.duplicate and again.broadcast_id == result.broadcast_id
        await outbox.drain(ctx)
        assert await inbox_accounts(ctx) == {person.id}


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"audience": "everyone"}, "notifications.invalid_audience"),
            ({"audience": "district:"}, "notifications.invalid_audience"),
            ({"category": "nope"}, "notifications.unknown_category"),
            ({"title": "x" * 201}, "notifications.title_too_long"),
        ],
    )
    async def test_refused(self, client, admin_headers, change, code):
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "all", **change}, headers=admin_headers
        )
        assert r.status_code == 422 and r.json()["code"] == code

    async def test_citizen_cannot_broadcast(self, client, factory, citizen):
        headers = await factory.headers(citizen, ["openid", "notifications"])
        r = await client.post(
            "/v1/admin/notifications/broadcast", json={**BROADCAST, "audience": "all"}, headers=headers
        )
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_role"
        r = await client.get(f"/v1/admin/notifications/broadcast/{citizen.id}", headers=headers)
        assert r.status_code == 403

    async def test_unknown_broadcast_is_404(self, client, admin_headers, citizen):
        r = await client.get(f"/v1/admin/notifications/broadcast/{citizen.id}", headers=admin_headers)
        assert r.status_code == 404 and r.json()["code"] == "notifications.broadcast_not_found"

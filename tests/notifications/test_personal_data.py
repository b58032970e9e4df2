"""The module's ``export`` and ``erase`` hooks."""

from __future__ import annotations

from sqlmodel import func, select

from notifications.models import Delivery, Device, InboxItem, Notification, Preference
from notifications.module import module
from superapp import outbox
from superapp.db import unit_of_work
from tests.notifications.conftest import fcm_token


async def seed(ctx, client, citizen, citizen_headers, register_device, send):
    await register_device(citizen_headers, fcm_token(1))
    await client.put(
        "/v1/notifications/preferences", json={"broadcast": {"inbox": True, "push": False}}, headers=citizen_headers
    )
    await send([citizen.id], title={"vi": "Chào", "en": "Hi"})
    await outbox.drain(ctx)


class TestExport:
    async def test_exports_inbox_devices_and_preferences(
        self, ctx, client, citizen, citizen_headers, register_device, send
    ):
        await seed(ctx, client, citizen, citizen_headers, register_device, send)
        async with ctx.sessionmaker() as s:
            data = await module.export(ctx, s, citizen.id)
        assert [i["title"] for i in data["inbox"]] == [{"vi": "Chào", "en": "Hi"}]
        assert data["devices"][0]["platform"] == "android" and "token" not in data["devices"][0]
        assert data["preferences"] == {"broadcast": {"inbox": True, "push": False}}


class TestErase:
    async def test_erases_only_that_citizens_data(
        self, ctx, client, factory, citizen, citizen_headers, register_device, send
    ):
        await seed(ctx, client, citizen, citizen_headers, register_device, send)
        other = await factory.account()
        await send([other.id])
        async with unit_of_work(ctx.sessionmaker) as s:
            await module.erase(ctx, s, citizen.id)
        async with ctx.sessionmaker() as s:
            for model in (InboxItem, Device, Preference, Delivery):
                left = (
                    await s.exec(select(func.count()).select_from(model).where(model.account_id == citizen.id))
                ).one()
                assert left == 0, model.__name__
            assert (await s.exec(select(func.count()).select_from(InboxItem))).one() == 1
            assert (await s.exec(select(func.count()).select_from(Notification))).one() == 2

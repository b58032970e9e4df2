"""Devices (push tokens), preferences per category and channel, categories from modules."""

from __future__ import annotations

import logging

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlmodel import select

from miniapps.sdk import Module, NotificationCategory
from notifications.models import Delivery, Device
from superapp import outbox, plugins
from superapp.app import create_app
from tests.notifications.conftest import fcm_token


async def devices(ctx) -> list[Device]:
    async with ctx.sessionmaker() as s:
        return list((await s.exec(select(Device))).all())


class TestDevices:
    async def test_register_and_refresh(self, ctx, client, citizen, citizen_headers):
        r = await client.post(
            "/v1/devices",
            json={"token": fcm_token(1), "platform": "ios"},
            headers={**citizen_headers, "Accept-Language": "en"},
        )
        assert r.status_code == 201 and r.json()["platform"] == "ios" and r.json()["language"] == "en"
        r = await client.post(
            "/v1/devices", json={"token": fcm_token(1), "platform": "ios", "language": "vi"}, headers=citizen_headers
        )
        assert r.status_code == 200 and r.json()["language"] == "vi"
        assert [(d.account_id, d.language) for d in await devices(ctx)] == [(citizen.id, "vi")]

    async def test_token_moves_to_the_account_that_registers_it(
        self, ctx, client, factory, citizen_headers, register_device
    ):
        await register_device(citizen_headers, fcm_token(1))
        newcomer = await factory.account()
        await register_device(await factory.headers(newcomer, ["notifications"]), fcm_token(1))
        assert [d.account_id for d in await devices(ctx)] == [newcomer.id]

    @pytest.mark.parametrize(
        ("body", "code"),
        [
            ({"token": "short", "platform": "android"}, "notifications.invalid_device_token"),
            ({"token": "has spaces " * 5, "platform": "android"}, "notifications.invalid_device_token"),
            ({"token": fcm_token(1), "platform": "blackberry"}, "request.invalid"),
            ({"token": "x" * 5000, "platform": "web"}, "request.invalid"),
            ({"platform": "web"}, "request.invalid"),
        ],
    )
    async def test_bad_registration_is_refused(self, client, citizen_headers, body, code):
        r = await client.post("/v1/devices", json=body, headers=citizen_headers)
        assert r.status_code == 422 and r.json()["code"] == code

    async def test_delete_only_own_device(self, ctx, client, factory, citizen_headers, register_device):
        await register_device(citizen_headers, fcm_token(1))
        stranger = await factory.headers(await factory.account(), ["notifications"])
        assert (await client.delete(f"/v1/devices/{fcm_token(1)}", headers=stranger)).status_code == 404
        assert (await client.delete(f"/v1/devices/{fcm_token(1)}", headers=citizen_headers)).status_code == 204
        assert await devices(ctx) == []
        r = await client.delete(f"/v1/devices/{fcm_token(1)}", headers=citizen_headers)
        assert r.status_code == 404 and r.json()["code"] == "notifications.device_not_found"


class TestPreferences:
    async def test_defaults_list_every_category(self, client, citizen_headers):
        r = await client.get("/v1/notifications/preferences", headers={**citizen_headers, "Accept-Language": "en"})
        prefs = r.json()
        assert prefs["system"] == {"inbox": True, "push": True, "name": "System notices", "critical": False}
        assert prefs["account.security"]["critical"] is True

    async def test_put_changes_only_named_categories(self, client, citizen_headers):
        r = await client.put(
            "/v1/notifications/preferences", json={"broadcast": {"inbox": True, "push": False}}, headers=citizen_headers
        )
        assert r.status_code == 200
        assert r.json()["broadcast"]["push"] is False and r.json()["system"]["push"] is True
        again = (await client.get("/v1/notifications/preferences", headers=citizen_headers)).json()
        assert again["broadcast"] == r.json()["broadcast"]

    async def test_critical_categories_stay_on(self, client, citizen_headers):
        r = await client.put(
            "/v1/notifications/preferences",
            json={"account.security": {"inbox": False, "push": False}},
            headers=citizen_headers,
        )
        assert r.json()["account.security"] == {
            "inbox": True,
            "push": True,
            "name": r.json()["account.security"]["name"],
            "critical": True,
        }

    async def test_inbox_off_keeps_push(self, ctx, client, citizen, citizen_headers, register_device, send):
        await register_device(citizen_headers, fcm_token(1))
        await client.put(
            "/v1/notifications/preferences", json={"system": {"inbox": False, "push": True}}, headers=citizen_headers
        )
        await send([citizen.id])
        await outbox.drain(ctx)
        assert (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"] == []
        async with ctx.sessionmaker() as s:
            assert [d.status for d in (await s.exec(select(Delivery))).all()] == ["sent"]

    @pytest.mark.parametrize(
        "body", [{"nope": {"inbox": True, "push": True}}, {"system": {"inbox": "maybe", "push": True}}, {"system": {}}]
    )
    async def test_bad_preferences_are_refused(self, client, citizen_headers, body):
        r = await client.put("/v1/notifications/preferences", json=body, headers=citizen_headers)
        assert r.status_code == 422


class TestCategories:
    async def test_a_modules_categories_are_accepted(self, ctx, factory):
        citytest = Module(
            name="citytest",
            notification_categories=[
                NotificationCategory("citytest.reminder", {"vi": "Nhắc việc thử nghiệm", "en": "Test reminder"})
            ],
        )
        modules = [*plugins.load_core_modules(), citytest]
        app = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
        async with LifespanManager(app):
            account = await factory.account()
            headers = await factory.headers(account, ["notifications"])
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
                prefs = (await c.get("/v1/notifications/preferences", headers=headers)).json()
        assert prefs["citytest.reminder"]["name"] == "Nhắc việc thử nghiệm"


class TestLogBackend:
    async def test_log_backend_counts_pushes_as_sent(
        self, ctx, citizen, citizen_headers, register_device, send, caplog
    ):
        assert ctx.settings.push_backend == "log"
        await register_device(citizen_headers, fcm_token(1))
        await send([citizen.id])
        with caplog.at_level(logging.INFO, logger="notifications.push"):
            await outbox.drain(ctx)
        assert "1 message(s) written to the log" in caplog.text
        async with ctx.sessionmaker() as s:
            assert [d.status for d in (await s.exec(select(Delivery))).all()] == ["sent"]

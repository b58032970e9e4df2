"""Signed webhooks to mini-app servers: consent withdrawn, account erased; retries."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from auth.pairwise import pairwise_sub
from miniapps.platform import webhooks
from miniapps.platform.privacy import erase
from superapp import outbox
from superapp.models import OutboxJob
from tests.miniapps.platform.test_sso import consent

HOOK = "https://library.example.vn/hooks/superapp"


async def jobs(ctx) -> list[OutboxJob]:
    async with ctx.sessionmaker() as s:
        return list(await s.exec(select(OutboxJob).where(OutboxJob.kind == webhooks.JOB_KIND).order_by(OutboxJob.id)))


def expected_sub(ctx, app, account) -> str:
    return pairwise_sub(ctx.settings.secrets["pairwise_secret"], f"miniapp:{app['id']}", account.id)


class TestConsentRevoked:
    async def test_signed_event_names_the_pairwise_sub(self, lifecycle, client, ctx, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await client.delete(f"/v1/me/consents/{app['client_id']}", headers=citizen.headers)
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(HOOK).mock(return_value=httpx.Response(204))
            assert await outbox.drain(ctx) >= 1
        request = route.calls.last.request
        event = Webhook(app["webhook_secret"]).verify(request.content, dict(request.headers))
        assert event["type"] == "consent.revoked"
        assert event["data"] == {"client_id": app["client_id"], "sub": expected_sub(ctx, app, citizen.account)}
        assert request.headers["webhook-id"] == event["id"]
        assert [j.status for j in await jobs(ctx)] == ["done"]

    async def test_signature_does_not_verify_with_another_secret(self, lifecycle, client, ctx, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await client.delete(f"/v1/me/consents/{app['client_id']}", headers=citizen.headers)
        with respx.mock() as mock:
            route = mock.post(HOOK).mock(return_value=httpx.Response(200))
            await outbox.drain(ctx)
        request = route.calls.last.request
        other = (await lifecycle.register())["webhook_secret"]
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(request.content, dict(request.headers))

    async def test_no_webhook_url_no_job(self, lifecycle, client, ctx, citizen):
        app = await lifecycle.publish(webhook_url=None)
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await client.delete(f"/v1/me/consents/{app['client_id']}", headers=citizen.headers)
        assert await jobs(ctx) == []


class TestDelivery:
    async def enqueue_one(self, lifecycle, client, ctx, citizen) -> dict:
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await client.delete(f"/v1/me/consents/{app['client_id']}", headers=citizen.headers)
        return app

    async def test_server_error_is_retried_later(self, lifecycle, client, ctx, citizen):
        await self.enqueue_one(lifecycle, client, ctx, citizen)
        with respx.mock() as mock:
            route = mock.post(HOOK).mock(return_value=httpx.Response(503))
            await outbox.drain(ctx)
        assert route.call_count == 1
        [job] = await jobs(ctx)
        assert job.status == "pending" and job.attempts == 1 and "503" in job.last_error

    async def test_network_failure_is_retried_later(self, lifecycle, client, ctx, citizen):
        await self.enqueue_one(lifecycle, client, ctx, citizen)
        with respx.mock() as mock:
            mock.post(HOOK).mock(side_effect=httpx.ConnectError("refused"))
            await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "pending" and job.attempts == 1

    async def test_gone_stops_retrying(self, lifecycle, client, ctx, citizen):
        await self.enqueue_one(lifecycle, client, ctx, citizen)
        with respx.mock() as mock:
            mock.post(HOOK).mock(return_value=httpx.Response(410))
            await outbox.drain(ctx)
        [job] = await jobs(ctx)
        assert job.status == "dead"

    async def test_retry_after_failure_delivers_the_same_event(self, lifecycle, client, ctx, citizen):
        app = await self.enqueue_one(lifecycle, client, ctx, citizen)
        [job] = await jobs(ctx)
        with respx.mock() as mock:
            route = mock.post(HOOK).mock(side_effect=[httpx.Response(500), httpx.Response(200)])
            with pytest.raises(webhooks.WebhookRejected):
                await webhooks.deliver(ctx, job.payload)
            await webhooks.deliver(ctx, job.payload)
        ids = [c.request.headers["webhook-id"] for c in route.calls]
        assert len(ids) == 2 and ids[0] == ids[1] == job.payload["event"]["id"]
        assert Webhook(app["webhook_secret"]).verify(
            route.calls[1].request.content, dict(route.calls[1].request.headers)
        )


class TestAccountDeleted:
    async def test_every_app_that_knew_the_citizen_is_told(self, lifecycle, client, ctx, citizen):
        consented, silent_app, stranger = (
            await lifecycle.publish(),
            await lifecycle.publish(),
            await lifecycle.publish(),
        )
        await consent(client, citizen.headers, consented["client_id"], ["openid"])
        await consent(client, citizen.headers, silent_app["client_id"], ["openid"])
        await client.delete(f"/v1/me/consents/{silent_app['client_id']}", headers=citizen.headers)
        async with ctx.sessionmaker() as s:
            before = len(await jobs(ctx))
            await erase(ctx, s, citizen.account.id)
            await s.commit()
        new = (await jobs(ctx))[before:]
        events = {j.payload["app_id"]: j.payload["event"] for j in new}
        assert set(events) == {consented["id"]}
        event = events[consented["id"]]
        assert event["type"] == "account.deleted" and event["data"]["sub"] == expected_sub(
            ctx, consented, citizen.account
        )
        assert stranger["id"] not in events

    async def test_apps_that_received_a_sub_are_told_even_without_consent(self, lifecycle, client, ctx, citizen):
        from tests.miniapps.platform.test_consents import app_tokens

        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        await app_tokens(client, app, citizen.headers, "openid")  # the app learnt the citizen's sub
        await client.delete(f"/v1/me/consents/{app['client_id']}", headers=citizen.headers)
        async with ctx.sessionmaker() as s:
            await erase(ctx, s, citizen.account.id)
            await s.commit()
        kinds = [j.payload["event"]["type"] for j in await jobs(ctx)]
        assert kinds == ["consent.revoked", "account.deleted"]

    async def test_erasing_the_account_delivers_the_event(self, lifecycle, client, ctx, citizen):
        app = await lifecycle.publish()
        await consent(client, citizen.headers, app["client_id"], ["openid"])
        assert (await client.delete("/v1/me", headers=citizen.headers)).status_code == 204
        with respx.mock() as mock:
            route = mock.post(HOOK).mock(return_value=httpx.Response(200))
            await outbox.drain(ctx)
        body = json.loads(route.calls.last.request.content)
        assert body["type"] == "account.deleted"
        assert body["data"]["sub"] == expected_sub(ctx, app, citizen.account)

"""``POST /v1/notifications/publish``: mini-app servers, pairwise subs, consent, rate limits."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from auth.models import Consent
from auth.pairwise import subject_for
from notifications import publish_endpoints
from notifications.models import InboxItem
from superapp.db import unit_of_work, utcnow

MESSAGE = {"category": "miniapp", "title": {"vi": "Đơn hàng đã giao", "en": "Order delivered"}, "body": "Cảm ơn!"}


@pytest.fixture
async def app_client(factory):
    return await factory.client(
        scopes=["notifications.publish", "notifications", "openid"],
        grant_types=["client_credentials", "authorization_code"],
    )


@pytest.fixture
async def app_headers(factory, app_client):
    return await factory.headers(None, ["notifications.publish"], client=app_client)


@pytest.fixture
def sub_for(ctx, app_client):
    async def _sub(account) -> str:
        async with unit_of_work(ctx.sessionmaker) as s:
            return await subject_for(s, ctx.settings.secrets["pairwise_secret"], app_client, account.id)

    return _sub


@pytest.fixture
def consent(ctx, app_client):
    async def _consent(account, scopes=("openid", "notifications"), revoked=False):
        async with unit_of_work(ctx.sessionmaker) as s:
            s.add(
                Consent(
                    account_id=account.id,
                    client_id=app_client.client_id,
                    scopes=list(scopes),
                    revoked_at=utcnow() if revoked else None,
                )
            )

    return _consent


async def inbox_count(ctx, account) -> int:
    async with ctx.sessionmaker() as s:
        return (
            await s.exec(select(func.count()).select_from(InboxItem).where(InboxItem.account_id == account.id))
        ).one()


class TestConsent:
    async def test_consenting_citizen_is_notified(
        self, client, app_client, app_headers, citizen, citizen_headers, sub_for, consent
    ):
        await consent(citizen)
        sub = await sub_for(citizen)
        r = await client.post("/v1/notifications/publish", json={**MESSAGE, "recipients": [sub]}, headers=app_headers)
        assert r.status_code == 201, r.text
        assert r.json()["accepted"] == 1 and r.json()["refused"] == [] and r.json()["id"]
        item = (await client.get("/v1/notifications", headers={**citizen_headers, "Accept-Language": "en"})).json()[
            "items"
        ][0]
        assert item["title"] == "Order delivered" and item["source"] == f"miniapp:{app_client.client_id}"

    @pytest.mark.parametrize("grant", ["none", "other_scopes", "revoked"])
    async def test_without_notifications_consent_is_refused(
        self, ctx, client, app_headers, citizen, sub_for, consent, grant
    ):
        if grant == "other_scopes":
            await consent(citizen, scopes=("openid", "profile"))
        elif grant == "revoked":
            await consent(citizen, revoked=True)
        sub = await sub_for(citizen)
        r = await client.post("/v1/notifications/publish", json={**MESSAGE, "recipients": [sub]}, headers=app_headers)
        assert r.status_code == 201
        assert r.json() == {"id": None, "accepted": 0, "refused": [{"recipient": sub, "reason": "no_consent"}]}
        assert await inbox_count(ctx, citizen) == 0

    async def test_mixed_recipients_are_listed_not_dropped(
        self, ctx, client, factory, app_headers, citizen, sub_for, consent
    ):
        stranger = await factory.account()
        await consent(citizen)
        subs = [await sub_for(citizen), await sub_for(stranger), "no-such-sub"]
        r = await client.post("/v1/notifications/publish", json={**MESSAGE, "recipients": subs}, headers=app_headers)
        body = r.json()
        assert body["accepted"] == 1
        assert sorted(body["refused"], key=lambda x: x["recipient"]) == sorted(
            [
                {"recipient": subs[1], "reason": "no_consent"},
                {"recipient": "no-such-sub", "reason": "unknown_recipient"},
            ],
            key=lambda x: x["recipient"],
        )

    async def test_account_id_is_not_a_valid_recipient_for_a_third_party(self, client, app_headers, citizen, consent):
        await consent(citizen)
        r = await client.post(
            "/v1/notifications/publish", json={**MESSAGE, "recipients": [str(citizen.id)]}, headers=app_headers
        )
        assert r.json()["refused"] == [{"recipient": str(citizen.id), "reason": "unknown_recipient"}]


class TestCaller:
    async def test_citizen_token_cannot_publish(self, client, factory, citizen, app_client):
        headers = await factory.headers(citizen, ["notifications.publish"], client=app_client)
        r = await client.post("/v1/notifications/publish", json={**MESSAGE, "recipients": ["x"]}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "notifications.client_required"

    async def test_scope_is_required(self, client, factory, app_client):
        headers = await factory.headers(None, ["openid"], client=app_client)
        r = await client.post("/v1/notifications/publish", json={**MESSAGE, "recipients": ["x"]}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"

    async def test_rate_limited_per_app(self, client, app_headers, monkeypatch):
        monkeypatch.setattr(publish_endpoints, "PUBLISH_RATE", "2/minute")
        codes = [
            (
                await client.post(
                    "/v1/notifications/publish", json={**MESSAGE, "recipients": ["x"]}, headers=app_headers
                )
            ).status_code
            for _ in range(3)
        ]
        assert codes == [201, 201, 429]


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"title": "t" * 201}, "notifications.title_too_long"),
            ({"body": "b" * 2001}, "notifications.body_too_long"),
            ({"data": {"blob": "z" * 5000}}, "notifications.data_too_large"),
            ({"category": "no.such.category"}, "notifications.unknown_category"),
            ({"recipients": [f"s{n}" for n in range(501)]}, "request.invalid"),
            ({"recipients": []}, "request.invalid"),
            ({"title": ""}, "notifications.empty_text"),
        ],
    )
    async def test_refused_with_a_clear_code(self, client, app_headers, change, code):
        r = await client.post(
            "/v1/notifications/publish", json={**MESSAGE, "recipients": ["x"], **change}, headers=app_headers
        )
        assert r.status_code == 422 and r.json()["code"] == code

    async def test_critical_category_is_not_for_mini_apps(self, client, app_headers):
        r = await client.post(
            "/v1/notifications/publish",
            json={**MESSAGE, "category": "account.security", "recipients": ["x"]},
            headers=app_headers,
        )
        assert r.status_code == 403 and r.json()["code"] == "notifications.category_not_allowed"

    async def test_same_idempotency_key_publishes_once(self, ctx, client, app_headers, citizen, sub_for, consent):
        await consent(citizen)
        body = {**MESSAGE, "recipients": [await sub_for(citizen)]}
        headers = {**app_headers, "Idempotency-Key": "order-42-delivered"}
        first = await client.post("/v1/notifications/publish", json=body, headers=headers)
        again = await client.post("/v1/notifications/publish", json=body, headers=headers)
        assert again.status_code == first.status_code == 201 and again.json() == first.json()
        assert await inbox_count(ctx, citizen) == 1
        other = await client.post("/v1/notifications/publish", json={**body, "title": "changed"}, headers=headers)
        assert other.status_code == 422

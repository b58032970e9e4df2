"""Two API processes and one worker on one PostgreSQL and one Redis behave as one service.

Every request below goes over HTTP to real ``superapp serve --no-workers`` processes (A and B);
after-commit work is done by a separate ``superapp worker``.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
from sqlmodel import func, select

from auth.oidc.oauth_http import TOKEN_PATH
from auth.oidc.throttle import PER_ACCOUNT
from miniapps.transit.models import TransitTicket, TransitValidation
from miniapps.transit.seed import seed as seed_transit
from superapp.db import unit_of_work
from tests.reliability.sign_in import native_code, pkce_pair

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
SSE_WAIT_SECONDS = 20


class TestStartingTogether:
    async def test_processes_started_at_once_on_a_fresh_database_agree_on_one_set_of_keys(self, cluster, test_ctx):
        from auth.models import SigningKey
        from miniapps.transit.models import TransitSigningKey

        async with test_ctx.sessionmaker() as session:
            for table in (SigningKey, TransitSigningKey):
                states = (await session.exec(select(table.state).where(table.state.in_(["active", "next"])))).all()
                assert sorted(states) == ["active", "next"], table.__tablename__


class TestSignInAcrossProcesses:
    async def test_code_from_a_is_redeemed_on_a_and_its_refresh_token_rotates_on_b(self, cluster, factory):
        from tests.factories import MOBILE_CLIENT_ID

        await factory.mobile_client()
        citizen = await factory.account()
        verifier, challenge = pkce_pair()
        async with httpx.AsyncClient(timeout=20) as http:
            r = await native_code(http, cluster.a.url, citizen.phone, challenge)
            assert r.status_code == 200, r.text
            code = r.json()["authorization_code"]
            r = await http.post(
                cluster.a.url + TOKEN_PATH,
                data={"grant_type": "authorization_code", "code": code, "client_id": MOBILE_CLIENT_ID,
                      "code_verifier": verifier},
            )
            assert r.status_code == 200, r.text
            first = r.json()

            r = await http.post(
                cluster.b.url + TOKEN_PATH,
                data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
                      "client_id": MOBILE_CLIENT_ID},
            )
            assert r.status_code == 200, r.text
            second = r.json()
            assert second["refresh_token"] != first["refresh_token"]

            me = await http.get(cluster.a.url + "/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"})
            assert me.status_code == 200 and me.json()["id"] == str(citizen.id)

    async def test_a_refresh_token_used_on_b_is_refused_on_a_and_the_family_revoked(self, cluster, factory):
        from tests.factories import MOBILE_CLIENT_ID

        await factory.mobile_client()
        citizen = await factory.account()
        verifier, challenge = pkce_pair()
        async with httpx.AsyncClient(timeout=20) as http:
            code = (await native_code(http, cluster.a.url, citizen.phone, challenge)).json()["authorization_code"]
            first = (
                await http.post(
                    cluster.a.url + TOKEN_PATH,
                    data={"grant_type": "authorization_code", "code": code, "client_id": MOBILE_CLIENT_ID,
                          "code_verifier": verifier},
                )
            ).json()
            refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "client_id": MOBILE_CLIENT_ID}
            rotated = await http.post(cluster.b.url + TOKEN_PATH, data=refresh)
            assert rotated.status_code == 200
            reused = await http.post(cluster.a.url + TOKEN_PATH, data=refresh)
            assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
            newest = {**refresh, "refresh_token": rotated.json()["refresh_token"]}
            after = await http.post(cluster.b.url + TOKEN_PATH, data=newest)
            assert after.status_code == 400 and after.json()["error"] == "invalid_grant"


class TestSharedRateLimits:
    async def test_failed_sign_ins_on_a_lock_the_account_on_b(self, cluster, factory):
        await factory.mobile_client()
        citizen = await factory.account()
        limit = int(PER_ACCOUNT.split("/")[0])
        async with httpx.AsyncClient(timeout=20) as http:
            for _ in range(limit):
                _, challenge = pkce_pair()
                r = await native_code(http, cluster.a.url, citizen.phone, challenge, password="wrong-password-1")
                assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
            _, challenge = pkce_pair()
            r = await native_code(http, cluster.b.url, citizen.phone, challenge)
        assert r.status_code == 429, r.text
        assert r.json()["error"] == "slow_down"
        assert "retry-after" in r.headers


class TestSingleRideAcrossProcesses:
    RIDES = 6

    async def test_one_ride_scanned_on_a_and_b_at_once_is_accepted_once(self, cluster, factory, test_ctx):
        async with unit_of_work(test_ctx.sessionmaker) as session:
            await seed_transit(test_ctx, session)
        citizen = await factory.account()
        rider = await factory.headers(citizen, ["transit"])
        validator_client = await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"])
        validator = await factory.headers(None, ["transit.validate"], client=validator_client)

        async with httpx.AsyncClient(timeout=20) as http:
            tickets = []
            for _ in range(self.RIDES):
                r = await http.post(
                    cluster.a.url + "/v1/transit/orders",
                    json={"product_code": "single_ride", "payment_method": "sandbox"},
                    headers=rider,
                )
                assert r.status_code == 201, r.text
                tickets.append(r.json()["ticket"]["id"])

            async def scan(base: str, payload: str, validator_id: str) -> dict:
                r = await http.post(
                    base + "/v1/transit/validate",
                    json={"payload": payload, "validator_id": validator_id, "route": "32"},
                    headers=validator,
                )
                assert r.status_code == 200, r.text
                return r.json()

            for ticket_id in tickets:
                qr = await http.get(cluster.b.url + f"/v1/transit/tickets/{ticket_id}/qr", headers=rider)
                assert qr.status_code == 200, qr.text
                payload = qr.json()["payload"]
                answers = await asyncio.gather(
                    scan(cluster.a.url, payload, "HN-BUS-32-001"), scan(cluster.b.url, payload, "HN-BUS-32-002")
                )
                results = sorted(a["result"] for a in answers)
                assert results == ["accepted", "rejected"], answers
                rejected = next(a for a in answers if a["result"] == "rejected")
                assert rejected["reason"] in ("replayed", "used")

        ids = [uuid.UUID(t) for t in tickets]
        async with test_ctx.sessionmaker() as session:
            statuses = (await session.exec(select(TransitTicket.status).where(TransitTicket.id.in_(ids)))).all()
            accepted = (
                await session.exec(
                    select(func.count()).select_from(TransitValidation).where(
                        TransitValidation.ticket_id.in_(ids), TransitValidation.result == "accepted"
                    )
                )
            ).one()
        assert statuses == ["used"] * self.RIDES
        assert accepted == self.RIDES


class TestStreamAcrossProcesses:
    async def test_stream_on_a_receives_a_notification_published_on_b(self, cluster, factory):
        citizen = await factory.account()
        reader = await factory.headers(citizen, ["notifications"])
        app_client = await factory.client(
            first_party=True, scopes=["notifications.publish"], grant_types=["client_credentials"]
        )
        publisher = await factory.headers(None, ["notifications.publish"], client=app_client)
        title = f"Xe buýt tuyến 32 đổi lộ trình {uuid.uuid4().hex[:6]}"

        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(20, read=SSE_WAIT_SECONDS)) as http,
            http.stream("GET", cluster.a.url + "/v1/notifications/stream", headers=reader) as stream,
        ):
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith(": connected")

            published = await http.post(
                cluster.b.url + "/v1/notifications/publish",
                json={"recipients": [str(citizen.id)], "category": "miniapp", "title": title, "body": "Chi tiết"},
                headers=publisher,
            )
            assert published.status_code == 201, published.text
            assert published.json()["accepted"] == 1

            event = await asyncio.wait_for(_next_event(lines), timeout=SSE_WAIT_SECONDS)
        assert event["event"] == "notification"
        assert event["data"]["title"] == title
        assert event["id"] == event["data"]["id"]


async def _next_event(lines) -> dict:
    """The next ``event:`` block of an SSE stream, heartbeats and comments skipped."""
    event: dict = {}
    async for line in lines:
        if not line:
            if "event" in event:
                return event
            event = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        event[name] = json.loads(value) if name == "data" else value
    raise AssertionError("the stream ended without an event")

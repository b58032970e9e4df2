"""Online validation: exactly-once single rides under concurrency, replay, expiry, revocation,
anti-passback, validator permissions, trip history."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from miniapps.transit import payload as fmt
from miniapps.transit.models import TransitValidation
from tests.miniapps.transit.helpers import IssuerKey, claims


async def accepted_count(ctx) -> int:
    async with ctx.sessionmaker() as s:
        stmt = select(func.count()).select_from(TransitValidation).where(TransitValidation.result == "accepted")
        return (await s.exec(stmt)).one()


@pytest.fixture
async def single(citizen, buy) -> str:
    return (await buy(citizen, "single_ride"))["ticket"]["id"]


@pytest.fixture
async def day_pass(citizen, buy) -> str:
    return (await buy(citizen, "day_pass"))["ticket"]["id"]


class TestSingleRide:
    async def test_first_scan_is_accepted_with_the_ticket(self, citizen, single, qr_text, validate):
        r = await validate(await qr_text(citizen, single))
        assert r["result"] == "accepted" and "reason" not in r
        assert r["ticket"]["id"] == single and r["ticket"]["kind"] == "single_ride"

    async def test_next_step_after_use_is_used(self, citizen, single, qr_text, validate, clock):
        first = await qr_text(citizen, single)
        clock.advance(30)
        second = await qr_text(citizen, single)  # e.g. a screenshot sent to a friend
        assert (await validate(first))["result"] == "accepted"
        r = await validate(second, validator_id="HN-BUS-01-007")
        assert (r["result"], r["reason"]) == ("rejected", "used")

    async def test_raced_by_50_validators_is_accepted_exactly_once(self, ctx, citizen, single, qr_text, validate):
        payload = await qr_text(citizen, single)
        results = await asyncio.gather(*(validate(payload, validator_id=f"HN-BUS-{i:03d}") for i in range(50)))
        assert sum(r["result"] == "accepted" for r in results) == 1
        assert {r["reason"] for r in results if r["result"] == "rejected"} <= {"replayed", "used"}
        assert await accepted_count(ctx) == 1

    async def test_raced_with_payloads_of_different_steps_is_accepted_exactly_once(
        self, ctx, client, citizen, single, qr_text, validate, clock
    ):
        payloads = []
        for _ in range(3):  # three steps, all inside the skew window of the middle one
            payloads.append(await qr_text(citizen, single))
            clock.advance(30)
        clock.advance(-60)
        results = await asyncio.gather(*(validate(payloads[i % 3], validator_id=f"V{i}") for i in range(30)))
        assert sum(r["result"] == "accepted" for r in results) == 1
        assert await accepted_count(ctx) == 1


class TestReplayAndTime:
    async def test_same_step_scanned_twice_is_replayed(self, citizen, day_pass, qr_text, validate):
        payload = await qr_text(citizen, day_pass)
        assert (await validate(payload))["result"] == "accepted"
        r = await validate(payload)
        assert (r["result"], r["reason"]) == ("rejected", "replayed")

    async def test_screenshot_older_than_the_skew_window_is_expired(self, citizen, day_pass, qr_text, validate, clock):
        payload = await qr_text(citizen, day_pass)
        clock.advance(61)
        r = await validate(payload)
        assert (r["result"], r["reason"], r["detail"]) == ("rejected", "expired", "step")

    async def test_pass_after_its_validity_is_expired(self, citizen, day_pass, qr_text, validate, clock):
        clock.advance(24 * 3600 - 10)
        payload = await qr_text(citizen, day_pass)
        clock.advance(20)
        r = await validate(payload)
        assert (r["reason"], r["detail"]) == ("expired", "ticket")

    async def test_future_dated_step_is_not_yet_valid(self, citizen, day_pass, qr_text, validate, clock):
        clock.advance(120)
        payload = await qr_text(citizen, day_pass)
        clock.advance(-120)
        r = await validate(payload)
        assert (r["reason"], r["detail"]) == ("not_yet_valid", "step")

    async def test_garbled_payload_is_bad_signature(self, products, validate, clock):
        for payload in ("HT1:garbage!", "hello", "HT1:" + "00" * 100):
            r = await validate(payload)
            assert (r["result"], r["reason"], r["detail"]) == ("rejected", "bad_signature", "malformed"), payload

    async def test_truncated_and_resigned_payloads_are_bad_signature(self, citizen, day_pass, qr_text, validate):
        from cryptography.hazmat.primitives.asymmetric import ec

        from miniapps.transit.base45 import b45decode

        good = await qr_text(citizen, day_pass)
        r = await validate(good[:-10])
        assert r["reason"] == "bad_signature"
        raw = b45decode(good[4:])
        forger = fmt.es256_signer(ec.generate_private_key(ec.SECP256R1()))
        resigned = fmt.to_text(raw[:38] + forger(raw[:38]))  # same claims, another key, real kid
        r = await validate(resigned)
        assert (r["reason"], r["detail"]) == ("bad_signature", "issuer_signature")


class TestDeviceBoundRide:
    async def test_only_the_phones_signature_takes_a_bound_single_ride(self, client, citizen, single, qr_text, validate, clock):
        import base64

        from cryptography.hazmat.primitives.asymmetric import ec

        from miniapps.transit.keys import public_jwk

        before_binding = await qr_text(citizen, single)
        phone = ec.generate_private_key(ec.SECP256R1())
        r = await client.post(f"/v1/transit/tickets/{single}/device", json={"public_key": public_jwk(phone.public_key())},
                              headers=citizen.headers)
        cert = r.json()["certificate"]
        cert = base64.urlsafe_b64decode(cert + "=" * (-len(cert) % 4))
        r = await validate(before_binding)
        assert (r["result"], r["reason"], r["detail"]) == ("rejected", "bad_signature", "device_binding")
        clock.advance(30)
        r = await validate(fmt.device_payload(cert, int(clock()) // 30, fmt.es256_signer(phone)))
        assert r["result"] == "accepted"


class TestKeysAndRetries:
    async def test_payload_under_an_unknown_key_id_is_bad_signature(self, products, validate, clock):
        stranger = IssuerKey()
        text = fmt.issuer_payload(claims(stranger, valid_from=int(clock()) - 60), int(clock()) // 30, stranger.sign)
        r = await validate(text)
        assert (r["result"], r["reason"], r["detail"]) == ("rejected", "bad_signature", "unknown_key")

    async def test_retry_with_the_same_idempotency_key_returns_the_first_answer(
        self, client, citizen, single, qr_text, validator_headers
    ):
        body = {"payload": await qr_text(citizen, single), "validator_id": "HN-BUS-32-001"}
        h = {**validator_headers, "Idempotency-Key": "scan-1"}
        first = await client.post("/v1/transit/validate", json=body, headers=h)
        retry = await client.post("/v1/transit/validate", json=body, headers=h)
        assert first.json()["result"] == retry.json()["result"] == "accepted"
        other = await client.post("/v1/transit/validate", json=body, headers=validator_headers)
        assert other.json()["reason"] in {"replayed", "used"}


class TestRevocation:
    async def test_revoked_ticket_is_rejected(self, client, citizen, single, qr_text, validate, operator_headers):
        payload = await qr_text(citizen, single)
        r = await client.post(f"/v1/admin/transit/tickets/{single}/revoke", json={"reason": "fraud"}, headers=operator_headers)
        assert r.status_code == 200 and r.json()["status"] == "revoked"
        v = await validate(payload)
        assert (v["result"], v["reason"]) == ("rejected", "revoked")


class TestPassback:
    async def test_same_pass_on_another_bus_within_the_window_is_passback(self, citizen, day_pass, qr_text, validate, clock):
        assert (await validate(await qr_text(citizen, day_pass), validator_id="BUS-A"))["result"] == "accepted"
        clock.advance(30)
        r = await validate(await qr_text(citizen, day_pass), validator_id="BUS-B")
        assert (r["result"], r["reason"]) == ("rejected", "passback")

    async def test_same_bus_again_is_a_repeat_not_a_new_trip(self, ctx, citizen, day_pass, qr_text, validate, clock):
        await validate(await qr_text(citizen, day_pass), validator_id="BUS-A")
        clock.advance(30)
        r = await validate(await qr_text(citizen, day_pass), validator_id="BUS-A")
        assert r["result"] == "accepted" and r["repeat"] is True
        assert await accepted_count(ctx) == 1

    async def test_another_bus_after_the_window_is_accepted(self, ctx, citizen, day_pass, qr_text, validate, clock):
        await validate(await qr_text(citizen, day_pass), validator_id="BUS-A")
        clock.advance(20 * 60 + 30)
        r = await validate(await qr_text(citizen, day_pass), validator_id="BUS-B")
        assert r["result"] == "accepted" and r["repeat"] is False
        assert await accepted_count(ctx) == 2

    async def test_two_buses_at_the_same_moment_accept_once(self, citizen, day_pass, qr_text, validate, clock):
        payloads = [await qr_text(citizen, day_pass)]
        clock.advance(30)
        payloads.append(await qr_text(citizen, day_pass))
        results = await asyncio.gather(
            *(validate(payloads[i % 2], validator_id=f"BUS-{i}") for i in range(10))
        )
        assert sum(r["result"] == "accepted" for r in results) == 1
        assert {r["reason"] for r in results if r["result"] == "rejected"} <= {"passback", "replayed"}


class TestValidatorAccess:
    async def test_token_without_validate_scope_is_403(self, client, factory, products):
        c = await factory.client(scopes=["open311"], grant_types=["client_credentials"])
        h = await factory.headers(None, ["open311"], client=c)
        r = await client.post("/v1/transit/validate", json={"payload": "HT1:x", "validator_id": "V1"}, headers=h)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"

    async def test_citizen_token_cannot_validate(self, client, citizen):
        r = await client.post("/v1/transit/validate", json={"payload": "HT1:x", "validator_id": "V1"}, headers=citizen.headers)
        assert r.status_code == 403

    async def test_no_token_is_401(self, client, products):
        r = await client.post("/v1/transit/validate", json={"payload": "HT1:x", "validator_id": "V1"})
        assert r.status_code == 401

    async def test_oversized_payload_and_bad_validator_id_are_422(self, client, validator_headers, products):
        r = await client.post("/v1/transit/validate", json={"payload": "A" * 2000, "validator_id": "V1"}, headers=validator_headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        r = await client.post("/v1/transit/validate", json={"payload": "HT1:x", "validator_id": "bad id!"}, headers=validator_headers)
        assert r.status_code == 422

    async def test_disabled_validator_is_refused(self, client, citizen, day_pass, qr_text, validator_headers, operator_headers):
        r = await client.post("/v1/admin/transit/validators", json={"validator_id": "HN-BUS-99-001", "name": "Bus 99"},
                              headers=operator_headers)
        assert r.status_code == 201
        r = await client.patch("/v1/admin/transit/validators/HN-BUS-99-001", json={"active": False}, headers=operator_headers)
        assert r.status_code == 200 and r.json()["active"] is False
        body = {"payload": await qr_text(citizen, day_pass), "validator_id": "HN-BUS-99-001"}
        r = await client.post("/v1/transit/validate", json=body, headers=validator_headers)
        assert r.status_code == 403 and r.json()["code"] == "transit.validator_not_allowed"

    async def test_validator_bound_to_another_client_is_refused(self, client, citizen, day_pass, qr_text, validator_headers,
                                                                operator_headers):
        await client.post("/v1/admin/transit/validators",
                          json={"validator_id": "HN-BUS-98-001", "name": "Bus 98", "client_id": "someone-else"},
                          headers=operator_headers)
        body = {"payload": await qr_text(citizen, day_pass), "validator_id": "HN-BUS-98-001"}
        r = await client.post("/v1/transit/validate", json=body, headers=validator_headers)
        assert r.status_code == 403


class TestTrips:
    async def test_trip_history_lists_accepted_rides_newest_first(self, client, citizen, buy, qr_text, validate, clock):
        ids = []
        for i in range(3):
            t = (await buy(citizen, "single_ride"))["ticket"]["id"]
            assert (await validate(await qr_text(citizen, t), validator_id=f"BUS-{i}", route=f"{i + 1}"))["result"] == "accepted"
            ids.append(t)
            clock.advance(60)
        r = await client.get("/v1/transit/trips?limit=2", headers=citizen.headers)
        page = r.json()
        assert [t["ticket_id"] for t in page["items"]] == [ids[2], ids[1]]
        assert page["items"][0]["route"] == "3" and page["items"][0]["source"] == "online"
        r = await client.get(f"/v1/transit/trips?limit=2&cursor={page['next_cursor']}", headers=citizen.headers)
        assert [t["ticket_id"] for t in r.json()["items"]] == [ids[0]] and r.json()["next_cursor"] is None

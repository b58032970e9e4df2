"""What offline validators need (keys, incremental deny list) and the batch upload of taps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from miniapps.transit import VerificationKeys, verify_payload


def at(unix: float) -> str:
    return datetime.fromtimestamp(unix, UTC).isoformat()


@pytest.fixture
def upload(client, validator_headers):
    async def upload(taps: list[dict]) -> dict:
        r = await client.post("/v1/transit/validations", json=taps, headers=validator_headers)
        assert r.status_code == 200, r.text
        return r.json()

    return upload


class TestKeys:
    async def test_keys_are_public_es256_jwks_with_the_time_rules(self, client, app):
        r = await client.get("/v1/transit/keys")
        assert r.status_code == 200
        body = r.json()
        assert body["format"] == "HT1" and body["step_seconds"] == 30 and body["skew_steps"] == 1
        assert len(body["keys"]) == 2  # active and next
        for jwk in body["keys"]:
            assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["alg"] == "ES256" and len(jwk["kid"]) == 8
            assert "d" not in jwk

    async def test_transit_keys_are_not_the_openid_keys(self, client, ctx, app):
        from auth.keys import get_keyset

        transit = {k["x"] for k in (await client.get("/v1/transit/keys")).json()["keys"]}
        oidc = {k["x"] for k in (await get_keyset(ctx)).jwks["keys"]}
        assert transit.isdisjoint(oidc)

    async def test_rotation_keeps_old_tickets_verifiable(self, client, factory, citizen, buy, qr_text, clock):
        admin = await factory.account(roles=["admin"])
        ticket = (await buy(citizen, "day_pass"))["ticket"]["id"]
        before = await qr_text(citizen, ticket)
        r = await client.post("/v1/admin/transit/keys/rotate", headers=await factory.headers(admin, ["openid"]))
        assert r.status_code == 200
        after = await qr_text(citizen, ticket)
        keys = VerificationKeys.from_jwks((await client.get("/v1/transit/keys")).json())
        assert len(keys.kids()) == 3
        assert before[4:10] != after[4:10]  # signed by another key
        assert verify_payload(before, keys, (), clock()).accepted and verify_payload(after, keys, (), clock()).accepted

    async def test_rotation_needs_admin(self, client, operator_headers, app):
        r = await client.post("/v1/admin/transit/keys/rotate", headers=operator_headers)
        assert r.status_code == 403


class TestDenylist:
    async def test_incremental_deny_list(self, client, citizen, buy, operator_headers, validator_headers, clock):
        a = (await buy(citizen, "day_pass"))["ticket"]["id"]
        b = (await buy(citizen, "monthly_pass"))["ticket"]["id"]
        await client.post(f"/v1/admin/transit/tickets/{a}/revoke", headers=operator_headers)
        clock.advance(120)
        first = (await client.get("/v1/transit/denylist", headers=validator_headers)).json()
        assert [e["ticket_id"] for e in first["items"]] == [a] and first["has_more"] is False
        clock.advance(120)
        await client.post(f"/v1/admin/transit/tickets/{b}/revoke", headers=operator_headers)
        r = await client.get("/v1/transit/denylist", params={"since": first["next_since"]}, headers=validator_headers)
        assert [e["ticket_id"] for e in r.json()["items"]] == [b]

    async def test_expired_tickets_leave_the_list(self, client, citizen, buy, operator_headers, validator_headers, clock):
        a = (await buy(citizen, "day_pass"))["ticket"]["id"]
        await client.post(f"/v1/admin/transit/tickets/{a}/revoke", headers=operator_headers)
        clock.advance(25 * 3600)
        assert (await client.get("/v1/transit/denylist", headers=validator_headers)).json()["items"] == []

    async def test_needs_validator_scope_and_a_valid_since(self, client, citizen, validator_headers):
        assert (await client.get("/v1/transit/denylist", headers=citizen.headers)).status_code == 403
        r = await client.get("/v1/transit/denylist?since=yesterday", headers=validator_headers)
        assert r.status_code == 400 and r.json()["code"] == "transit.invalid_since"

    async def test_offline_validator_refuses_a_revoked_ticket(
        self, client, citizen, buy, qr_text, operator_headers, validator_headers, clock
    ):
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        payload = await qr_text(citizen, t)
        await client.post(f"/v1/admin/transit/tickets/{t}/revoke", headers=operator_headers)
        keys = VerificationKeys.from_jwks((await client.get("/v1/transit/keys")).json())
        deny = {e["ticket_id"] for e in (await client.get("/v1/transit/denylist", headers=validator_headers)).json()["items"]}
        assert verify_payload(payload, keys, deny, clock()).reason == "revoked"


class TestBatchUpload:
    async def test_taps_are_recorded_then_deduplicated(self, citizen, buy, qr_text, upload, clock, client):
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        tap = {"payload": await qr_text(citizen, t), "validator_id": "BUS-OFF-1", "route": "32", "tapped_at": at(clock())}
        first = await upload([tap])
        assert first["recorded"] == 1 and first["items"][0]["status"] == "recorded"
        again = await upload([tap, tap])
        assert again["duplicates"] == 2 and again["recorded"] == 0
        trips = (await client.get("/v1/transit/trips", headers=citizen.headers)).json()["items"]
        assert len(trips) == 1 and trips[0]["source"] == "offline"

    async def test_double_use_of_a_single_ride_is_flagged(self, citizen, buy, qr_text, upload, clock):
        t = (await buy(citizen, "single_ride"))["ticket"]["id"]
        p1 = await qr_text(citizen, t)
        t1 = clock()
        clock.advance(30)
        p2 = await qr_text(citizen, t)
        result = await upload([
            {"payload": p2, "validator_id": "BUS-OFF-2", "tapped_at": at(clock())},
            {"payload": p1, "validator_id": "BUS-OFF-1", "tapped_at": at(t1)},
        ])
        # Taps are judged in time order: the earlier one is the ride, the later one the conflict.
        assert [i["status"] for i in result["items"]] == ["conflict", "recorded"]
        assert result["items"][0]["reason"] == "used" and result["conflicts"] == 1

    async def test_offline_use_then_online_scan_is_used(self, citizen, buy, qr_text, upload, validate, clock):
        t = (await buy(citizen, "single_ride"))["ticket"]["id"]
        p1 = await qr_text(citizen, t)
        clock.advance(30)
        p2 = await qr_text(citizen, t)
        await upload([{"payload": p1, "validator_id": "BUS-OFF-1", "tapped_at": at(clock() - 30)}])
        r = await validate(p2)
        assert (r["result"], r["reason"]) == ("rejected", "used")

    async def test_pass_on_two_buses_within_the_window_is_flagged_passback(self, citizen, buy, qr_text, upload, clock):
        t = (await buy(citizen, "monthly_pass"))["ticket"]["id"]
        p1 = await qr_text(citizen, t)
        t1 = clock()
        clock.advance(300)
        p2 = await qr_text(citizen, t)
        result = await upload([
            {"payload": p1, "validator_id": "BUS-A", "tapped_at": at(t1)},
            {"payload": p2, "validator_id": "BUS-B", "tapped_at": at(clock())},
        ])
        assert [i["status"] for i in result["items"]] == ["recorded", "conflict"]
        assert result["items"][1]["reason"] == "passback"

    async def test_tap_after_revocation_is_flagged(self, client, citizen, buy, qr_text, upload, operator_headers, clock):
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        payload = await qr_text(citizen, t)  # captured before the revocation
        await client.post(f"/v1/admin/transit/tickets/{t}/revoke", headers=operator_headers)
        clock.advance(5)
        result = await upload([{"payload": payload, "validator_id": "BUS-X", "tapped_at": at(clock())}])
        assert result["items"][0]["status"] == "conflict" and result["items"][0]["reason"] == "revoked"

    async def test_forged_and_garbled_taps_are_invalid_not_recorded(self, citizen, buy, qr_text, upload, clock):
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        good = await qr_text(citizen, t)
        forged = good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB")
        result = await upload([
            {"payload": "HT1:nonsense", "validator_id": "BUS-A", "tapped_at": at(clock())},
            {"payload": forged, "validator_id": "BUS-A", "tapped_at": at(clock())},
        ])
        assert result["invalid"] == 2 and result["recorded"] == 0
        assert {i["reason"] for i in result["items"]} == {"bad_signature"}

    async def test_stale_payload_accepted_offline_is_flagged_expired(self, citizen, buy, qr_text, upload, clock):
        t = (await buy(citizen, "day_pass"))["ticket"]["id"]
        p = await qr_text(citizen, t)
        result = await upload([{"payload": p, "validator_id": "BUS-A", "tapped_at": at(clock() + 600)}])
        assert result["items"][0]["status"] == "conflict" and result["items"][0]["reason"] == "expired"

    async def test_bad_input(self, client, validator_headers, citizen, products):
        r = await client.post("/v1/transit/validations", json={"not": "a list"}, headers=validator_headers)
        assert r.status_code == 422
        r = await client.post("/v1/transit/validations", json=[{"payload": "x", "validator_id": "V", "tapped_at": "2027-01-01T00:00:00"}],
                              headers=validator_headers)
        assert r.status_code == 422  # a time without offset
        r = await client.post("/v1/transit/validations", json=[], headers=citizen.headers)
        assert r.status_code == 403

    async def test_batch_over_the_limit_is_413(self, client, validator_headers, ctx, products):
        from miniapps.transit.config import SETTINGS_KEY, TransitSettings

        ctx.cache[SETTINGS_KEY] = TransitSettings(offline_batch_max=2)
        taps = [{"payload": "HT1:x", "validator_id": "V", "tapped_at": "2027-01-01T00:00:00Z"}] * 3
        r = await client.post("/v1/transit/validations", json=taps, headers=validator_headers)
        assert r.status_code == 413 and r.json()["code"] == "transit.batch_too_large"

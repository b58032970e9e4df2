"""The dynamic QR: text, PNG and SVG; the PNG read back with zxing-cpp verifies offline."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image

from miniapps.transit import VerificationKeys, verify_payload
from miniapps.transit import payload as fmt


@pytest.fixture
async def ticket(citizen, buy) -> str:
    return (await buy(citizen, "day_pass"))["ticket"]["id"]


class TestText:
    async def test_payload_changes_every_time_step(self, client, citizen, ticket, clock):
        url = f"/v1/transit/tickets/{ticket}/qr?format=text"
        first = (await client.get(url, headers=citizen.headers)).json()
        clock.advance(10)
        same = (await client.get(url, headers=citizen.headers)).json()
        clock.advance(25)
        later = (await client.get(url, headers=citizen.headers)).json()
        assert first["payload"] == same["payload"]
        assert later["payload"] != first["payload"] and later["step"] == first["step"] + 1
        assert first["expires_at"] == "2027-01-15T08:00:30Z" and first["step_seconds"] == 30

    async def test_not_cached(self, client, citizen, ticket):
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=citizen.headers)
        assert r.headers["cache-control"] == "no-store"

    async def test_unknown_format_is_422(self, client, citizen, ticket):
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr?format=gif", headers=citizen.headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"


class TestImages:
    async def test_png_round_trips_through_zxing_and_verifies_offline(self, client, citizen, ticket, clock):
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr?format=png", headers=citizen.headers)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        results = zxingcpp.read_barcodes(Image.open(io.BytesIO(r.content)))
        assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
        scanned = results[0].text
        text = (await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=citizen.headers)).json()["payload"]
        assert scanned == text
        keys = VerificationKeys.from_jwks((await client.get("/v1/transit/keys")).json())
        verdict = verify_payload(scanned, keys, set(), clock())
        assert verdict.accepted and str(verdict.claims.ticket_id) == ticket
        assert verdict.claims.kind == "day_pass"

    async def test_png_symbol_is_version_10_or_lower_at_level_m(self, client, citizen, ticket):
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr?format=png", headers=citizen.headers)
        result = zxingcpp.read_barcodes(Image.open(io.BytesIO(r.content)))[0]
        assert result.ec_level == "M"
        assert 1 <= int(result.extra["Version"]) <= 10

    async def test_svg_is_a_qr_drawing(self, client, citizen, ticket):
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr?format=svg", headers=citizen.headers)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.content.startswith(b"<svg") and b"<path" in r.content


class TestDeviceBinding:
    async def test_phone_key_gets_a_certificate_and_its_payloads_verify(self, client, citizen, ticket, clock):
        phone = ec.generate_private_key(ec.SECP256R1())
        from miniapps.transit.keys import public_jwk

        r = await client.post(
            f"/v1/transit/tickets/{ticket}/device", json={"public_key": public_jwk(phone.public_key())},
            headers=citizen.headers,
        )
        assert r.status_code == 200, r.text
        import base64

        cert_b64 = r.json()["certificate"]
        cert = base64.urlsafe_b64decode(cert_b64 + "=" * (-len(cert_b64) % 4))
        step = int(clock() // r.json()["step_seconds"])
        text = fmt.device_payload(cert, step, fmt.es256_signer(phone))
        keys = (await client.get("/v1/transit/keys")).json()
        assert verify_payload(text, keys, (), clock()).accepted
        # The server no longer shows a QR for it: the phone does.
        r = await client.get(f"/v1/transit/tickets/{ticket}/qr", headers=citizen.headers)
        assert r.status_code == 409 and r.json()["code"] == "transit.ticket_device_bound"

    async def test_second_phone_is_refused_same_phone_is_idempotent(self, client, citizen, ticket):
        from miniapps.transit.keys import public_jwk

        jwk = public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())
        url = f"/v1/transit/tickets/{ticket}/device"
        first = await client.post(url, json={"public_key": jwk}, headers=citizen.headers)
        again = await client.post(url, json={"public_key": jwk}, headers=citizen.headers)
        assert again.status_code == 200 and again.json() == first.json()
        other = public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())
        r = await client.post(url, json={"public_key": other}, headers=citizen.headers)
        assert r.status_code == 409 and r.json()["code"] == "transit.device_already_bound"

    async def test_bad_device_key_is_422(self, client, citizen, ticket):
        for jwk in (
            {"kty": "RSA", "n": "abc", "e": "AQAB"},
            {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},  # not a point on the curve
            {"kty": "EC", "crv": "P-256"},
        ):
            r = await client.post(f"/v1/transit/tickets/{ticket}/device", json={"public_key": jwk}, headers=citizen.headers)
            assert r.status_code == 422 and r.json()["code"] == "transit.invalid_device_key", jwk

    async def test_private_key_material_is_refused(self, client, citizen, ticket):
        from miniapps.transit.keys import public_jwk

        jwk = {**public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key()), "d": "secret"}
        r = await client.post(f"/v1/transit/tickets/{ticket}/device", json={"public_key": jwk}, headers=citizen.headers)
        assert r.status_code == 422 and r.json()["code"] == "transit.invalid_device_key"

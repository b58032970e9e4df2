"""The HT1 payload format: base45 (RFC 9285), both modes round-trip, QR version ≤ 10 at M."""

from __future__ import annotations

import uuid

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric import ec
from qrcode.constants import ERROR_CORRECT_M

from miniapps.transit import payload as fmt
from miniapps.transit.base45 import Base45Error, b45decode, b45encode
from tests.miniapps.transit.helpers import T0, IssuerKey, claims


class TestBase45:
    @pytest.mark.parametrize(
        ("raw", "text"), [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0")]
    )
    def test_rfc9285_vectors(self, raw, text):
        assert b45encode(raw) == text
        assert b45decode(text) == raw

    @pytest.mark.parametrize("bad", ["GGW", "ZZZ", "abc", "A", "ĐĐĐ", "::::"])
    def test_invalid_text_is_refused(self, bad):
        with pytest.raises(Base45Error):
            b45decode(bad)

    def test_every_length_round_trips(self):
        for n in range(64):
            data = bytes((i * 37 + n) % 256 for i in range(n))
            assert b45decode(b45encode(data)) == data


class TestIssuerMode:
    def test_round_trip_carries_every_claim(self):
        key = IssuerKey()
        c = claims(key)
        parsed = fmt.parse(fmt.issuer_payload(c, 12345, key.sign))
        assert parsed.claims == c and parsed.step == 12345 and parsed.mode == fmt.MODE_ISSUER
        assert len(parsed.issuer_signed) + len(parsed.issuer_signature) == fmt.ISSUER_SIZE

    def test_text_is_alphanumeric_with_prefix(self):
        key = IssuerKey()
        text = fmt.issuer_payload(claims(key), 1, key.sign)
        assert text.startswith("HT1:") and len(text) == 157
        assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


class TestDeviceMode:
    def test_phone_signs_steps_over_the_issuer_certificate(self):
        key = IssuerKey()
        phone = ec.generate_private_key(ec.SECP256R1())
        device_key = fmt.compress_public_key(phone.public_key())
        c = claims(key, device_key=device_key)
        cert = fmt.device_certificate(c, device_key, key.sign)
        assert len(cert) == fmt.CERTIFICATE_SIZE
        text = fmt.device_payload(cert, 777, fmt.es256_signer(phone))
        parsed = fmt.parse(text)
        assert parsed.mode == fmt.MODE_DEVICE and parsed.step == 777
        assert parsed.claims.device_key == device_key and parsed.claims.ticket_id == c.ticket_id
        assert len(text) == fmt.MAX_TEXT_LENGTH == 303

    def test_device_key_must_be_compressed_point(self):
        key = IssuerKey()
        with pytest.raises(fmt.PayloadError):
            fmt.device_certificate(claims(key), b"\x02" * 10, key.sign)


class TestQrCapacity:
    @pytest.mark.parametrize("mode", ["issuer", "device"])
    def test_qrcode_picks_version_at_most_10_at_level_m(self, mode):
        for _ in range(6):
            key = IssuerKey()
            if mode == "issuer":
                text = fmt.issuer_payload(claims(key, ticket_id=uuid.uuid4()), T0 // 30, key.sign)
            else:
                phone = ec.generate_private_key(ec.SECP256R1())
                dk = fmt.compress_public_key(phone.public_key())
                cert = fmt.device_certificate(claims(key, device_key=dk), dk, key.sign)
                text = fmt.device_payload(cert, T0 // 30, fmt.es256_signer(phone))
            qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_M)
            qr.add_data(text)
            qr.make(fit=True)
            assert qr.version <= 10


class TestMalformed:
    @pytest.mark.parametrize(
        "text",
        ["", "HT1:", "HC1:NCFOXN%TS3DH", "HT1:abc", "HT1:" + "0" * 400, "HT1:%69 VD92EX0", 12345],
    )
    def test_garbage_is_a_payload_error(self, text):
        with pytest.raises(fmt.PayloadError):
            fmt.parse(text)

    def test_truncated_payload_is_refused(self):
        key = IssuerKey()
        text = fmt.issuer_payload(claims(key), 1, key.sign)
        for cut in (3, 10, 50, 150):
            with pytest.raises(fmt.PayloadError):
                fmt.parse(text[:cut])

    def test_unknown_version_is_refused(self):
        key = IssuerKey()
        raw = bytearray(b45decode(fmt.issuer_payload(claims(key), 1, key.sign)[4:]))
        raw[0] = 0x20
        with pytest.raises(fmt.PayloadError):
            fmt.parse("HT1:" + b45encode(bytes(raw)))

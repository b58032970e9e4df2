"""The pure offline verifier: verdicts and reasons for every kind of payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from miniapps.transit import REASONS, VerificationKeys, verify_payload
from miniapps.transit import payload as fmt
from miniapps.transit.base45 import b45decode, b45encode
from tests.miniapps.transit.helpers import T0, IssuerKey, claims

STEP = T0 // 30


@pytest.fixture
def key() -> IssuerKey:
    return IssuerKey()


@pytest.fixture
def keys(key) -> VerificationKeys:
    return VerificationKeys.from_jwks(key.jwks)


def issue(key, step=STEP, **kw) -> str:
    return fmt.issuer_payload(claims(key, **kw), step, key.sign)


class TestAccepted:
    def test_fresh_payload_is_accepted_with_its_claims(self, key, keys):
        tid = uuid.uuid4()
        v = verify_payload(issue(key, ticket_id=tid), keys, set(), T0 + 5)
        assert v.accepted and v.result == "accepted" and v.reason is None
        assert v.claims.ticket_id == tid and v.step == STEP

    def test_datetime_now_and_jwks_document_are_accepted_as_inputs(self, key):
        v = verify_payload(issue(key), key.jwks, [], datetime.fromtimestamp(T0, UTC))
        assert v.accepted

    @pytest.mark.parametrize("offset_steps", [-1, 1])
    def test_one_step_of_clock_skew_is_tolerated(self, key, keys, offset_steps):
        assert verify_payload(issue(key, step=STEP + offset_steps), keys, (), T0 + 1).accepted


class TestTime:
    def test_stale_step_is_expired(self, key, keys):
        v = verify_payload(issue(key, step=STEP - 2), keys, (), T0 + 1)
        assert (v.reason, v.detail) == ("expired", "step")

    def test_future_dated_step_is_not_yet_valid(self, key, keys):
        v = verify_payload(issue(key, step=STEP + 2), keys, (), T0 + 1)
        assert (v.reason, v.detail) == ("not_yet_valid", "step")

    def test_ticket_past_its_validity_is_expired(self, key, keys):
        v = verify_payload(issue(key, valid_until=T0), keys, (), T0 + 1)
        assert (v.reason, v.detail) == ("expired", "ticket")

    def test_ticket_before_its_validity_is_not_yet_valid(self, key, keys):
        v = verify_payload(issue(key, valid_from=T0 + 600, valid_until=T0 + 7200), keys, (), T0)
        assert (v.reason, v.detail) == ("not_yet_valid", "ticket")


class TestSignatures:
    def test_payload_resigned_by_another_key_under_the_same_kid_is_refused(self, key, keys):
        forger = IssuerKey()
        forged = fmt.issuer_payload(claims(key), STEP, forger.sign)  # kid of the real key
        v = verify_payload(forged, keys, (), T0)
        assert (v.reason, v.detail) == ("bad_signature", "issuer_signature")

    def test_unknown_key_id_is_refused(self, keys):
        other = IssuerKey()
        v = verify_payload(issue(other), keys, (), T0)
        assert (v.reason, v.detail) == ("bad_signature", "unknown_key")

    def test_any_flipped_byte_is_refused(self, key, keys):
        raw = b45decode(issue(key)[4:])
        for i in range(0, len(raw), 7):
            tampered = bytearray(raw)
            tampered[i] ^= 0x01
            v = verify_payload("HT1:" + b45encode(bytes(tampered)), keys, (), T0)
            assert not v.accepted and v.reason == "bad_signature", i

    def test_extended_validity_is_refused(self, key, keys):
        raw = bytearray(b45decode(issue(key)[4:]))
        raw[29:33] = (T0 + 10**6).to_bytes(4, "big")
        v = verify_payload("HT1:" + b45encode(bytes(raw)), keys, (), T0)
        assert v.reason == "bad_signature"

    @pytest.mark.parametrize("garbage", ["", "hello", "HT1:", "HT1:!!!", "HT1:" + "A" * 100, b"\xff\xfe"])
    def test_garbled_input_is_a_bad_signature(self, keys, garbage):
        v = verify_payload(garbage, keys, (), T0)
        assert (v.reason, v.detail) == ("bad_signature", "malformed")

    def test_truncated_payload_is_refused(self, key, keys):
        text = issue(key)
        assert verify_payload(text[:-3], keys, (), T0).reason == "bad_signature"


class TestDenylistAndReplay:
    def test_revoked_ticket_by_uuid_or_string(self, key, keys):
        tid = uuid.uuid4()
        text = issue(key, ticket_id=tid)
        assert verify_payload(text, keys, {tid}, T0).reason == "revoked"
        assert verify_payload(text, keys, {str(tid)}, T0).reason == "revoked"

    def test_same_step_twice_is_replayed_when_the_validator_keeps_what_it_saw(self, key, keys):
        seen: set = set()
        text = issue(key)
        assert verify_payload(text, keys, (), T0, seen=seen).accepted
        v = verify_payload(text, keys, (), T0, seen=seen)
        assert v.reason == "replayed"
        assert verify_payload(issue(key, step=STEP + 1, ticket_id=v.claims.ticket_id), keys, (), T0 + 30, seen=seen).accepted

    def test_reasons_are_the_contract_list(self):
        assert set(REASONS) == {"expired", "replayed", "revoked", "bad_signature", "used", "not_yet_valid", "passback"}


class TestDeviceBound:
    @pytest.fixture
    def phone(self):
        return ec.generate_private_key(ec.SECP256R1())

    def cert(self, key, phone, **kw) -> bytes:
        dk = fmt.compress_public_key(phone.public_key())
        return fmt.device_certificate(claims(key, device_key=dk, **kw), dk, key.sign)

    def test_phone_signed_step_is_accepted(self, key, keys, phone):
        cert = self.cert(key, phone)
        for i in range(3):
            text = fmt.device_payload(cert, STEP + i, fmt.es256_signer(phone))
            assert verify_payload(text, keys, (), T0 + 30 * i).accepted

    def test_step_signed_by_another_phone_is_refused(self, key, keys, phone):
        thief = ec.generate_private_key(ec.SECP256R1())
        text = fmt.device_payload(self.cert(key, phone), STEP, fmt.es256_signer(thief))
        v = verify_payload(text, keys, (), T0)
        assert (v.reason, v.detail) == ("bad_signature", "device_signature")

    def test_screenshot_is_useless_after_the_skew_window(self, key, keys, phone):
        text = fmt.device_payload(self.cert(key, phone), STEP, fmt.es256_signer(phone))
        assert verify_payload(text, keys, (), T0 + 60).reason == "expired"

    def test_certificate_from_a_forged_issuer_is_refused(self, key, keys, phone):
        forger = IssuerKey()
        dk = fmt.compress_public_key(phone.public_key())
        cert = fmt.device_certificate(claims(key, device_key=dk), dk, forger.sign)
        text = fmt.device_payload(cert, STEP, fmt.es256_signer(phone))
        assert verify_payload(text, keys, (), T0).detail == "issuer_signature"

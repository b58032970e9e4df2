"""The dynamic-QR payload, format ``HT1`` (Hanoi Transit, version 1). Documented in docs/transit.md.

Text form: ``"HT1:" + base45(binary)`` (RFC 9285), so the QR uses the alphanumeric mode.
Binary form (big-endian), a fixed 34-byte ticket head followed by one of two tails::

    head   0  1  version (high nibble, 1) | mode (low nibble: 0 issuer, 1 device)
           1  4  kid: first 4 bytes of the transit key's RFC 7638 thumbprint
           5 16  ticket id (UUID)
          21  2  product number
          23  1  kind (0 single_ride, 1 day_pass, 2 monthly_pass)
          24  1  concession (0 none, 1 student, 2 elderly)
          25  4  valid_from, Unix seconds
          29  4  valid_until, Unix seconds
          33  1  time step length in seconds
    mode 0 (issuer signs every step; 102 bytes, 157 characters):
          34  4  step number = floor(unix time / step length)
          38 64  ES256 signature (r || s) by the transit key over bytes 0..37
    mode 1 (device-bound, after UIC FCB dynamic barcodes; 199 bytes, 303 characters):
          34 33  the phone's P-256 public key, SEC1 compressed
          67 64  ES256 signature by the transit key over bytes 0..66 (the device certificate)
         131  4  step number
         135 64  ES256 signature by the phone's key over bytes 0..134

Both forms fit a version 10 QR at error correction M (311 alphanumeric characters).
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from typing import NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from miniapps.transit.base45 import Base45Error, b45decode, b45encode

PREFIX = "HT1:"
VERSION = 1
MODE_ISSUER = 0
MODE_DEVICE = 1
KINDS = ("single_ride", "day_pass", "monthly_pass")
CONCESSIONS = (None, "student", "elderly")
SIGNATURE_SIZE = 64
DEVICE_KEY_SIZE = 33

_HEAD = struct.Struct(">B4s16sHBBIIB")
_STEP = struct.Struct(">I")
HEAD_SIZE = _HEAD.size  # 34
ISSUER_SIZE = HEAD_SIZE + _STEP.size + SIGNATURE_SIZE  # 102
CERTIFICATE_SIZE = HEAD_SIZE + DEVICE_KEY_SIZE + SIGNATURE_SIZE  # 131
DEVICE_SIZE = CERTIFICATE_SIZE + _STEP.size + SIGNATURE_SIZE  # 199
MAX_TEXT_LENGTH = len(PREFIX) + (DEVICE_SIZE // 2) * 3 + 2 * (DEVICE_SIZE % 2)

ES256 = ec.ECDSA(hashes.SHA256())
# RFC 6979 deterministic ECDSA: one step of one ticket always has the same payload, and signing
# never depends on the quality of a random number generator.
ES256_DETERMINISTIC = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
Signer = Callable[[bytes], bytes]


class PayloadError(ValueError):
    """The payload is not a well-formed ``HT1`` payload."""


class TicketClaims(NamedTuple):
    """What the issuer vouches for: the ticket, its product and validity, the key that signed."""

    kid: str
    ticket_id: uuid.UUID
    product_number: int
    kind: str
    concession: str | None
    valid_from: int
    valid_until: int
    step_seconds: int
    device_key: bytes | None = None


class ParsedPayload(NamedTuple):
    claims: TicketClaims
    step: int
    issuer_signed: bytes
    issuer_signature: bytes
    device_signed: bytes | None = None
    device_signature: bytes | None = None

    @property
    def mode(self) -> int:
        return MODE_ISSUER if self.device_signed is None else MODE_DEVICE


def step_of(unix_time: float, step_seconds: int) -> int:
    return int(unix_time // step_seconds)


def raw_signature(der: bytes) -> bytes:
    """DER ECDSA signature → fixed 64-byte ``r || s`` (RFC 7518 §3.4)."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def der_signature(raw: bytes) -> bytes:
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def es256_signer(private_key: ec.EllipticCurvePrivateKey) -> Signer:
    return lambda data: raw_signature(private_key.sign(data, ES256_DETERMINISTIC))


def compress_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return public_key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)


def _head(claims: TicketClaims, mode: int) -> bytes:
    try:
        return _HEAD.pack(
            (VERSION << 4) | mode,
            bytes.fromhex(claims.kid),
            claims.ticket_id.bytes,
            claims.product_number,
            KINDS.index(claims.kind),
            CONCESSIONS.index(claims.concession),
            claims.valid_from,
            claims.valid_until,
            claims.step_seconds,
        )
    except (struct.error, ValueError) as exc:
        raise PayloadError(f"claims do not fit the format: {exc}") from exc


def to_text(binary: bytes) -> str:
    return PREFIX + b45encode(binary)


def issuer_payload(claims: TicketClaims, step: int, sign: Signer) -> str:
    """Mode 0: the issuer signs the head and the step."""
    signed = _head(claims, MODE_ISSUER) + _STEP.pack(step)
    return to_text(signed + sign(signed))


def device_certificate(claims: TicketClaims, device_key: bytes, sign: Signer) -> bytes:
    """Mode 1, issuer half: the head and the phone's compressed key, signed by the transit key."""
    if len(device_key) != DEVICE_KEY_SIZE:
        raise PayloadError("device key must be a compressed P-256 point")
    signed = _head(claims, MODE_DEVICE) + device_key
    return signed + sign(signed)


def device_payload(certificate: bytes, step: int, sign: Signer) -> str:
    """Mode 1, phone half: what the phone shows for ``step``, signed offline with its own key."""
    if len(certificate) != CERTIFICATE_SIZE:
        raise PayloadError("certificate has the wrong length")
    signed = certificate + _STEP.pack(step)
    return to_text(signed + sign(signed))


def parse(payload: str | bytes) -> ParsedPayload:
    """Split a payload into its claims, step and signed parts. Checks structure, not signatures."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("ascii")
        except UnicodeDecodeError as exc:
            raise PayloadError("not ASCII") from exc
    if not isinstance(payload, str) or len(payload) > MAX_TEXT_LENGTH or not payload.startswith(PREFIX):
        raise PayloadError("not an HT1 payload")
    try:
        data = b45decode(payload[len(PREFIX):])
    except Base45Error as exc:
        raise PayloadError(str(exc)) from exc
    if len(data) < HEAD_SIZE:
        raise PayloadError("truncated")
    header, kid, tid, number, kind, concession, valid_from, valid_until, step_seconds = _HEAD.unpack_from(data)
    if header >> 4 != VERSION:
        raise PayloadError("unknown version")
    mode = header & 0x0F
    if kind >= len(KINDS) or concession >= len(CONCESSIONS) or step_seconds == 0 or valid_until <= valid_from:
        raise PayloadError("field out of range")
    if mode == MODE_ISSUER:
        if len(data) != ISSUER_SIZE:
            raise PayloadError("wrong length")
        split = HEAD_SIZE + _STEP.size
        claims = TicketClaims(
            kid.hex(), uuid.UUID(bytes=tid), number, KINDS[kind], CONCESSIONS[concession],
            valid_from, valid_until, step_seconds,
        )
        (step,) = _STEP.unpack_from(data, HEAD_SIZE)
        return ParsedPayload(claims, step, data[:split], data[split:])
    if mode == MODE_DEVICE:
        if len(data) != DEVICE_SIZE:
            raise PayloadError("wrong length")
        device_key = data[HEAD_SIZE:HEAD_SIZE + DEVICE_KEY_SIZE]
        claims = TicketClaims(
            kid.hex(), uuid.UUID(bytes=tid), number, KINDS[kind], CONCESSIONS[concession],
            valid_from, valid_until, step_seconds, device_key,
        )
        split = CERTIFICATE_SIZE - SIGNATURE_SIZE
        (step,) = _STEP.unpack_from(data, CERTIFICATE_SIZE)
        return ParsedPayload(
            claims, step, data[:split], data[split:CERTIFICATE_SIZE],
            data[:CERTIFICATE_SIZE + _STEP.size], data[CERTIFICATE_SIZE + _STEP.size:],
        )
    raise PayloadError("unknown mode")

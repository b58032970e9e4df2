"""The offline verifier: a payload, the transit keys, a deny list and a time → a verdict.

Pure: no database, no network, no clock of its own. A validator on a bus without signal runs
it with the keys from ``GET /v1/transit/keys`` and the deny list from
``GET /v1/transit/denylist``; the online endpoint runs the same function before its atomic
exactly-once checks. Clock skew of ``skew_steps`` time steps (default one) is tolerated.
"""

from __future__ import annotations

import uuid
from collections.abc import Container, Iterable, Mapping, MutableSet
from datetime import datetime
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from miniapps.transit.payload import (
    ES256,
    ParsedPayload,
    PayloadError,
    TicketClaims,
    der_signature,
    parse,
    step_of,
)

REASONS = ("expired", "replayed", "revoked", "bad_signature", "used", "not_yet_valid", "passback")
_CERT_MEMO_MAX = 50_000


class Verdict(NamedTuple):
    """``accepted`` or not; ``reason`` is one of :data:`REASONS`; ``detail`` refines it
    (``malformed``, ``unknown_key``, ``issuer_signature``, ``device_signature``, ``ticket``,
    ``step``)."""

    accepted: bool
    reason: str | None = None
    detail: str | None = None
    claims: TicketClaims | None = None
    step: int | None = None

    @property
    def result(self) -> str:
        return "accepted" if self.accepted else "rejected"


def _b64url_int(value: str) -> int:
    import base64

    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def public_key_from_jwk(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from its JWK (RFC 7518 §6.2.1). Raises ``ValueError`` otherwise."""
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise ValueError("not a P-256 public JWK")
    try:
        x, y = _b64url_int(jwk["x"]), _b64url_int(jwk["y"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("bad coordinates") from exc
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


class VerificationKeys:
    """Transit public keys by ``kid``, ready to verify; remembers the device certificates it has
    already checked (and the phone key inside) so a phone's later steps cost one signature
    verification, not two."""

    __slots__ = ("_certs", "_keys")

    def __init__(self, keys: Mapping[str, ec.EllipticCurvePublicKey]) -> None:
        self._keys = dict(keys)
        self._certs: dict[bytes, ec.EllipticCurvePublicKey | None] = {}

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> VerificationKeys:
        entries = jwks.get("keys", []) if isinstance(jwks, Mapping) else jwks
        keys = {}
        for jwk in entries:
            kid = jwk.get("kid")
            if isinstance(kid, str) and jwk.get("alg", "ES256") == "ES256":
                keys[kid] = public_key_from_jwk(jwk)
        return cls(keys)

    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        return self._keys.get(kid)

    def __contains__(self, kid: object) -> bool:
        return kid in self._keys

    def kids(self) -> list[str]:
        return list(self._keys)

    def _issuer_signature_ok(self, key: ec.EllipticCurvePublicKey, parsed: ParsedPayload) -> bool:
        try:
            key.verify(der_signature(parsed.issuer_signature), parsed.issuer_signed, ES256)
            return True
        except InvalidSignature:
            return False

    def _device_key(self, key: ec.EllipticCurvePublicKey, parsed: ParsedPayload) -> ec.EllipticCurvePublicKey | None:
        """The phone's key from a device certificate the issuer signed (None if it did not)."""
        memo_key = parsed.issuer_signed + parsed.issuer_signature
        if memo_key in self._certs:
            return self._certs[memo_key]
        device = None
        if self._issuer_signature_ok(key, parsed):
            try:
                device = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), parsed.claims.device_key)
            except ValueError:
                device = None
        if len(self._certs) >= _CERT_MEMO_MAX:
            self._certs.clear()
        self._certs[memo_key] = device
        return device


def _as_keys(keys: VerificationKeys | Mapping[str, Any]) -> VerificationKeys:
    if isinstance(keys, VerificationKeys):
        return keys
    if "keys" in keys:
        return VerificationKeys.from_jwks(keys)
    return VerificationKeys(
        {kid: k if isinstance(k, ec.EllipticCurvePublicKey) else public_key_from_jwk(k) for kid, k in keys.items()}
    )


def _device_signature_ok(device: ec.EllipticCurvePublicKey, parsed: ParsedPayload) -> bool:
    try:
        device.verify(der_signature(parsed.device_signature), parsed.device_signed, ES256)
        return True
    except InvalidSignature:
        return False


def _unix(now: datetime | float) -> float:
    return now.timestamp() if isinstance(now, datetime) else float(now)


class DenyList:
    """Revoked ticket ids (from ``GET /v1/transit/denylist``), normalised for O(1) lookups."""

    __slots__ = ("_ids",)

    def __init__(self, ids: Iterable[uuid.UUID | str] = ()) -> None:
        self._ids = frozenset(i if isinstance(i, uuid.UUID) else uuid.UUID(str(i)) for i in ids)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def with_entries(self, ids: Iterable[uuid.UUID | str]) -> DenyList:
        return DenyList([*self._ids, *ids])


def _denied(ticket_id: uuid.UUID, denylist: Container[Any]) -> bool:
    if type(denylist) is DenyList:
        return ticket_id in denylist
    return ticket_id in denylist or str(ticket_id) in denylist


def verify_payload(
    payload: str | bytes,
    keys: VerificationKeys | Mapping[str, Any],
    denylist: Container[Any] = (),
    now: datetime | float = 0.0,
    *,
    skew_steps: int = 1,
    seen: MutableSet[tuple[uuid.UUID, int]] | None = None,
) -> Verdict:
    """Verify ``payload`` offline at time ``now``.

    ``keys``: :class:`VerificationKeys` (fastest), a JWKS document or ``{kid: JWK | key}``.
    ``denylist``: revoked ticket ids: a :class:`DenyList` (fastest) or any container of
    ``uuid.UUID`` or ``str``. ``seen``: optional set of
    ``(ticket_id, step)`` this validator already accepted; an accepted payload is added to it,
    a second presentation of the same step is ``replayed``.
    """
    try:
        parsed = parse(payload)
    except PayloadError:
        return Verdict(False, "bad_signature", "malformed")
    ring = _as_keys(keys)
    claims = parsed.claims
    key = ring.get(claims.kid)
    if key is None:
        return Verdict(False, "bad_signature", "unknown_key")
    if parsed.device_signed is None:
        if not ring._issuer_signature_ok(key, parsed):
            return Verdict(False, "bad_signature", "issuer_signature")
    else:
        device = ring._device_key(key, parsed)
        if device is None:
            return Verdict(False, "bad_signature", "issuer_signature")
        if not _device_signature_ok(device, parsed):
            return Verdict(False, "bad_signature", "device_signature")
    if _denied(claims.ticket_id, denylist):
        return Verdict(False, "revoked", None, claims, parsed.step)
    t = _unix(now)
    if t < claims.valid_from:
        return Verdict(False, "not_yet_valid", "ticket", claims, parsed.step)
    if t >= claims.valid_until:
        return Verdict(False, "expired", "ticket", claims, parsed.step)
    current = step_of(t, claims.step_seconds)
    if parsed.step > current + skew_steps:
        return Verdict(False, "not_yet_valid", "step", claims, parsed.step)
    if parsed.step < current - skew_steps:
        return Verdict(False, "expired", "step", claims, parsed.step)
    if seen is not None:
        tap = (claims.ticket_id, parsed.step)
        if tap in seen:
            return Verdict(False, "replayed", None, claims, parsed.step)
        seen.add(tap)
    return Verdict(True, None, None, claims, parsed.step)

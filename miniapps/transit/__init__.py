"""Transit tickets with a dynamic QR, verifiable offline, a single ride accepted exactly once.

The offline verifier is importable without the web stack::

    from miniapps.transit import VerificationKeys, verify_payload
    keys = VerificationKeys.from_jwks(jwks)  # GET /v1/transit/keys
    verdict = verify_payload(scanned_text, keys, denylist, now)
"""

from miniapps.transit.payload import PayloadError, TicketClaims, parse
from miniapps.transit.verifier import (
    REASONS,
    DenyList,
    Verdict,
    VerificationKeys,
    public_key_from_jwk,
    verify_payload,
)

__all__ = [
    "REASONS",
    "DenyList",
    "PayloadError",
    "TicketClaims",
    "Verdict",
    "VerificationKeys",
    "parse",
    "public_key_from_jwk",
    "verify_payload",
]

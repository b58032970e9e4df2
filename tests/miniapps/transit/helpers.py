"""Building payloads directly, as the issuer and as a phone would."""

from __future__ import annotations

import uuid

from cryptography.hazmat.primitives.asymmetric import ec

from miniapps.transit.keys import public_jwk, thumbprint
from miniapps.transit.payload import TicketClaims, es256_signer

T0 = 1_800_000_000  # on a 30 s step boundary


class IssuerKey:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        jwk = public_jwk(self.private.public_key())
        self.kid = thumbprint(jwk)[:4].hex()
        self.jwk = {**jwk, "kid": self.kid, "alg": "ES256", "use": "sig"}
        self.sign = es256_signer(self.private)

    @property
    def jwks(self) -> dict:
        return {"keys": [self.jwk]}


def claims(key: IssuerKey, *, kind: str = "day_pass", valid_from: int = T0 - 3600, valid_until: int = T0 + 3600,
           ticket_id: uuid.UUID | None = None, device_key: bytes | None = None, step_seconds: int = 30) -> TicketClaims:
    return TicketClaims(
        kid=key.kid,
        ticket_id=ticket_id or uuid.uuid4(),
        product_number=2,
        kind=kind,
        concession=None,
        valid_from=valid_from,
        valid_until=valid_until,
        step_seconds=step_seconds,
        device_key=device_key,
    )

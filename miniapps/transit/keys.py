"""Transit signing keys: ES256, separate from the OpenID Connect keys, stored in the database
with the private half encrypted (Fernet, key derived from ``SUPERAPP_SECRET_KEY``), published
at ``GET /v1/transit/keys`` as a JWKS (RFC 7517).

Lifecycle as for the token keys: ``next`` (published so offline validators hold it before it
signs) → ``active`` → ``retired`` (published while any ticket it vouched for may still be shown).
The ``kid`` is the first 4 bytes of the RFC 7638 thumbprint, in hex: the payload carries those
4 bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.transit.config import aware, transit_settings
from miniapps.transit.errors import NoSigningKey
from miniapps.transit.models import TransitSigningKey
from miniapps.transit.payload import Signer, es256_signer
from miniapps.transit.verifier import VerificationKeys
from superapp.db import utcnow
from superapp.sealing import derived_fernet

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "transit.keyring"
CACHE_SECONDS = 60.0
RELOAD_MIN_INTERVAL = 5.0


def _fernet(secret_key: str) -> Fernet:
    return derived_fernet(secret_key, b"superapp-transit-keys:")


def _b64url(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x), "y": _b64url(numbers.y)}


def thumbprint(jwk: dict[str, str]) -> bytes:
    """RFC 7638 JWK thumbprint (SHA-256)."""
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    return hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()


def generate_key(secret_key: str, state: str) -> TransitSigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = public_jwk(private.public_key())
    kid = thumbprint(jwk)[:4].hex()
    jwk.update({"kid": kid, "alg": "ES256", "use": "sig"})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return TransitSigningKey(
        kid=kid,
        state=state,
        public_jwk=jwk,
        private_key_encrypted=_fernet(secret_key).encrypt(pem).decode(),
        activated_at=utcnow() if state == "active" else None,
    )


@dataclass
class TransitKeyring:
    """The active signer and every published public key, cached per process."""

    signing_kid: str | None
    signer: Signer | None
    verification: VerificationKeys
    jwks: dict[str, Any] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)

    def require_signer(self) -> tuple[str, Signer]:
        if self.signer is None or self.signing_kid is None:
            raise NoSigningKey()
        return self.signing_kid, self.signer


async def _load(ctx: AppContext) -> TransitKeyring:
    async with ctx.sessionmaker() as session:
        rows = (await session.exec(select(TransitSigningKey))).all()
    cutoff = utcnow() - timedelta(days=transit_settings(ctx).key_retention_days)
    active: TransitSigningKey | None = None
    published = []
    for row in rows:
        if row.state == "retired" and row.retired_at is not None and aware(row.retired_at) < cutoff:
            continue
        published.append(row.public_jwk)
        if row.state == "active" and (active is None or aware(row.activated_at) > aware(active.activated_at)):
            active = row
    signer = None
    if active is not None:
        pem = _fernet(ctx.settings.secrets["secret_key"]).decrypt(active.private_key_encrypted.encode())
        signer = es256_signer(serialization.load_pem_private_key(pem, password=None))
    jwks = {"keys": published}
    return TransitKeyring(
        signing_kid=active.kid if active else None,
        signer=signer,
        verification=VerificationKeys.from_jwks(jwks),
        jwks=jwks,
    )


async def get_keyring(ctx: AppContext, *, refresh: bool = False) -> TransitKeyring:
    """The cached keyring; ``refresh`` reloads it (at most every few seconds) for an unknown kid."""
    cached: TransitKeyring | None = ctx.cache.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None:
        age = now - cached.loaded_at
        if (not refresh and age < CACHE_SECONDS) or (refresh and age < RELOAD_MIN_INTERVAL):
            return cached
    keyring = await _load(ctx)
    ctx.cache[CACHE_KEY] = keyring
    return keyring


async def ensure_keys(ctx: AppContext) -> None:
    """Startup: an ``active`` and a ``next`` transit key exist."""
    async with ctx.sessionmaker() as session:
        rows = (
            await session.exec(select(TransitSigningKey).where(TransitSigningKey.state.in_(["active", "next"])))
        ).all()
        states = {r.state for r in rows}
        secret = ctx.settings.secrets["secret_key"]
        if "active" not in states:
            session.add(generate_key(secret, "active"))
        if "next" not in states:
            session.add(generate_key(secret, "next"))
        await session.commit()
    ctx.cache.pop(CACHE_KEY, None)


async def rotate(session: AsyncSession, secret_key: str) -> dict[str, str | None]:
    """Promote ``next`` to ``active``, retire the old ``active``, publish a new ``next``."""
    rows = (
        await session.exec(select(TransitSigningKey).where(TransitSigningKey.state.in_(["active", "next"])))
    ).all()
    now = utcnow()
    nxt = next((r for r in rows if r.state == "next"), None)
    retired = []
    for r in rows:
        if r.state == "active":
            r.state, r.retired_at = "retired", now
            retired.append(r.kid)
    if nxt is None:
        nxt = generate_key(secret_key, "active")
        session.add(nxt)
    nxt.state, nxt.activated_at = "active", now
    new_next = generate_key(secret_key, "next")
    session.add(new_next)
    await session.flush()
    return {"active": nxt.kid, "next": new_next.kid, "retired": ",".join(retired) or None}

"""Token-signing keys: stored in the database, private halves encrypted (Fernet with a key
derived from ``SUPERAPP_SECRET_KEY``), published through JWKS.

Lifecycle: ``next`` (published, not signing) → ``active`` (signing) → ``retired`` (published
until every token it signed has expired). ``superapp keys rotate`` promotes ``next`` and
creates a new ``next``, so verifiers already hold a key before it signs anything.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk
from jose.backends.base import Key
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import SigningKey
from superapp.db import utcnow
from superapp.sealing import derived_fernet

if TYPE_CHECKING:
    from superapp.context import AppContext

ALLOWED_ALGS = ("ES256", "RS256")
CACHE_SECONDS = 60.0
RELOAD_MIN_INTERVAL = 5.0


def _fernet(secret_key: str) -> Fernet:
    return derived_fernet(secret_key, b"superapp-signing-keys:")


def generate_key(alg: str, secret_key: str, state: str = "next") -> SigningKey:
    if alg not in ALLOWED_ALGS:
        raise ValueError(f"unsupported algorithm {alg}")
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_jwk = jwk.construct(public_pem, alg).to_dict()
    # RFC 7638 thumbprint as kid.
    members = {k: public_jwk[k] for k in (("crv", "kty", "x", "y") if alg == "ES256" else ("e", "kty", "n"))}
    import json

    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    public_jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    return SigningKey(
        kid=kid,
        alg=alg,
        state=state,
        public_jwk=public_jwk,
        private_key_encrypted=_fernet(secret_key).encrypt(pem).decode(),
        activated_at=utcnow() if state == "active" else None,
    )


@dataclass
class KeySet:
    """What a process needs to sign and verify, built from the table and cached."""

    signing_kid: str | None
    signing_alg: str | None
    signing_key: Key | None
    verify_keys: dict[str, tuple[str, Key]] = field(default_factory=dict)  # kid -> (alg, key)
    jwks: dict[str, Any] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)


def _max_token_lifetime(ctx: AppContext) -> timedelta:
    s = ctx.settings
    return timedelta(seconds=max(s.access_token_ttl_seconds, s.id_token_ttl_seconds) + 300)


async def _load(ctx: AppContext) -> KeySet:
    async with ctx.sessionmaker() as session:
        rows = (await session.exec(select(SigningKey))).all()
    cutoff = utcnow() - _max_token_lifetime(ctx)
    secret = ctx.settings.secrets["secret_key"]
    fernet = _fernet(secret)
    signing: SigningKey | None = None
    verify: dict[str, tuple[str, Key]] = {}
    published = []
    for row in rows:
        if row.state == "retired" and row.retired_at is not None and _aware(row.retired_at) < cutoff:
            continue
        verify[row.kid] = (row.alg, jwk.construct(row.public_jwk, row.alg))
        published.append(row.public_jwk)
        if row.state == "active" and (signing is None or _aware(row.activated_at) > _aware(signing.activated_at)):
            signing = row
    signing_key = None
    if signing is not None:
        pem = fernet.decrypt(signing.private_key_encrypted.encode())
        signing_key = jwk.construct(pem, signing.alg)
    return KeySet(
        signing_kid=signing.kid if signing else None,
        signing_alg=signing.alg if signing else None,
        signing_key=signing_key,
        verify_keys=verify,
        jwks={"keys": published},
    )


def _aware(dt):  # SQLite drops tzinfo
    from datetime import UTC

    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


async def get_keyset(ctx: AppContext, *, refresh: bool = False) -> KeySet:
    cached: KeySet | None = ctx.cache.get("keyset")
    now = time.monotonic()
    if cached is not None and not refresh and now - cached.loaded_at < CACHE_SECONDS:
        return cached
    if cached is not None and refresh and now - cached.loaded_at < RELOAD_MIN_INTERVAL:
        return cached
    keyset = await _load(ctx)
    if keyset.signing_key is None:
        await ensure_keys(ctx)
        keyset = await _load(ctx)
    ctx.cache["keyset"] = keyset
    return keyset


async def ensure_keys(ctx: AppContext, alg: str = "ES256") -> None:
    """Make sure an active and a next key exist (first start)."""
    async with ctx.sessionmaker() as session:
        rows = (await session.exec(select(SigningKey).where(SigningKey.state.in_(["active", "next"])))).all()
        states = {r.state for r in rows}
        secret = ctx.settings.secrets["secret_key"]
        if "active" not in states:
            session.add(generate_key(alg, secret, state="active"))
        if "next" not in states:
            session.add(generate_key(alg, secret, state="next"))
        await session.commit()
    ctx.cache.pop("keyset", None)


async def rotate(session: AsyncSession, secret_key: str, alg: str = "ES256") -> dict[str, str | None]:
    """Promote ``next`` to ``active``, retire the old ``active``, publish a new ``next``."""
    rows = (await session.exec(select(SigningKey).where(SigningKey.state.in_(["active", "next"])))).all()
    now = utcnow()
    nxt = next((r for r in rows if r.state == "next"), None)
    retired = []
    for r in rows:
        if r.state == "active":
            r.state, r.retired_at = "retired", now
            retired.append(r.kid)
    if nxt is None:
        nxt = generate_key(alg, secret_key, state="active")
        session.add(nxt)
    nxt.state, nxt.activated_at = "active", now
    new_next = generate_key(alg, secret_key, state="next")
    session.add(new_next)
    await session.flush()
    return {"active": nxt.kid, "next": new_next.kid, "retired": ",".join(retired) or None}

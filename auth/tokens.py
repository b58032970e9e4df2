"""JWT access tokens (RFC 9068 profile): issued by the provider, verified locally by every module.

Claims: ``iss, sub, aud, exp, iat, jti, client_id, scope`` and, when bound to a login,
``sid`` (session) and ``gid`` (grant, for revocation). Header carries ``kid``; algorithms
come from an explicit allow-list (``ES256``, ``RS256``): ``none`` and HMAC are never accepted.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jose import jwt
from jose.exceptions import JOSEError

from auth.keys import ALLOWED_ALGS, get_keyset

if TYPE_CHECKING:
    from superapp.context import AppContext

ACCESS_TOKEN_TYPE = "at+jwt"


def api_audience(ctx: AppContext) -> str:
    """The audience of access tokens for this API."""
    return ctx.settings.resolved_issuer + "/v1"


class InvalidToken(Exception):
    """The token is malformed, badly signed, expired, for another audience or revoked."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: int
    jti: str
    claims: dict[str, Any] = field(default_factory=dict)


async def sign(ctx: AppContext, claims: dict[str, Any], *, typ: str = "JWT") -> str:
    keyset = await get_keyset(ctx)
    return jwt.encode(
        claims,
        keyset.signing_key,
        algorithm=keyset.signing_alg,
        headers={"kid": keyset.signing_kid, "typ": typ},
    )


async def issue_access_token(
    ctx: AppContext,
    *,
    sub: str,
    client_id: str,
    scopes: list[str] | tuple[str, ...],
    sid: str | None = None,
    gid: str | None = None,
    audience: str | list[str] | None = None,
    ttl_seconds: int | None = None,
    extra: dict[str, Any] | None = None,
) -> IssuedToken:
    now = int(time.time())
    ttl = min(ttl_seconds or ctx.settings.access_token_ttl_seconds, 900)
    jti = uuid.uuid4().hex
    claims: dict[str, Any] = {
        "iss": ctx.settings.resolved_issuer,
        "sub": sub,
        "aud": audience or api_audience(ctx),
        "exp": now + ttl,
        "iat": now,
        "jti": jti,
        "client_id": client_id,
        "scope": " ".join(scopes),
    }
    if sid:
        claims["sid"] = sid
    if gid:
        claims["gid"] = gid
    if extra:
        claims.update(extra)
    token = await sign(ctx, claims, typ=ACCESS_TOKEN_TYPE)
    return IssuedToken(token=token, expires_at=claims["exp"], jti=jti, claims=claims)


async def verify_jwt(
    ctx: AppContext,
    token: str,
    *,
    audience: str | None = None,
    verify_exp: bool = True,
    leeway: int = 0,
    verify_at_hash: bool = True,
) -> dict[str, Any]:
    """Verify signature (allow-listed algorithms, known ``kid``), issuer, audience and expiry.

    ``verify_at_hash=False`` reads an ID token without its access token (``id_token_hint``)."""
    if not token or len(token) > 8192 or token.count(".") != 2:
        raise InvalidToken("malformed")
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError as exc:
        raise InvalidToken("malformed header") from exc
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALLOWED_ALGS or not isinstance(kid, str):
        raise InvalidToken("algorithm not allowed")
    keyset = await get_keyset(ctx)
    entry = keyset.verify_keys.get(kid)
    if entry is None:
        keyset = await get_keyset(ctx, refresh=True)
        entry = keyset.verify_keys.get(kid)
    if entry is None:
        raise InvalidToken("unknown kid")
    key_alg, key = entry
    if key_alg != alg:
        raise InvalidToken("algorithm does not match key")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[key_alg],
            audience=audience,
            issuer=ctx.settings.resolved_issuer,
            options={
                "verify_aud": audience is not None,
                "verify_exp": verify_exp,
                "verify_at_hash": verify_at_hash,
                "leeway": leeway,
                "require_iat": True,
                "require_exp": True,
            },
        )
    except JOSEError as exc:
        raise InvalidToken(str(exc)) from exc

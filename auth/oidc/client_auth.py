"""Client authentication at the token, revocation, introspection and challenge endpoints.

- ``client_secret_basic`` / ``client_secret_post``: RFC 6749 §2.3.1 (secrets compared as
  SHA-256 digests in constant time).
- ``private_key_jwt``: RFC 7523 §2.2 and §3 with OIDC Core §9: a JWT signed by a key in the
  client's registered JWKS (or ``jwks_uri``), ``iss`` = ``sub`` = client id, ``aud`` the token
  endpoint or the issuer, ``exp`` at most 2 minutes after ``iat``, ``jti`` used once (Redis
  ``SET NX``).
- ``none``: public clients (RFC 6749 §2.1), which must use PKCE.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from urllib.parse import unquote_plus

import httpx
from jose import jwk, jwt
from jose.exceptions import JOSEError
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData, Headers

from auth import client_invalidation
from auth.deps import cached_client
from auth.models import OAuthClient
from auth.oidc import opaque
from auth.oidc.errors import OAuthError, invalid_client
from superapp.context import AppContext

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = ("ES256", "RS256")
MAX_ASSERTION_SECONDS = 120
JWKS_CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class AuthenticatedClient:
    client: OAuthClient
    method: str


def _basic_credentials(headers: Headers) -> tuple[str, str] | None:
    header = headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_client("malformed Basic credentials", basic=True) from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        raise invalid_client("malformed Basic credentials", basic=True)
    return unquote_plus(client_id), unquote_plus(secret)


async def authenticate_client(
    ctx: AppContext, session: AsyncSession, headers: Headers, form: FormData, *, token_endpoint: str
) -> AuthenticatedClient:
    """Identify and authenticate the client, or raise ``invalid_client`` / ``invalid_request``."""
    basic = _basic_credentials(headers)
    assertion_type = form.get("client_assertion_type")
    assertion = form.get("client_assertion")
    form_secret = form.get("client_secret")
    form_client_id = form.get("client_id")
    used = [m for m, present in (("basic", basic), ("post", form_secret), ("jwt", assertion)) if present]
    if len(used) > 1:
        raise OAuthError("invalid_request", "use exactly one client authentication method")

    if basic is not None:
        client_id, secret = basic
        if form_client_id and form_client_id != client_id:
            raise OAuthError("invalid_request", "client_id does not match the credentials")
        client = await _active_client(ctx, session, client_id, basic=True)
        if client.client_type != "confidential" or not opaque.matches(secret, client.secret_hash):
            raise invalid_client(basic=True)
        return AuthenticatedClient(client, "client_secret_basic")

    if assertion is not None:
        if assertion_type != JWT_BEARER:
            raise OAuthError("invalid_request", "unsupported client_assertion_type")
        client = await _verify_assertion(ctx, session, str(assertion), token_endpoint, form_client_id)
        return AuthenticatedClient(client, "private_key_jwt")

    if not form_client_id or not isinstance(form_client_id, str):
        raise invalid_client("client authentication is required")
    client = await _active_client(ctx, session, form_client_id)
    if form_secret is not None:
        if client.client_type != "confidential" or not opaque.matches(str(form_secret), client.secret_hash):
            raise invalid_client()
        return AuthenticatedClient(client, "client_secret_post")
    if client.client_type != "public":
        raise invalid_client("this client must authenticate")
    return AuthenticatedClient(client, "none")


async def _active_client(ctx: AppContext, session: AsyncSession, client_id: str, *, basic: bool = False) -> OAuthClient:
    if len(client_id) > 64:
        raise invalid_client(basic=basic)
    client = await cached_client(ctx, session, client_id)
    if client is not None and await _recently_revoked(ctx, client_id):
        # Revoked recently (suspension): the cached row may be stale in this process.
        client_invalidation.forget(ctx, client_id)
        client = await cached_client(ctx, session, client_id)
    if client is None or not client.is_active:
        raise invalid_client(basic=basic)
    return client


async def _recently_revoked(ctx: AppContext, client_id: str) -> bool:
    """The revocation index says so; announced to this process without a Redis read while its
    invalidation channel is up (``auth.client_invalidation``)."""
    known = client_invalidation.recently_revoked(ctx, client_id)
    if known is not None:
        return known
    return bool(await ctx.redis.exists(ctx.rkey("rev", "client", client_id)))


async def _verify_assertion(
    ctx: AppContext, session: AsyncSession, assertion: str, token_endpoint: str, form_client_id
) -> OAuthClient:
    if len(assertion) > 8192 or assertion.count(".") != 2:
        raise invalid_client("malformed client assertion")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.get_unverified_claims(assertion)
    except JOSEError as exc:
        raise invalid_client("malformed client assertion") from exc
    client_id = unverified.get("iss")
    if not isinstance(client_id, str) or unverified.get("sub") != client_id:
        raise invalid_client("iss and sub must be the client id")
    if form_client_id and form_client_id != client_id:
        raise OAuthError("invalid_request", "client_id does not match the assertion")
    client = await _active_client(ctx, session, client_id)
    if client.client_type != "confidential" or not (client.jwks or client.jwks_uri):
        raise invalid_client("no keys registered for private_key_jwt")
    alg = header.get("alg")
    if alg not in ASSERTION_ALGS:
        raise invalid_client("assertion algorithm not allowed")
    keys = await _client_keys(ctx, client)
    candidates = [k for k in keys if not header.get("kid") or k.get("kid") == header.get("kid")]
    claims = None
    for key in candidates:
        try:
            claims = jwt.decode(
                assertion,
                jwk.construct(key, alg),
                algorithms=[alg],
                options={"verify_aud": False, "require_exp": True, "require_iat": True, "require_jti": True},
            )
            break
        except (JOSEError, ValueError, TypeError):
            continue
    if claims is None:
        raise invalid_client("assertion signature not valid")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if not {token_endpoint, ctx.settings.resolved_issuer} & set(audiences):
        raise invalid_client("assertion audience not valid")
    exp, iat, jti = claims.get("exp"), claims.get("iat"), claims.get("jti")
    if not isinstance(exp, int) or not isinstance(iat, int) or exp - iat > MAX_ASSERTION_SECONDS:
        raise invalid_client("assertion lifetime longer than 2 minutes")
    if not isinstance(jti, str) or not (1 <= len(jti) <= 200):
        raise invalid_client("assertion jti missing")
    ttl = max(1, exp - int(time.time()) + 60)
    first = await ctx.redis.set(ctx.rkey("oidc", "jti", client.client_id, jti), b"1", nx=True, ex=ttl)
    if not first:
        raise invalid_client("assertion already used")
    return client


async def _client_keys(ctx: AppContext, client: OAuthClient) -> list[dict]:
    if client.jwks:
        return list(client.jwks.get("keys") or [])
    cache: dict[str, tuple[float, list[dict]]] = ctx.cache.setdefault("client_jwks", {})
    hit = cache.get(client.jwks_uri or "")
    if hit and time.monotonic() - hit[0] < JWKS_CACHE_SECONDS:
        return hit[1]
    try:
        async with httpx.AsyncClient(timeout=5.0, follow_redirects=False) as http:
            response = await http.get(client.jwks_uri)
        response.raise_for_status()
        keys = list(response.json().get("keys") or [])
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise invalid_client("client jwks_uri could not be read") from exc
    cache[client.jwks_uri] = (time.monotonic(), keys)
    return keys

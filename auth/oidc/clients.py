"""Registering OAuth clients (RFC 6749 §2, RFC 8252 for native apps).

Secrets are 256-bit random strings stored as SHA-256 hex digests and shown once. Redirect URIs
are absolute, without fragment; plain ``http`` only for loopback addresses (RFC 8252 §7.3);
private-use schemes (``vn.hanoi.superapp:/…``) for native apps (RFC 8252 §7.1).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from auth.models import OAuthClient
from auth.oidc import opaque
from auth.oidc.scopes import CLIENT_CREDENTIALS_SCOPES
from superapp.errors import AppError

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
CLIENT_TYPES = ("public", "confidential")
DEFAULT_GRANTS = ("authorization_code", "refresh_token")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,64}$")  # RFC 6749 §3.3 scope-token


class InvalidClientMetadata(AppError):
    """RFC 7591 §3.2.2 ``invalid_client_metadata``."""

    status = 422
    code = "oidc.invalid_client_metadata"


@dataclass(frozen=True)
class NewClient:
    client: OAuthClient
    client_secret: str | None

    def as_output(self) -> dict[str, str]:
        out = {"client_id": self.client.client_id}
        if self.client_secret:
            out["client_secret"] = self.client_secret
        return out


def new_client_secret() -> tuple[str, str]:
    """``(secret, sha256_hex)``: the secret to show once and the digest to store."""
    secret = opaque.new_secret(32)
    return secret, opaque.digest(secret)


def redirect_uri_problem(uri: str) -> str | None:
    if not uri or len(uri) > 2000 or any(c.isspace() for c in uri):
        return "empty or too long"
    parts = urlsplit(uri)
    if parts.fragment or "#" in uri:
        return "must not contain a fragment"
    if not parts.scheme:
        return "must be absolute"
    if parts.scheme == "https":
        return None if parts.hostname else "needs a host"
    if parts.scheme == "http":
        return None if parts.hostname in LOOPBACK_HOSTS else "http only for loopback"
    if parts.scheme in ("javascript", "data", "file", "vbscript"):
        return "scheme not allowed"
    return None if "." in parts.scheme else "private-use schemes are reverse domain names"


def validate_metadata(
    *, client_type: str, redirect_uris: list[str], scopes: list[str], grant_types: list[str]
) -> None:
    if client_type not in CLIENT_TYPES:
        raise InvalidClientMetadata(field="type")
    for uri in redirect_uris:
        if redirect_uri_problem(uri):
            raise InvalidClientMetadata(field="redirect_uri", value=uri, reason=redirect_uri_problem(uri))
    for scope in scopes:
        if not _SCOPE_TOKEN.match(scope):
            raise InvalidClientMetadata(field="scope", value=scope)
    for grant in grant_types:
        if grant not in GRANT_TYPES:
            raise InvalidClientMetadata(field="grant", value=grant)
    if "client_credentials" in grant_types and client_type == "public":
        raise InvalidClientMetadata(field="grant", value="client_credentials", reason="public clients cannot")


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    redirect_uris: list[str] | None = None,
    client_type: str = "confidential",
    scopes: list[str] | None = None,
    grant_types: list[str] | None = None,
    first_party: bool = False,
    client_id: str | None = None,
    post_logout_redirect_uris: list[str] | None = None,
    backchannel_logout_uri: str | None = None,
    token_endpoint_auth_method: str | None = None,
    jwks: dict | None = None,
    jwks_uri: str | None = None,
    owner_id=None,
) -> NewClient:
    """Create a client. Confidential clients get a secret (returned once) unless they use
    ``private_key_jwt``; public clients authenticate with ``none`` and PKCE."""
    redirect_uris = list(dict.fromkeys(redirect_uris or []))
    scopes = list(dict.fromkeys(scopes or []))
    grant_types = list(dict.fromkeys(grant_types or DEFAULT_GRANTS))
    if not name or len(name) > 200:
        raise InvalidClientMetadata(field="name")
    validate_metadata(client_type=client_type, redirect_uris=redirect_uris, scopes=scopes, grant_types=grant_types)
    for uri in [*(post_logout_redirect_uris or []), *([backchannel_logout_uri] if backchannel_logout_uri else [])]:
        if redirect_uri_problem(uri):
            raise InvalidClientMetadata(field="logout_uri", value=uri)
    if client_type == "public":
        method = "none"
    else:
        method = token_endpoint_auth_method or ("private_key_jwt" if (jwks or jwks_uri) else "client_secret_basic")
    if method not in ("none", "client_secret_basic", "client_secret_post", "private_key_jwt"):
        raise InvalidClientMetadata(field="token_endpoint_auth_method")
    if method == "private_key_jwt" and not (jwks or jwks_uri):
        raise InvalidClientMetadata(field="jwks")
    secret, secret_hash = (None, None)
    if client_type == "confidential" and method != "private_key_jwt":
        secret, secret_hash = new_client_secret()
    client = OAuthClient(
        client_id=client_id or "c_" + secrets.token_hex(12),
        name=name,
        client_type=client_type,
        secret_hash=secret_hash,
        token_endpoint_auth_method=method,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=list(post_logout_redirect_uris or []),
        scopes=scopes,
        grant_types=grant_types,
        first_party=first_party,
        backchannel_logout_uri=backchannel_logout_uri,
        jwks=jwks,
        jwks_uri=jwks_uri,
        owner_id=owner_id,
    )
    session.add(client)
    await session.flush()
    return NewClient(client, secret)


def client_credentials_scopes(client: OAuthClient) -> list[str]:
    """The client-credentials scopes this client may ask for."""
    return [s for s in (client.scopes or []) if s in CLIENT_CREDENTIALS_SCOPES]

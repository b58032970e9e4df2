"""The console as an OpenID Connect relying party of our own provider, called in-process.

Authorization code flow with PKCE (RFC 7636, ``S256``) and ``client_secret_basic``
(RFC 6749 §2.3.1); endpoints discovered from ``/.well-known/openid-configuration``
(OpenID Connect Discovery 1.0); ID token checks of OpenID Connect Core 1.0 §3.1.3.7;
refresh (RFC 6749 §6) and revocation (RFC 7009).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from jose import jwt
from jose.exceptions import JOSEError

from superapp.console.errors import ProviderUnavailable, SignInFailed
from superapp.console.registration import (
    CONSOLE_CLIENT_ID,
    CONSOLE_SCOPES,
    console_client_secret,
    post_logout_redirect_uri,
    redirect_uri,
)
from superapp.context import AppContext

DISCOVERY_PATH = "/.well-known/openid-configuration"
CACHE_SECONDS = 300.0
TIMEOUT = httpx.Timeout(30.0)


def in_process_client(app: FastAPI, issuer: str) -> httpx.AsyncClient:
    """An HTTP client that sends requests straight into this app (no network)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=issuer, timeout=TIMEOUT)


def new_pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) per RFC 7636 §4.1–4.2."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: float
    refresh_token: str | None
    id_token: str | None
    scope: str


class OidcProvider:
    """Talks to the provider mounted in ``app``. One instance per request is cheap."""

    def __init__(self, app: FastAPI, ctx: AppContext) -> None:
        self.app = app
        self.ctx = ctx
        self.issuer = ctx.settings.resolved_issuer

    def _http(self) -> httpx.AsyncClient:
        return in_process_client(self.app, self.issuer)

    async def _get_json(self, path_or_url: str) -> dict[str, Any]:
        try:
            async with self._http() as http:
                r = await http.get(self._path(path_or_url))
        except httpx.HTTPError as exc:
            raise ProviderUnavailable() from exc
        if r.status_code != 200:
            raise ProviderUnavailable()
        try:
            return r.json()
        except ValueError as exc:
            raise ProviderUnavailable() from exc

    def _path(self, url: str) -> str:
        """Endpoints are absolute URLs on our own issuer; send only their path in-process."""
        return url[len(self.issuer) :] if url.startswith(self.issuer) else url

    async def configuration(self) -> dict[str, Any]:
        cached = self.ctx.cache.get("console:oidc-config")
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        config = await self._get_json(DISCOVERY_PATH)
        for key in ("authorization_endpoint", "token_endpoint"):
            if not isinstance(config.get(key), str):
                raise ProviderUnavailable()
        self.ctx.cache["console:oidc-config"] = (time.monotonic(), config)
        return config

    async def jwks(self) -> dict[str, Any]:
        cached = self.ctx.cache.get("console:jwks")
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        config = await self.configuration()
        keys = await self._get_json(config["jwks_uri"])
        self.ctx.cache["console:jwks"] = (time.monotonic(), keys)
        return keys

    async def authorization_url(self, *, state: str, nonce: str, code_challenge: str, lang: str) -> str:
        config = await self.configuration()
        query = urlencode(
            {
                "response_type": "code",
                "client_id": CONSOLE_CLIENT_ID,
                "redirect_uri": redirect_uri(self.ctx.settings),
                "scope": " ".join(CONSOLE_SCOPES),
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge,
                "code_challenge_method": "S256",
                "ui_locales": lang,
            }
        )
        endpoint = config["authorization_endpoint"]
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def end_session_url(self, id_token: str | None) -> str | None:
        config = await self.configuration()
        endpoint = config.get("end_session_endpoint")
        if not isinstance(endpoint, str):
            return None
        params = {"client_id": CONSOLE_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri(self.ctx.settings)}
        if id_token:
            params["id_token_hint"] = id_token
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    async def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        config = await self.configuration()
        auth = httpx.BasicAuth(CONSOLE_CLIENT_ID, console_client_secret(self.ctx.settings))
        try:
            async with self._http() as http:
                r = await http.post(self._path(config["token_endpoint"]), data=form, auth=auth)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable() from exc
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code != 200 or not isinstance(body.get("access_token"), str):
            raise SignInFailed(reason=str(body.get("error") or r.status_code))
        return body

    @staticmethod
    def _token_set(body: dict[str, Any], previous_refresh: str | None = None) -> TokenSet:
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, (int, float)) else 300.0
        return TokenSet(
            access_token=body["access_token"],
            expires_at=time.time() + lifetime,
            refresh_token=body.get("refresh_token") or previous_refresh,
            id_token=body.get("id_token"),
            scope=str(body.get("scope") or ""),
        )

    async def exchange_code(self, *, code: str, code_verifier: str, nonce: str) -> tuple[TokenSet, dict[str, Any]]:
        body = await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(self.ctx.settings),
                "code_verifier": code_verifier,
            }
        )
        tokens = self._token_set(body)
        if not tokens.id_token:
            raise SignInFailed(reason="missing_id_token")
        claims = await self.verify_id_token(tokens.id_token, nonce=nonce, access_token=tokens.access_token)
        return tokens, claims

    async def refresh(self, refresh_token: str) -> TokenSet:
        body = await self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
        return self._token_set(body, previous_refresh=refresh_token)

    async def revoke(self, token: str, hint: str = "refresh_token") -> None:
        """Best effort: a provider that is down must not keep a staff member signed in here."""
        config = await self.configuration()
        endpoint = config.get("revocation_endpoint")
        if not isinstance(endpoint, str):
            return
        auth = httpx.BasicAuth(CONSOLE_CLIENT_ID, console_client_secret(self.ctx.settings))
        try:
            async with self._http() as http:
                await http.post(self._path(endpoint), data={"token": token, "token_type_hint": hint}, auth=auth)
        except httpx.HTTPError:
            return

    async def verify_id_token(self, id_token: str, *, nonce: str, access_token: str | None = None) -> dict[str, Any]:
        """Signature against ``jwks_uri``, ``iss``, ``aud``, ``exp``, ``nonce`` and ``at_hash``.

        A key unknown to the cached JWKS (rotation) makes one fresh fetch before giving up.
        """
        try:
            claims = self._decode(id_token, await self.jwks(), access_token)
        except JOSEError:
            self.ctx.cache.pop("console:jwks", None)
            try:
                claims = self._decode(id_token, await self.jwks(), access_token)
            except JOSEError as exc:
                raise SignInFailed(reason="invalid_id_token") from exc
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
            raise SignInFailed(reason="nonce_mismatch")
        return claims

    def _decode(self, id_token: str, keys: dict[str, Any], access_token: str | None) -> dict[str, Any]:
        return jwt.decode(
            id_token,
            keys,
            algorithms=["ES256", "RS256"],
            audience=CONSOLE_CLIENT_ID,
            issuer=self.issuer,
            access_token=access_token,
            options={"verify_at_hash": access_token is not None},
        )

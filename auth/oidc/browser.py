"""Browser state of the provider: the session cookie, CSRF tokens and the signed
authorization request carried between the login and consent pages.

- Session cookie: an opaque 256-bit value (its SHA-256 is the session row's key), HttpOnly,
  SameSite=Lax, Secure whenever the issuer is https (``__Host-`` prefix then).
- CSRF: double submit; a random cookie and, in each form, its HMAC under the server secret.
- The authorization request is validated once and carried in a signed, time-limited hidden
  field (itsdangerous), so the pages cannot be fed a different request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from auth.oidc.login_sessions import BROWSER_SESSION_SECONDS
from superapp.context import AppContext

REQUEST_MAX_AGE = 1800
CSRF_MAX_AGE = 3600


def _secure(ctx: AppContext) -> bool:
    return ctx.settings.resolved_issuer.startswith("https://")


def session_cookie_name(ctx: AppContext) -> str:
    return "__Host-sa_session" if _secure(ctx) else "sa_session"


def csrf_cookie_name(ctx: AppContext) -> str:
    return "__Host-sa_csrf" if _secure(ctx) else "sa_csrf"


def read_session_cookie(ctx: AppContext, request: Request) -> str | None:
    return request.cookies.get(session_cookie_name(ctx))


def set_session_cookie(ctx: AppContext, response: Response, value: str) -> None:
    response.set_cookie(
        session_cookie_name(ctx), value, max_age=BROWSER_SESSION_SECONDS, path="/",
        secure=_secure(ctx), httponly=True, samesite="lax",
    )


def clear_session_cookie(ctx: AppContext, response: Response) -> None:
    response.delete_cookie(session_cookie_name(ctx), path="/", secure=_secure(ctx), httponly=True, samesite="lax")


def _csrf_mac(ctx: AppContext, nonce: str) -> str:
    key = hashlib.sha256(b"superapp-csrf:" + ctx.settings.secrets["secret_key"].encode()).digest()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


class Csrf:
    """The CSRF nonce of this browser (existing cookie, or a new one to set on the response)."""

    def __init__(self, ctx: AppContext, request: Request) -> None:
        self.ctx = ctx
        existing = request.cookies.get(csrf_cookie_name(ctx))
        self.is_new = not existing or len(existing) > 100
        self.nonce = secrets.token_urlsafe(32) if self.is_new else existing

    @property
    def token(self) -> str:
        return _csrf_mac(self.ctx, self.nonce)

    def attach(self, response: Response) -> Response:
        if self.is_new:
            response.set_cookie(
                csrf_cookie_name(self.ctx), self.nonce, max_age=CSRF_MAX_AGE, path="/",
                secure=_secure(self.ctx), httponly=True, samesite="lax",
            )
        return response


def csrf_valid(ctx: AppContext, request: Request, token: str | None) -> bool:
    nonce = request.cookies.get(csrf_cookie_name(ctx))
    if not nonce or not token:
        return False
    return hmac.compare_digest(_csrf_mac(ctx, nonce), token)


def _serializer(ctx: AppContext) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(ctx.settings.secrets["secret_key"], salt="superapp.oidc.authorize")


def seal_request(ctx: AppContext, params: dict[str, Any]) -> str:
    return _serializer(ctx).dumps(params)


def open_request(ctx: AppContext, sealed: str | None) -> dict[str, Any] | None:
    if not sealed or len(sealed) > 8192:
        return None
    try:
        data = _serializer(ctx).loads(sealed, max_age=REQUEST_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None

"""Validating an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1, RFC 7636,
RFC 9700 §2.1).

Order matters for safety: ``client_id`` and ``redirect_uri`` are checked first and, when either
is wrong, the citizen sees an error page and is never redirected (RFC 6749 §4.1.2.1). Every
later error goes back to the client's (exact-match) redirect URI with ``error``, ``state`` and
``iss`` (RFC 9207).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from auth.deps import cached_client
from auth.models import OAuthClient
from auth.oidc.pkce import challenge_problem
from auth.oidc.scopes import parse_scope
from superapp.context import AppContext

PROMPTS = ("none", "login", "consent")
MAX_PARAM = 2000
SEALED = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
          "code_challenge_method", "prompt", "max_age", "login_hint", "ui_locales")


class ErrorPage(Exception):
    """Shown to the citizen; never a redirect."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


class ErrorRedirect(Exception):
    """An error answered to the client at its registered redirect URI."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None, issuer: str) -> None:
        super().__init__(error)
        self.url = with_query(
            redirect_uri, {"error": error, "error_description": description, "state": state, "iss": issuer}
        )


def with_query(uri: str, params: dict[str, str | None]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class AuthorizationRequest:
    client: OAuthClient
    redirect_uri: str
    scopes: list[str]
    code_challenge: str
    code_challenge_method: str
    issued_at: int
    state: str | None = None
    nonce: str | None = None
    prompt: set[str] = field(default_factory=set)
    max_age: int | None = None
    login_hint: str | None = None
    ui_locales: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    # The session signed in during this request (prompt=login and max_age are then satisfied).
    fresh_sid: str | None = None
    # The session the consent page was shown to: a decision only counts for that session.
    consent_sid: str | None = None

    def sealed(self) -> dict[str, Any]:
        return {**self.raw, "issued_at": self.issued_at, "fresh_sid": self.fresh_sid, "consent_sid": self.consent_sid}


def _single(params: ImmutableMultiDict, name: str) -> tuple[str | None, bool]:
    """``(value, ok)``; not ok when repeated or too long."""
    values = params.getlist(name)
    if len(values) > 1:
        return None, False
    value = values[0] if values else None
    if value is not None and (not isinstance(value, str) or len(value) > MAX_PARAM):
        return None, False
    return (value or None), True


async def validate(
    ctx: AppContext, session: AsyncSession, params: ImmutableMultiDict, *, issued_at: int
) -> AuthorizationRequest:
    client_id, ok_client = _single(params, "client_id")
    redirect_uri, ok_redirect = _single(params, "redirect_uri")
    if not ok_client or not client_id or len(client_id) > 64:
        raise ErrorPage("oidc.error.unknown_client")
    client = await cached_client(ctx, session, client_id)
    if client is None or not client.is_active:
        raise ErrorPage("oidc.error.unknown_client")
    if not ok_redirect or not redirect_uri or redirect_uri not in (client.redirect_uris or []):
        raise ErrorPage("oidc.error.bad_redirect_uri")

    state, ok_state = _single(params, "state")
    issuer = ctx.settings.resolved_issuer

    def fail(error: str, description: str) -> ErrorRedirect:
        return ErrorRedirect(redirect_uri, error, description, state if ok_state else None, issuer)

    raw: dict[str, str] = {}
    for name in SEALED:
        value, ok = _single(params, name)
        if not ok:
            raise fail("invalid_request", f"{name} is repeated or too long")
        if value is not None:
            raw[name] = value
    if params.get("request") or params.get("request_uri"):
        raise fail("request_not_supported", "request objects are not supported")
    if raw.get("response_type") != "code":
        raise fail("unsupported_response_type", "only response_type=code is supported")
    if "authorization_code" not in (client.grant_types or []):
        raise fail("unauthorized_client", "this client may not use the authorization code grant")
    if params.get("response_mode") not in (None, "query"):
        raise fail("invalid_request", "only response_mode=query is supported")
    problem = challenge_problem(raw.get("code_challenge"), raw.get("code_challenge_method"))
    if problem:
        raise fail("invalid_request", problem)
    scopes = parse_scope(raw.get("scope"))
    if not scopes:
        raise fail("invalid_scope", "scope is required")
    if any(s not in (client.scopes or []) for s in scopes):
        raise fail("invalid_scope", "scope not allowed for this client")
    prompt = set((raw.get("prompt") or "").split())
    if not prompt <= set(PROMPTS) or ("none" in prompt and len(prompt) > 1):
        raise fail("invalid_request", "prompt not supported")
    max_age = None
    if "max_age" in raw:
        if not raw["max_age"].isdigit() or len(raw["max_age"]) > 9:
            raise fail("invalid_request", "max_age must be a non-negative integer")
        max_age = int(raw["max_age"])
    for name in ("state", "nonce", "login_hint"):
        if len(raw.get(name) or "") > 512:
            raise fail("invalid_request", f"{name} is too long")
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=raw["code_challenge"],
        code_challenge_method=raw["code_challenge_method"],
        issued_at=issued_at,
        state=raw.get("state"),
        nonce=raw.get("nonce"),
        prompt=prompt,
        max_age=max_age,
        login_hint=raw.get("login_hint"),
        ui_locales=raw.get("ui_locales"),
        raw=raw,
    )

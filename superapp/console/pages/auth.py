"""Sign-in through our own OIDC provider (authorization code + PKCE), sign-out, language."""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from superapp import i18n
from superapp.audit import record
from superapp.console.cookies import clear_cookie, set_cookie
from superapp.console.deps import SESSION_COOKIE, verify_csrf
from superapp.console.errors import LoginStateInvalid, NoConsoleRole, SignInFailed
from superapp.console.navigation import STAFF_ROLES
from superapp.console.profile import fetch_staff
from superapp.console.provider import OidcProvider, new_pkce_pair
from superapp.console.rendering import LANG_COOKIE, console_language
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ABSOLUTE_SECONDS, LOGIN_STATE_SECONDS, ConsoleSession, SessionStore
from superapp.context import AppContext, CtxDep
from superapp.db import unit_of_work

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
LOGIN_COOKIE = "console_login"
# Each login attempt keeps a pending state in Redis for ten minutes: bound it per address.
LOGIN_RATE = "30/minute"


def safe_next(value: str | None) -> str:
    """Only a path inside the console: never an open redirect."""
    if not value or not value.startswith("/admin") or value.startswith("//") or "\\" in value or len(value) > 1000:
        return "/admin/"
    return value


async def _audit(request: Request, ctx: AppContext, action: str, staff_id: str, label: str) -> None:
    try:
        actor = uuid.UUID(staff_id)
    except ValueError:
        actor = None
    async with unit_of_work(ctx.sessionmaker) as db:
        await record(
            db,
            action=action,
            target_type="console_session",
            target_id=staff_id,
            actor_id=actor,
            actor_label=label[:200] or None,
            ip=request.client.host if request.client else None,
            request_id=getattr(request.state, "request_id", None),
        )


@router.get("/login")
async def login(request: Request, ctx: CtxDep, next: Annotated[str | None, Query(max_length=1000)] = None):
    await ctx.limiter.check(LOGIN_RATE, "console.login", request.client.host if request.client else "unknown")
    provider = OidcProvider(request.app, ctx)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier, challenge = new_pkce_pair()
    await SessionStore(ctx).put_login(state, {"verifier": verifier, "nonce": nonce, "next": safe_next(next)})
    url = await provider.authorization_url(
        state=state, nonce=nonce, code_challenge=challenge, lang=console_language(request)
    )
    response = RedirectResponse(url, status_code=303)
    set_cookie(response, ctx.settings, LOGIN_COOKIE, state, LOGIN_STATE_SECONDS)
    return response


@router.get("/callback")
async def callback(
    request: Request,
    ctx: CtxDep,
    state: Annotated[str, Query(min_length=1, max_length=128)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
):
    """The redirect URI: the state must match this browser's pending login (RFC 6749 §10.12)
    and ``iss``, when sent, must be our issuer (RFC 9207 mix-up defence)."""
    bound = request.cookies.get(LOGIN_COOKIE) or ""
    if not hmac.compare_digest(bound.encode(), state.encode()):
        raise LoginStateInvalid()
    if iss is not None and iss != ctx.settings.resolved_issuer:
        raise LoginStateInvalid()
    store = SessionStore(ctx)
    pending = await store.take_login(state)
    if pending is None:
        raise LoginStateInvalid()
    if error or not code:
        raise SignInFailed(reason=error or "missing_code")
    provider = OidcProvider(request.app, ctx)
    tokens, _claims = await provider.exchange_code(code=code, code_verifier=pending["verifier"], nonce=pending["nonce"])
    staff = await fetch_staff(request, tokens.access_token)
    if not staff.has_any(STAFF_ROLES):
        if tokens.refresh_token:
            await provider.revoke(tokens.refresh_token)
        raise NoConsoleRole()
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await store.delete(previous)  # a sign-in always starts a new session (no fixation)
    session = await store.create(
        staff=staff,
        access_token=tokens.access_token,
        expires_at=tokens.expires_at,
        refresh_token=tokens.refresh_token,
        id_token=tokens.id_token,
    )
    await _audit(request, ctx, "console.login", staff.id, staff.name)
    response = RedirectResponse(pending["next"], status_code=303)
    set_cookie(response, ctx.settings, SESSION_COOKIE, session.id, ABSOLUTE_SECONDS)
    clear_cookie(response, ctx.settings, LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, ctx: CtxDep, session: Annotated[ConsoleSession, Depends(verify_csrf)]):
    store = SessionStore(ctx)
    await store.delete(session.id)
    provider = OidcProvider(request.app, ctx)
    if session.refresh_token:
        await provider.revoke(session.refresh_token)
    await _audit(request, ctx, "console.logout", session.staff.id, session.staff.name)
    target = await provider.end_session_url(session.id_token) or "/admin/"
    response = RedirectResponse(target, status_code=303)
    clear_cookie(response, ctx.settings, SESSION_COOKIE)
    return response


@router.get("/lang/{lang}")
async def switch_language(request: Request, ctx: CtxDep, lang: str, next: Annotated[str | None, Query(max_length=1000)] = None):
    chosen = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(response, ctx.settings, LANG_COOKIE, chosen, 365 * 24 * 3600)
    return response

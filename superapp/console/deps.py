"""Request dependencies of the console: the signed-in staff member, section guards, CSRF."""

from __future__ import annotations

import asyncio
import hmac
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from superapp.console.errors import (
    CsrfFailed,
    NoConsoleRole,
    NotSignedIn,
    ProviderUnavailable,
    SectionForbidden,
    SignInFailed,
)
from superapp.console.navigation import STAFF_ROLES, may_open
from superapp.console.profile import fetch_staff
from superapp.console.provider import OidcProvider
from superapp.console.sessions import ConsoleSession, SessionStore
from superapp.context import AppContext, CtxDep

SESSION_COOKIE = "console_session"
REFRESH_MARGIN_SECONDS = 60
REFRESH_WAIT_SECONDS = 5.0


async def _refreshed(request: Request, ctx: AppContext, store: SessionStore, session: ConsoleSession) -> ConsoleSession:
    """Renew the access token with the refresh token, one request at a time per session.

    Refresh tokens rotate and a reused one revokes the whole family, so concurrent requests
    of the same browser must not both present it: one takes a short Redis lock, the others
    wait for its result.
    """
    if not session.refresh_token:
        await store.delete(session.id)
        raise NotSignedIn()
    lock = store.lock_key(session.id)
    if not await ctx.redis.set(lock, b"1", nx=True, ex=15):
        deadline = time.monotonic() + REFRESH_WAIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            current = await store.load(session.id)
            if current is None:
                raise NotSignedIn()
            if current.expires_at - time.time() > REFRESH_MARGIN_SECONDS:
                return current
        raise NotSignedIn()
    try:
        provider = OidcProvider(request.app, ctx)
        try:
            tokens = await provider.refresh(session.refresh_token)
        except SignInFailed as exc:
            await store.delete(session.id)
            raise NotSignedIn() from exc
        session.access_token = tokens.access_token
        session.expires_at = tokens.expires_at
        session.refresh_token = tokens.refresh_token
        session.id_token = tokens.id_token or session.id_token
        # The old refresh token is spent: keep the new one before anything else can fail.
        await store.save(session)
        try:
            staff = await fetch_staff(request, tokens.access_token)
        except ProviderUnavailable:
            return session  # roles are read again at the next refresh
        if not staff.has_any(STAFF_ROLES):
            await store.delete(session.id)
            raise NoConsoleRole()
        session.staff = staff
        await store.save(session)
        return session
    finally:
        await ctx.redis.delete(lock)


async def current_session(request: Request, ctx: CtxDep) -> ConsoleSession:
    store = SessionStore(ctx)
    session = await store.load(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    if session.expires_at - time.time() <= REFRESH_MARGIN_SECONDS:
        session = await _refreshed(request, ctx, store, session)
    request.state.console_session = session
    return session


StaffSession = Annotated[ConsoleSession, Depends(current_session)]


def require_section(key: str):
    """Dependency: the signed-in staff member holds a role that opens section ``key``."""

    async def dependency(session: StaffSession) -> ConsoleSession:
        if not may_open(session.staff, key):
            raise SectionForbidden(params={"section": key})
        return session

    return dependency


def same_origin(request: Request, issuer: str) -> bool:
    """A state-changing request from a page of another origin is refused (Fetch ``Origin``,
    else ``Referer``). Without either (privacy settings, ``Origin: null``) the session-bound
    token alone decides."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        origin = request.headers.get("referer")
        if not origin:
            return True
    want, got = urlsplit(issuer), urlsplit(origin)
    return (want.scheme, want.netloc) == (got.scheme, got.netloc)


async def verify_csrf(request: Request, session: StaffSession, ctx: CtxDep) -> ConsoleSession:
    """Session-bound synchronizer token (OWASP CSRF cheat sheet) plus an Origin check."""
    if not same_origin(request, ctx.settings.resolved_issuer):
        raise CsrfFailed()
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise CsrfFailed()
    return session


def section_form(key: str):
    """Dependency for a POST of section ``key``: CSRF checked, then the section's roles."""
    guard = require_section(key)

    async def dependency(
        session: ConsoleSession = Depends(verify_csrf),  # noqa: B008 - a closure cannot be an Annotated alias
        _allowed: ConsoleSession = Depends(guard),  # noqa: B008
    ) -> ConsoleSession:
        return session

    return dependency

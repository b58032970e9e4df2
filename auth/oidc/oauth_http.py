"""HTTP plumbing shared by the OAuth endpoints: form bodies, RFC 6749 error answers, URLs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.oidc.errors import NO_STORE, OAuthError
from superapp.context import AppContext

FORM = "application/x-www-form-urlencoded"
MAX_FIELDS = 50

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token"
USERINFO_PATH = "/oauth/userinfo"
JWKS_PATH = "/oauth/jwks"
REVOCATION_PATH = "/oauth/revoke"
INTROSPECTION_PATH = "/oauth/introspect"
END_SESSION_PATH = "/oauth/logout"
CHALLENGE_PATH = "/oauth/authorize-challenge"


def url(ctx: AppContext, path: str) -> str:
    return ctx.settings.resolved_issuer + path


async def read_form(request: Request) -> FormData:
    """The urlencoded body (RFC 6749 §4.1.3 and friends), or ``invalid_request``."""
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != FORM:
        raise OAuthError("invalid_request", f"the body must be {FORM}")
    try:
        return await request.form(max_files=0, max_fields=MAX_FIELDS)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the client's
        raise OAuthError("invalid_request", "the form body is malformed") from exc


async def commit_before_response(session: AsyncSession) -> None:
    """Commit now. FastAPI runs the exit code of request-scoped ``yield`` dependencies (where
    the request's session commits) only after the response has been sent, and the provider's
    answers are acted upon at once (a cookie, a code, a token, a logout): they must be durable
    before the client sees them, and a failed commit must fail the request."""
    if session.in_transaction():
        await session.commit()


async def oauth_json(
    session: AsyncSession, run: Callable[[], Awaitable[dict[str, Any]]], *, status: int = 200
) -> JSONResponse:
    """Run an OAuth endpoint: its JSON with ``Cache-Control: no-store``, or its RFC 6749 error
    (the transaction rolled back unless the error says to keep the changes)."""
    try:
        body = await run()
    except OAuthError as exc:
        if exc.keep_changes:
            await session.commit()
        else:
            await session.rollback()
        return exc.response()
    await commit_before_response(session)
    return JSONResponse(body, status_code=status, headers=NO_STORE)

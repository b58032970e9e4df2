"""RP-Initiated Logout (OpenID Connect RP-Initiated Logout 1.0) at ``end_session_endpoint``.

- ``id_token_hint`` is verified like any token of ours (allow-listed algorithms, known ``kid``,
  our issuer; an expired one is accepted, §2): ``alg: none`` or HS256 tokens are refused.
- ``post_logout_redirect_uri`` must be registered by the client named by the hint or by
  ``client_id`` (exact match); otherwise an error page is shown and nobody is redirected.
- Without a valid hint the citizen is asked to confirm (a CSRF-protected form), so a third
  party cannot sign people out with a link.
Ending the session revokes its grants and ``sid`` and queues back-channel logout notices.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from auth.deps import cached_client
from auth.oidc import browser
from auth.oidc.authorization_request import with_query
from auth.oidc.login_sessions import browser_session
from auth.oidc.models import LoginSession
from auth.oidc.oauth_http import END_SESSION_PATH, commit_before_response
from auth.oidc.pages import error_page, page_language, render
from auth.oidc.revoke import revoke_session
from auth.tokens import ACCESS_TOKEN_TYPE, InvalidToken, verify_jwt
from superapp.context import AppContext, CtxDep
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])
CARRIED = ("post_logout_redirect_uri", "state", "client_id", "ui_locales")


async def _hint_claims(ctx: AppContext, hint: str) -> dict | None:
    try:
        claims = await verify_jwt(ctx, hint, audience=None, verify_exp=False, verify_at_hash=False)
    except InvalidToken:
        return None
    return claims


async def _end_session(request: Request, ctx: AppContext, session: AsyncSession, params: ImmutableMultiDict) -> Response:
    lang = page_language(request, params.get("ui_locales"))
    values = {k: params.get(k) for k in (*CARRIED, "id_token_hint")}
    if any(len(params.getlist(k)) > 1 or len(v or "") > 4096 for k, v in values.items()):
        return error_page(lang, "oidc.error.invalid_request")
    claims = None
    if values["id_token_hint"]:
        from jose import jwt

        try:
            typ = jwt.get_unverified_header(values["id_token_hint"]).get("typ")
        except Exception:  # noqa: BLE001 - malformed header
            typ = None
        claims = await _hint_claims(ctx, values["id_token_hint"]) if typ != ACCESS_TOKEN_TYPE else None
        if claims is None:
            return error_page(lang, "oidc.error.invalid_request")
    audience = claims.get("aud") if claims else None
    audience = audience[0] if isinstance(audience, list) and len(audience) == 1 else audience
    client_id = values["client_id"] or audience
    if claims and values["client_id"] and values["client_id"] != audience:
        return error_page(lang, "oidc.error.invalid_request")
    redirect = values["post_logout_redirect_uri"]
    if redirect:
        client = await cached_client(ctx, session, client_id) if isinstance(client_id, str) and len(client_id) <= 64 else None
        if client is None or not client.is_active or redirect not in (client.post_logout_redirect_uris or []):
            return error_page(lang, "oidc.error.bad_logout")

    current = await browser_session(session, browser.read_session_cookie(ctx, request))
    confirmed = claims is not None
    if not confirmed and request.method == "POST" and params.get("confirm") == "yes":
        if not browser.csrf_valid(ctx, request, params.get("csrf_token")):
            return error_page(lang, "oidc.error.csrf", status=403)
        confirmed = True
    if not confirmed:
        csrf = browser.Csrf(ctx, request)
        carry = [(k, values[k]) for k in CARRIED if values[k]]
        page = render("logout.html", lang, redirect_target=redirect, action=END_SESSION_PATH,
                      csrf_token=csrf.token, carry=carry)
        return csrf.attach(page)

    targets: list[LoginSession] = []
    if claims and isinstance(claims.get("sid"), str):
        try:
            hinted = await session.get(LoginSession, uuid.UUID(claims["sid"]))
        except ValueError:
            hinted = None
        if hinted is not None and hinted.revoked_at is None:
            targets.append(hinted)
    if current is not None and all(t.id != current.id for t in targets):
        if not targets or targets[0].account_id == current.account_id:
            targets.append(current)
    for login in targets:
        await revoke_session(ctx, session, login)

    if redirect:
        response: Response = RedirectResponse(
            with_query(redirect, {"state": values["state"]}),
            status_code=303 if request.method == "POST" else 302,
            headers={"Cache-Control": "no-store"},
        )
    else:
        response = render("logged_out.html", lang)
    browser.clear_session_cookie(ctx, response)
    return response


@router.get(END_SESSION_PATH, summary="RP-initiated logout (end_session_endpoint)", response_class=HTMLResponse)
async def end_session_get(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    response = await _end_session(request, ctx, session, ImmutableMultiDict(request.query_params.multi_items()))
    await commit_before_response(session)
    return response


@router.post(END_SESSION_PATH, summary="RP-initiated logout (form POST and confirmation)", response_class=HTMLResponse)
async def end_session_post(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    lang = page_language(request)
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return error_page(lang, "oidc.error.invalid_request")
    try:
        form = await request.form(max_files=0, max_fields=20)
    except Exception:  # noqa: BLE001
        return error_page(lang, "oidc.error.invalid_request")
    response = await _end_session(request, ctx, session, ImmutableMultiDict(form.multi_items()))
    await commit_before_response(session)
    return response

"""The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2) with its login and consent
pages. GET and POST start a request; POSTs with ``step=login|consent`` continue one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import ImmutableMultiDict

from auth.consents import covers, get_consent, grant_consent
from auth.credentials import authenticate_password, normalize_username
from auth.models import Account
from auth.oidc import browser, throttle
from auth.oidc.authorization_request import AuthorizationRequest, ErrorPage, ErrorRedirect, validate, with_query
from auth.oidc.challenge import client_ip
from auth.oidc.claims import AMR_PASSWORD
from auth.oidc.clock import epoch
from auth.oidc.codes import create_authorization_code
from auth.oidc.login_sessions import browser_session, start_session
from auth.oidc.models import LoginSession
from auth.oidc.oauth_http import AUTHORIZE_PATH, commit_before_response
from auth.oidc.pages import error_page, page_language, render
from auth.oidc.revoke import revoke_session
from superapp import i18n
from superapp.context import AppContext, CtxDep
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])
MAX_FORM_FIELDS = 40


def _redirect(url: str, method: str) -> RedirectResponse:
    status = 303 if method == "POST" else 302
    return RedirectResponse(url, status_code=status, headers={"Cache-Control": "no-store"})


class Flow:
    """One pass through the endpoint for one browser request."""

    def __init__(self, ctx: AppContext, session: AsyncSession, request: Request, areq: AuthorizationRequest, lang: str):
        self.ctx, self.session, self.request, self.areq, self.lang = ctx, session, request, areq, lang
        self.csrf = browser.Csrf(ctx, request)

    def error(self, error: str, description: str) -> Response:
        url = with_query(self.areq.redirect_uri, {"error": error, "error_description": description,
                                                  "state": self.areq.state, "iss": self.ctx.settings.resolved_issuer})
        return _redirect(url, self.request.method)

    def login_page(self, *, error_key: str | None = None, username: str | None = None, status: int = 200) -> Response:
        response = render(
            "login.html", self.lang, status=status,
            action=AUTHORIZE_PATH, auth_request=browser.seal_request(self.ctx, self.areq.sealed()),
            csrf_token=self.csrf.token, client_name=self.areq.client.name,
            username=username if username is not None else (self.areq.login_hint or ""),
            error=i18n.t(error_key, self.lang) if error_key else None,
        )
        return self.csrf.attach(response)

    def consent_page(self, account: Account, login: LoginSession) -> Response:
        self.areq.consent_sid = login.sid
        response = render(
            "consent.html", self.lang, redirect_target=self.areq.redirect_uri,
            action=AUTHORIZE_PATH, auth_request=browser.seal_request(self.ctx, self.areq.sealed()),
            csrf_token=self.csrf.token, client_name=self.areq.client.name, scopes=self.areq.scopes,
            account_name=account.full_name or account.phone or "",
        )
        return self.csrf.attach(response)

    async def proceed(self, login: LoginSession | None, *, decision: str | None = None) -> Response:
        """Authenticate if needed, ask consent if needed, then send the code back."""
        areq, now = self.areq, epoch()
        account = await self.session.get(Account, login.account_id) if login else None
        if account is None or not account.is_active:
            login = None
        fresh = login is not None and areq.fresh_sid == login.sid
        needs_login = login is None or (
            not fresh and ("login" in areq.prompt or (areq.max_age is not None and now - login.auth_time > areq.max_age))
        )
        if needs_login:
            if "none" in areq.prompt:
                return self.error("login_required", "the citizen must sign in")
            return self.login_page()
        assert login is not None and account is not None
        client = areq.client
        if not client.first_party:
            if decision is not None and areq.consent_sid != login.sid:
                decision = None  # the page was answered from another sign-in: ask again
            if decision == "deny":
                return self.error("access_denied", "the citizen denied the request")
            if decision == "allow":
                await grant_consent(self.session, account.id, client.client_id, areq.scopes)
            else:
                consent = await get_consent(self.session, account.id, client.client_id)
                if "consent" in areq.prompt or not covers(consent, areq.scopes):
                    if "none" in areq.prompt:
                        return self.error("consent_required", "the citizen must consent")
                    return self.consent_page(account, login)
        code = await create_authorization_code(
            self.ctx, self.session, client=client, account_id=account.id, scopes=areq.scopes,
            code_challenge=areq.code_challenge, code_challenge_method=areq.code_challenge_method,
            redirect_uri=areq.redirect_uri, nonce=areq.nonce, sid=login.sid, auth_time=login.auth_time,
            acr=login.acr, amr=list(login.amr),
        )
        url = with_query(areq.redirect_uri, {"code": code, "state": areq.state, "iss": self.ctx.settings.resolved_issuer})
        return _redirect(url, self.request.method)

    async def sign_in(self, username: str, password: str) -> Response:
        account_key = normalize_username(username) or username.strip().lower()[:254]
        ip = client_ip(self.request)
        try:
            await throttle.ensure_allowed(self.ctx, account_key, ip)
        except throttle.LoginThrottled:
            return self.login_page(error_key="oidc.login.throttled", username=username, status=429)
        account = await authenticate_password(self.ctx, self.session, username, password)
        if account is None:
            await throttle.record_failure(self.ctx, account_key, ip)
            return self.login_page(error_key="oidc.login.failed", username=username, status=400)
        await throttle.record_success(self.ctx, account_key)
        previous = await browser_session(self.session, browser.read_session_cookie(self.ctx, self.request))
        if previous is not None:
            await revoke_session(self.ctx, self.session, previous)
        login, cookie = await start_session(
            self.ctx, self.session, account, kind="browser", amr=AMR_PASSWORD,
            user_agent=self.request.headers.get("user-agent"), ip=ip,
        )
        self.areq.fresh_sid = login.sid
        response = await self.proceed(login)
        browser.set_session_cookie(self.ctx, response, cookie)
        return response


async def _start(request: Request, ctx: AppContext, session: AsyncSession, params: ImmutableMultiDict) -> Response:
    lang = page_language(request, params.get("ui_locales"))
    try:
        areq = await validate(ctx, session, params, issued_at=epoch())
    except ErrorPage as exc:
        return error_page(lang, exc.message_key)
    except ErrorRedirect as exc:
        return _redirect(exc.url, request.method)
    login = await browser_session(session, browser.read_session_cookie(ctx, request))
    return await Flow(ctx, session, request, areq, lang).proceed(login)


async def _continue(request: Request, ctx: AppContext, session: AsyncSession, form: ImmutableMultiDict) -> Response:
    sealed = browser.open_request(ctx, form.get("auth_request"))
    lang = page_language(request, (sealed or {}).get("ui_locales"))
    if sealed is None:
        return error_page(lang, "oidc.error.expired")
    if not browser.csrf_valid(ctx, request, form.get("csrf_token")):
        return error_page(lang, "oidc.error.csrf", status=403)
    issued_at = sealed.pop("issued_at", 0)
    fresh_sid = sealed.pop("fresh_sid", None)
    consent_sid = sealed.pop("consent_sid", None)
    try:
        areq = await validate(ctx, session, ImmutableMultiDict(sealed), issued_at=int(issued_at))
        areq.fresh_sid = fresh_sid if isinstance(fresh_sid, str) else None
        areq.consent_sid = consent_sid if isinstance(consent_sid, str) else None
    except ErrorPage as exc:
        return error_page(lang, exc.message_key)
    except ErrorRedirect as exc:
        return _redirect(exc.url, request.method)
    flow = Flow(ctx, session, request, areq, lang)
    if form.get("step") == "login":
        username, password = form.get("username"), form.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            return flow.login_page(error_key="oidc.login.failed", status=400)
        return await flow.sign_in(username, password)
    decision = form.get("decision")
    if decision not in ("allow", "deny"):
        return error_page(lang, "oidc.error.invalid_request")
    login = await browser_session(session, browser.read_session_cookie(ctx, request))
    return await flow.proceed(login, decision=decision)


@router.get(AUTHORIZE_PATH, summary="Authorization endpoint (RFC 6749 §3.1)", response_class=HTMLResponse)
async def authorize_get(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    response = await _start(request, ctx, session, ImmutableMultiDict(request.query_params.multi_items()))
    await commit_before_response(session)
    return response


@router.post(AUTHORIZE_PATH, summary="Authorization endpoint: form POST, login and consent steps", response_class=HTMLResponse)
async def authorize_post(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    lang = page_language(request)
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return error_page(lang, "oidc.error.invalid_request")
    try:
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except Exception:  # noqa: BLE001 - a malformed body is the sender's fault
        return error_page(lang, "oidc.error.invalid_request")
    params = ImmutableMultiDict(form.multi_items())
    if form.get("step") in ("login", "consent"):
        response = await _continue(request, ctx, session, params)
    else:
        response = await _start(request, ctx, session, params)
    await commit_before_response(session)
    return response

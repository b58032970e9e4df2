"""First-party native sign-in: the Authorization Challenge Endpoint of OAuth 2.0 for
First-Party Applications (draft-ietf-oauth-first-party-apps §5).

The mobile app POSTs ``client_id, username, password`` (or ``username, otp`` after
``POST /v1/auth/otp``), ``scope, code_challenge, code_challenge_method=S256`` and gets
``{"authorization_code"}``, redeemed at the token endpoint without ``redirect_uri``. Only
clients registered as first-party may use it. Failed attempts are throttled per account and IP.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.datastructures import FormData

from auth.credentials import authenticate_password, find_account, normalize_username
from auth.models import Account
from auth.oidc import throttle
from auth.oidc.claims import AMR_OTP, AMR_PASSWORD
from auth.oidc.client_auth import authenticate_client
from auth.oidc.codes import create_authorization_code
from auth.oidc.errors import OAuthError
from auth.oidc.grants.base import single
from auth.oidc.login_sessions import start_session
from auth.oidc.oauth_http import CHALLENGE_PATH, oauth_json, read_form, url
from auth.oidc.pkce import challenge_problem
from auth.oidc.scopes import parse_scope
from superapp.context import AppContext, CtxDep
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _check_credentials(
    ctx: AppContext, session: AsyncSession, form: FormData, username: str
) -> tuple[Account | None, list[str]]:
    password = single(form, "password", required=False, max_length=1024)
    otp = single(form, "otp", required=False, max_length=16)
    if bool(password) == bool(otp):
        raise OAuthError("invalid_request", "send either password or otp")
    if password:
        return await authenticate_password(ctx, session, username, password), AMR_PASSWORD
    from auth.otp import verify_otp

    key = normalize_username(username)
    if key is None or "@" in key:
        return None, AMR_OTP
    if not await verify_otp(ctx, phone=key, purpose="login", code=otp):
        return None, AMR_OTP
    account = await find_account(session, key)
    return (account if account is not None and account.is_active else None), AMR_OTP


@router.post(CHALLENGE_PATH, summary="First-party native sign-in (authorization challenge)")
async def authorization_challenge(request: Request, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    async def run() -> dict:
        form = await read_form(request)
        authenticated = await authenticate_client(ctx, session, request.headers, form, token_endpoint=url(ctx, CHALLENGE_PATH))
        client = authenticated.client
        if not client.first_party or "authorization_code" not in (client.grant_types or []):
            raise OAuthError("unauthorized_client", "only first-party clients with the code grant may sign in here")
        username = single(form, "username", max_length=254)
        scopes = parse_scope(single(form, "scope", required=False, max_length=1000)) or ["openid"]
        if any(s not in (client.scopes or []) for s in scopes):
            raise OAuthError("invalid_scope", "scope not allowed for this client")
        code_challenge = single(form, "code_challenge", required=False, max_length=128)
        method = single(form, "code_challenge_method", required=False, max_length=10)
        problem = challenge_problem(code_challenge, method)
        if problem:
            raise OAuthError("invalid_request", problem)
        account_key = normalize_username(username) or username.strip().lower()
        ip = client_ip(request)
        try:
            await throttle.ensure_allowed(ctx, account_key, ip)
        except throttle.LoginThrottled as exc:
            raise OAuthError("slow_down", "too many failed sign-ins; try again later", status=429, headers=exc.headers) from exc
        account, amr = await _check_credentials(ctx, session, form, username)
        if account is None:
            await throttle.record_failure(ctx, account_key, ip)
            raise OAuthError("invalid_grant", "wrong username or credentials")
        await throttle.record_success(ctx, account_key)
        login, _ = await start_session(
            ctx, session, account, kind="app", amr=amr, user_agent=request.headers.get("user-agent"), ip=ip
        )
        code = await create_authorization_code(
            ctx,
            session,
            client=client,
            account_id=account.id,
            scopes=scopes,
            code_challenge=code_challenge,
            code_challenge_method=method,
            sid=login.sid,
            auth_time=login.auth_time,
            acr=login.acr,
            amr=list(login.amr),
        )
        return {"authorization_code": code}

    return await oauth_json(session, run)

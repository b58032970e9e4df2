"""The UserInfo endpoint (OpenID Connect Core §5.3): claims released by the token's scopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from auth.deps import Principal, invalid_token, require_scopes
from auth.models import Account
from auth.oidc.claims import userinfo_claims
from auth.oidc.errors import NO_STORE
from auth.oidc.oauth_http import USERINFO_PATH
from superapp.db import SessionDep

router = APIRouter(tags=["oidc"])
OpenIdPrincipal = Annotated[Principal, Depends(require_scopes("openid"))]


async def _userinfo(principal: Principal, session: SessionDep) -> JSONResponse:
    if principal.account_id is None:
        raise invalid_token()
    account = await session.get(Account, principal.account_id)
    if account is None or not account.is_active:
        raise invalid_token()
    return JSONResponse(userinfo_claims(account, sorted(principal.scopes), principal.sub), headers=NO_STORE)


@router.get(USERINFO_PATH, summary="UserInfo (OIDC Core §5.3)")
async def userinfo_get(session: SessionDep, principal: OpenIdPrincipal) -> JSONResponse:
    return await _userinfo(principal, session)


@router.post(USERINFO_PATH, summary="UserInfo (OIDC Core §5.3)")
async def userinfo_post(session: SessionDep, principal: OpenIdPrincipal) -> JSONResponse:
    return await _userinfo(principal, session)

"""Account endpoints (contract: "Accounts"): registration, verification, password reset, the
citizen's profile, identity level 2, dependents, personal-data export and erasure, and the
login code of ``POST /v1/auth/otp``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from auth.accounts import identity, privacy, profile, service
from auth.accounts import repository as repo
from auth.accounts.errors import UnsupportedMediaType
from auth.accounts.schemas import (
    Accepted,
    DependentOut,
    PasswordChanged,
    PasswordResetConfirmIn,
    PersonIn,
    PhoneIn,
    ProfileOut,
    ProfilePatch,
    RegisterIn,
    RegisterOut,
    VerifyIn,
    VerifyOut,
)
from auth.deps import AccountPrincipal, CurrentAccount, require_identity_level
from superapp import i18n
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import InvalidCursor, Page, PageDep, decode_cursor, paginate


async def require_json(request: Request) -> None:
    """Bodies must be JSON (``application/json`` or ``+json``); anything else is 415."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType()


JsonBody = [Depends(require_json)]
Guardian = Annotated[AccountPrincipal, Depends(require_identity_level(2))]
PUBLIC_SENDS = "30/minute"

router = APIRouter(prefix="/v1", tags=["accounts"])


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _modules(request: Request) -> list:
    return [*request.app.state.modules, *request.app.state.miniapps]


@router.post("/accounts", status_code=201, response_model=RegisterOut, dependencies=JsonBody)
async def register(body: RegisterIn, request: Request, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    """Register by phone and password; an OTP is texted to the phone (valid 5 minutes)."""
    await ctx.limiter.check(PUBLIC_SENDS, "register-ip", _client_ip(request))
    account = await service.register(
        ctx,
        session,
        phone=body.phone,
        password=body.password,
        full_name=body.full_name,
        email=body.email,
        lang=i18n.request_language(request),
    )
    return {"id": account.id, "status": account.status}


@router.post("/accounts/verify", response_model=VerifyOut, dependencies=JsonBody)
async def verify(body: VerifyIn, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    """Confirm the phone with the texted code: the account becomes active at identity level 1."""
    account = await service.verify_registration(ctx, session, phone=body.phone, code=body.code)
    return {"id": account.id, "status": account.status, "identity_level": account.identity_level}


@router.post("/accounts/password-reset", status_code=202, response_model=Accepted, dependencies=JsonBody)
async def password_reset(body: PhoneIn, request: Request, ctx: CtxDep, session: SessionDep) -> Accepted:
    """Text a reset code if the phone has an active account (same answer either way)."""
    await ctx.limiter.check(PUBLIC_SENDS, "reset-ip", _client_ip(request))
    await service.send_code_to_active_account(
        ctx, session, phone=body.phone, purpose="password_reset", lang=i18n.request_language(request)
    )
    return Accepted()


@router.post("/accounts/password-reset/confirm", response_model=PasswordChanged, dependencies=JsonBody)
async def password_reset_confirm(body: PasswordResetConfirmIn, ctx: CtxDep, session: SessionDep) -> PasswordChanged:
    """Set a new password with the reset code; every signed-in device is signed out."""
    await service.confirm_password_reset(ctx, session, phone=body.phone, code=body.code, new_password=body.new_password)
    return PasswordChanged()


@router.post("/auth/otp", status_code=202, response_model=Accepted, dependencies=JsonBody)
async def login_otp(body: PhoneIn, request: Request, ctx: CtxDep, session: SessionDep) -> Accepted:
    """Text a sign-in code (purpose ``login``) for the authorization challenge endpoint."""
    await ctx.limiter.check(PUBLIC_SENDS, "login-otp-ip", _client_ip(request))
    await service.send_code_to_active_account(
        ctx, session, phone=body.phone, purpose="login", lang=i18n.request_language(request)
    )
    return Accepted()


@router.get("/me", response_model=ProfileOut)
async def read_me(current: CurrentAccount) -> dict[str, Any]:
    return profile.profile_of(current.account)


@router.patch("/me", response_model=ProfileOut, dependencies=JsonBody)
async def update_me(body: ProfilePatch, current: CurrentAccount, session: SessionDep) -> dict[str, Any]:
    account = await profile.update_profile(session, current.account, body.model_dump(exclude_unset=True))
    return profile.profile_of(account)


@router.post("/me/identity", response_model=ProfileOut, dependencies=JsonBody)
async def verify_identity(body: PersonIn, current: CurrentAccount, ctx: CtxDep, session: SessionDep) -> dict[str, Any]:
    """Identity level 2: the population registry must confirm national ID, name and birth date."""
    account = await identity.verify_identity(
        ctx,
        session,
        current.account,
        national_id=body.national_id,
        full_name=body.full_name,
        birth_date=body.birth_date,
    )
    return profile.profile_of(account)


@router.get("/me/dependents", response_model=Page[DependentOut])
async def list_dependents(current: CurrentAccount, session: SessionDep, page: PageDep) -> dict[str, Any]:
    after = None
    if page.cursor:
        (raw,) = decode_cursor(page.cursor, 1)
        try:
            after = uuid.UUID(str(raw))
        except ValueError as exc:
            raise InvalidCursor() from exc
    rows = await repo.dependents_page(session, current.id, limit=page.limit, after_id=after)
    items, next_cursor = paginate(rows, page.limit, lambda link: [str(link.id)])
    return {"items": items, "next_cursor": next_cursor}


@router.post("/me/dependents", status_code=201, response_model=DependentOut, dependencies=JsonBody)
async def add_dependent(body: PersonIn, current: Guardian, ctx: CtxDep, session: SessionDep):
    """Link a child under 16 the population registry names as the caller's child or ward."""
    return await identity.link_dependent(
        ctx,
        session,
        current.account,
        national_id=body.national_id,
        full_name=body.full_name,
        birth_date=body.birth_date,
    )


@router.delete("/me/dependents/{link_id}", status_code=204)
async def remove_dependent(link_id: uuid.UUID, current: CurrentAccount, session: SessionDep) -> Response:
    """End a guardian link (another guardian's link, or none, is 404)."""
    await identity.unlink_dependent(session, current.account, link_id)
    return Response(status_code=204)


@router.get("/me/export")
async def export_me(request: Request, current: CurrentAccount, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    """Everything held about the caller, as one JSON document (every module's section)."""
    await ctx.limiter.check("10/hour", "export", str(current.id))
    document = await privacy.build_export(ctx, session, current.account, _modules(request))
    return JSONResponse(
        jsonable_encoder(document),
        headers={"Content-Disposition": 'attachment; filename="superapp-personal-data.json"'},
    )


@router.delete("/me", status_code=204)
async def erase_me(request: Request, current: CurrentAccount, ctx: CtxDep, session: SessionDep) -> Response:
    """Erase the account: every module's data, the tokens, then the personal fields."""
    await privacy.erase_account(ctx, session, current.account, _modules(request))
    return Response(status_code=204)

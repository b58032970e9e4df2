"""``GET /v1/miniapps`` (the catalogue) and ``POST /v1/miniapps/{id}/authorize`` (silent SSO)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from miniapps.platform import apps, catalogue, sso
from miniapps.platform.api.deps import Builtins, MiniappsCitizen
from miniapps.platform.errors import MiniAppNotFound
from miniapps.platform.schemas import AuthorizeRequest, AuthorizeResponse, CatalogueItem
from superapp import i18n
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep

router = APIRouter(prefix="/v1/miniapps", tags=["mini-apps"])
AppId = Annotated[str, Path(max_length=64, description="a built-in app's slug or a web app's UUID")]
SIGN_INS_PER_MINUTE = "60/minute"


@router.get("", response_model=Page[CatalogueItem])
async def list_miniapps(
    request: Request,
    session: SessionDep,
    builtins: Builtins,
    page: PageDep,
    category: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[CatalogueItem]:
    """Published mini-apps, built-in and web, in the caller's language (no sign-in needed)."""
    items, next_cursor = await catalogue.list_catalogue(
        session,
        builtins,
        lang=i18n.request_language(request),
        limit=page.limit,
        cursor=page.cursor,
        category=category,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{app_id}", response_model=CatalogueItem)
async def get_miniapp(app_id: AppId, request: Request, session: SessionDep, builtins: Builtins) -> CatalogueItem:
    view = await apps.resolve(session, builtins, app_id)
    if not view.is_published:
        raise MiniAppNotFound()
    return catalogue.item(view, i18n.request_language(request))


@router.post("/{app_id}/authorize", response_model=AuthorizeResponse)
async def authorize(
    app_id: AppId,
    body: AuthorizeRequest,
    current: MiniappsCitizen,
    ctx: CtxDep,
    session: SessionDep,
    builtins: Builtins,
) -> AuthorizeResponse:
    """A one-time code the mini-app's server redeems at the token endpoint (with PKCE)."""
    await ctx.limiter.check(SIGN_INS_PER_MINUTE, "miniapps.authorize", str(current.account.id))
    view = await apps.resolve(session, builtins, app_id)
    code, expires_in = await sso.authorize(ctx, session, current, view, body)
    return AuthorizeResponse(code=code, expires_in=expires_in)

"""The citizen's consent ledger: ``/v1/me/consents``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from miniapps.platform import ledger
from miniapps.platform.api.deps import Builtins, FirstPartyCitizen
from miniapps.platform.schemas import ConsentGrant, ConsentItem
from superapp import i18n
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep

router = APIRouter(prefix="/v1/me/consents", tags=["accounts", "mini-apps"])
GRANTS_PER_MINUTE = "30/minute"


@router.get("", response_model=Page[ConsentItem])
async def list_consents(
    request: Request, current: FirstPartyCitizen, session: SessionDep, builtins: Builtins, page: PageDep
) -> Page[ConsentItem]:
    items, next_cursor = await ledger.list_items(
        session,
        builtins,
        current.account.id,
        lang=i18n.request_language(request),
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=items, next_cursor=next_cursor)


@router.post("", response_model=ConsentItem, status_code=201)
async def grant_consent(
    body: ConsentGrant,
    request: Request,
    response: Response,
    current: FirstPartyCitizen,
    ctx: CtxDep,
    session: SessionDep,
    builtins: Builtins,
) -> ConsentItem:
    """Record a grant from the phone's native consent sheet (201 new, 200 widened or repeated)."""
    await ctx.limiter.check(GRANTS_PER_MINUTE, "miniapps.consent", str(current.account.id))
    item, created = await ledger.grant(
        ctx, session, builtins, current, body.client_id, list(body.scopes), lang=i18n.request_language(request)
    )
    if not created:
        response.status_code = 200
    return item


@router.delete("/{client_id}", status_code=204)
async def withdraw_consent(
    client_id: Annotated[str, Path(max_length=64)], current: FirstPartyCitizen, ctx: CtxDep, session: SessionDep
) -> Response:
    await ledger.withdraw(ctx, session, current.account.id, client_id)
    return Response(status_code=204)

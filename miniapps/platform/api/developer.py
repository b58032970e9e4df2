"""Developer APIs (role ``developer``): ``/v1/developer/miniapps``.

A developer sees and changes only their own apps; anyone else's answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from miniapps.platform import developer, repository
from miniapps.platform.api.deps import Developer, actor
from miniapps.platform.api.views import developer_view, developer_views
from miniapps.platform.schemas import (
    ClientSecret,
    MiniAppCreate,
    MiniAppCreated,
    MiniAppDeveloperView,
    MiniAppUpdate,
    WebhookSecret,
)
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep, decode_cursor, paginate

router = APIRouter(prefix="/v1/developer/miniapps", tags=["mini-app developers"])
AppId = Annotated[str, Path(max_length=64)]
REGISTRATIONS_PER_DAY = "50/day"


@router.post("", response_model=MiniAppCreated, status_code=201)
async def register(
    body: MiniAppCreate, request: Request, current: Developer, ctx: CtxDep, session: SessionDep
) -> MiniAppCreated:
    """Register a web mini-app: its OAuth client is created; the secrets are shown only here."""
    await ctx.limiter.check(REGISTRATIONS_PER_DAY, "miniapps.register", str(current.account.id))
    done = await developer.register(ctx, session, actor(request, current), body)
    return MiniAppCreated(
        id=done.app.id,
        client_id=done.client.client_id,
        client_secret=done.client_secret,
        webhook_secret=done.webhook_secret,
        status=done.app.status,
    )


@router.get("", response_model=Page[MiniAppDeveloperView])
async def list_own(current: Developer, session: SessionDep, page: PageDep) -> Page[MiniAppDeveloperView]:
    after = repository.parse_uuid(decode_cursor(page.cursor, 1)[0]) if page.cursor else None
    rows = await repository.page(session, limit=page.limit, after=after, owner_id=current.account.id)
    rows, next_cursor = paginate(rows, page.limit, lambda a: [str(a.id)])
    return Page(items=await developer_views(session, rows), next_cursor=next_cursor)


@router.get("/{app_id}", response_model=MiniAppDeveloperView)
async def get_own(app_id: AppId, current: Developer, session: SessionDep) -> MiniAppDeveloperView:
    app = await developer.owned(session, current.account.id, app_id)
    return developer_view(app, await developer.client_of(session, app))


@router.patch("/{app_id}", response_model=MiniAppDeveloperView)
async def edit(
    app_id: AppId, body: MiniAppUpdate, request: Request, current: Developer, ctx: CtxDep, session: SessionDep
) -> MiniAppDeveloperView:
    app = await developer.owned(session, current.account.id, app_id, for_update=True)
    client = await developer.update(ctx, session, actor(request, current), app, body)
    return developer_view(app, client)


@router.post("/{app_id}/secret", response_model=ClientSecret)
async def rotate_secret(
    app_id: AppId, request: Request, current: Developer, ctx: CtxDep, session: SessionDep
) -> ClientSecret:
    """A new client secret, shown once; the previous one stops working at once."""
    app = await developer.owned(session, current.account.id, app_id, for_update=True)
    secret = await developer.rotate_client_secret(ctx, session, actor(request, current), app)
    return ClientSecret(client_id=app.client_id, client_secret=secret)


@router.post("/{app_id}/webhook-secret", response_model=WebhookSecret)
async def rotate_webhook_secret(
    app_id: AppId, request: Request, current: Developer, ctx: CtxDep, session: SessionDep
) -> WebhookSecret:
    app = await developer.owned(session, current.account.id, app_id, for_update=True)
    secret = await developer.rotate_webhook_secret(ctx, session, actor(request, current), app)
    return WebhookSecret(webhook_secret=secret)


@router.post("/{app_id}/submit", response_model=MiniAppDeveloperView)
async def submit(app_id: AppId, request: Request, current: Developer, session: SessionDep) -> MiniAppDeveloperView:
    """Send the app for review (``draft`` or ``rejected`` → ``in_review``)."""
    app = await developer.owned(session, current.account.id, app_id, for_update=True)
    await developer.submit(session, actor(request, current), app)
    return developer_view(app, await developer.client_of(session, app))

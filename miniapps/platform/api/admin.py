"""Admin APIs (role ``admin``): ``/v1/admin/miniapps`` — review, reject, suspend, reinstate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from miniapps.platform import developer, repository, review
from miniapps.platform.api.deps import Admin, actor
from miniapps.platform.api.views import developer_view, developer_views
from miniapps.platform.errors import UnknownStatus
from miniapps.platform.models import STATUSES
from miniapps.platform.schemas import MiniAppDeveloperView, ReviewDecision, SuspendRequest
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep, decode_cursor, paginate

router = APIRouter(prefix="/v1/admin/miniapps", tags=["mini-app review"])
AppId = Annotated[str, Path(max_length=64)]


@router.get("", response_model=Page[MiniAppDeveloperView])
async def list_apps(
    current: Admin,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[MiniAppDeveloperView]:
    if status is not None and status not in STATUSES:
        raise UnknownStatus(allowed=list(STATUSES))
    after = repository.parse_uuid(decode_cursor(page.cursor, 1)[0]) if page.cursor else None
    rows = await repository.page(session, limit=page.limit, after=after, status=status)
    rows, next_cursor = paginate(rows, page.limit, lambda a: [str(a.id)])
    return Page(items=await developer_views(session, rows), next_cursor=next_cursor)


@router.get("/{app_id}", response_model=MiniAppDeveloperView)
async def get_app(app_id: AppId, current: Admin, session: SessionDep) -> MiniAppDeveloperView:
    app = await review.get_for_admin(session, app_id)
    return developer_view(app, await developer.client_of(session, app))


@router.post("/{app_id}/review", response_model=MiniAppDeveloperView)
async def review_app(
    app_id: AppId, body: ReviewDecision, request: Request, current: Admin, ctx: CtxDep, session: SessionDep
) -> MiniAppDeveloperView:
    """``approve`` publishes the app; ``reject`` needs a ``reason`` the developer will read."""
    app = await review.get_for_admin(session, app_id, for_update=True)
    await review.review(ctx, session, actor(request, current), app, body.decision, body.reason)
    return developer_view(app, await developer.client_of(session, app))


@router.post("/{app_id}/suspend", response_model=MiniAppDeveloperView)
async def suspend_app(
    app_id: AppId,
    request: Request,
    current: Admin,
    ctx: CtxDep,
    session: SessionDep,
    body: SuspendRequest | None = None,
) -> MiniAppDeveloperView:
    """Hide the app, suspend its client and revoke every token it holds, at once."""
    app = await review.get_for_admin(session, app_id, for_update=True)
    await review.suspend(ctx, session, actor(request, current), app, body.reason if body else None)
    return developer_view(app, await developer.client_of(session, app))


@router.post("/{app_id}/reinstate", response_model=MiniAppDeveloperView)
async def reinstate_app(
    app_id: AppId, request: Request, current: Admin, ctx: CtxDep, session: SessionDep
) -> MiniAppDeveloperView:
    """Lift a suspension: the app goes back to review."""
    app = await review.get_for_admin(session, app_id, for_update=True)
    await review.reinstate(ctx, session, actor(request, current), app)
    return developer_view(app, await developer.client_of(session, app))

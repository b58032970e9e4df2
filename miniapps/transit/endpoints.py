"""Citizen and validator endpoints, mounted at ``/v1/transit``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Body, Query, Request, Response

from miniapps.transit import offline, purchase, qr, repository, validation, wallet
from miniapps.transit.auth import TransitCitizen, TransitValidator
from miniapps.transit.config import aware, now_utc, transit_settings
from miniapps.transit.errors import InvalidSince
from miniapps.transit.keys import get_keyring
from miniapps.transit.schemas import (
    DenylistEntry,
    DenylistOut,
    DeviceBind,
    DeviceBound,
    OfflineBatchOut,
    OfflineTap,
    OrderCreate,
    OrderPublic,
    ProductPublic,
    QRText,
    TicketPublic,
    TransitKeysOut,
    TripPublic,
    ValidateIn,
    ValidateOut,
)
from miniapps.transit.views import product_public, ticket_public, trip_public
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.i18n import request_language
from superapp.pagination import Page, PageDep, encode_cursor

router = APIRouter(tags=["transit"])
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/products", response_model=list[ProductPublic])
async def list_products(request: Request, session: SessionDep) -> list[ProductPublic]:
    lang = request_language(request)
    return [product_public(p, lang) for p in await repository.list_products(session)]


@router.post("/orders", status_code=201, response_model=OrderPublic)
async def create_order(body: OrderCreate, current: TransitCitizen, ctx: CtxDep, session: SessionDep) -> OrderPublic:
    order, ticket = await purchase.purchase(ctx, session, current.account, body.product_code, body.payment_method)
    return OrderPublic(
        order_id=order.id,
        ticket=ticket_public(ticket, now_utc(ctx)),
        amount_vnd=order.amount_vnd,
        payment_method=order.payment_method,
        payment_reference=order.payment_reference,
        created_at=aware(order.created_at),
    )


@router.get("/tickets", response_model=Page[TicketPublic])
async def list_tickets(current: TransitCitizen, ctx: CtxDep, session: SessionDep, page: PageDep) -> Page[TicketPublic]:
    rows = await repository.wallet_page(session, current.id, page.limit, wallet.keyset_after(page.cursor))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    now = now_utc(ctx)
    cursor = encode_cursor([aware(rows[-1].created_at).isoformat(), str(rows[-1].id)]) if more else None
    return Page(items=[ticket_public(t, now) for t in rows], next_cursor=cursor)


@router.get("/tickets/{ticket_id}", response_model=TicketPublic)
async def get_ticket(ticket_id: uuid.UUID, current: TransitCitizen, ctx: CtxDep, session: SessionDep) -> TicketPublic:
    return ticket_public(await wallet.owned_ticket(session, current.id, ticket_id), now_utc(ctx))


@router.post("/tickets/{ticket_id}/device", response_model=DeviceBound)
async def bind_device(
    ticket_id: uuid.UUID, body: DeviceBind, current: TransitCitizen, ctx: CtxDep, session: SessionDep
) -> DeviceBound:
    return await wallet.bind_device(ctx, session, current.id, ticket_id, body.public_key)


@router.get(
    "/tickets/{ticket_id}/qr",
    response_model=QRText,
    responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}},
)
async def ticket_qr(
    ticket_id: uuid.UUID,
    current: TransitCitizen,
    ctx: CtxDep,
    session: SessionDep,
    format: Annotated[Literal["text", "png", "svg"], Query()] = "text",
):
    current_qr = await wallet.current_qr(ctx, session, current.id, ticket_id)
    if format == "text":
        return Response(current_qr.model_dump_json(), media_type="application/json", headers=NO_STORE)
    render = qr.png if format == "png" else qr.svg
    content = await anyio.to_thread.run_sync(render, current_qr.payload)
    headers = {**NO_STORE, "X-QR-Expires-At": current_qr.expires_at.isoformat()}
    return Response(content, media_type="image/png" if format == "png" else "image/svg+xml", headers=headers)


@router.get("/trips", response_model=Page[TripPublic])
async def list_trips(current: TransitCitizen, session: SessionDep, page: PageDep) -> Page[TripPublic]:
    rows = await repository.trips_page(session, current.id, page.limit, wallet.keyset_after(page.cursor))
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    cursor = encode_cursor([aware(rows[-1].tapped_at).isoformat(), str(rows[-1].id)]) if more else None
    return Page(items=[trip_public(r) for r in rows], next_cursor=cursor)


@router.post("/validate", response_model=ValidateOut, response_model_exclude_none=True)
async def validate(body: ValidateIn, principal: TransitValidator, ctx: CtxDep, session: SessionDep) -> ValidateOut:
    return await validation.validate(ctx, session, body, principal.client_id)


@router.get("/keys", response_model=TransitKeysOut)
async def transit_keys(ctx: CtxDep) -> TransitKeysOut:
    settings = transit_settings(ctx)
    keyring = await get_keyring(ctx)
    return TransitKeysOut(
        keys=keyring.jwks["keys"],
        step_seconds=settings.step_seconds,
        skew_steps=settings.skew_steps,
        passback_minutes=settings.passback_minutes,
    )


@router.get("/denylist", response_model=DenylistOut)
async def denylist(
    _validator: TransitValidator,
    ctx: CtxDep,
    session: SessionDep,
    since: Annotated[str | None, Query(max_length=64)] = None,
) -> DenylistOut:
    settings = transit_settings(ctx)
    after = None
    if since is not None:
        try:
            after = aware(datetime.fromisoformat(since.replace("Z", "+00:00").replace(" ", "+")))
        except ValueError as exc:
            raise InvalidSince() from exc
    now = now_utc(ctx)
    rows = await repository.denylist_page(session, after, now, settings.denylist_page_size)
    more = len(rows) > settings.denylist_page_size
    rows = rows[: settings.denylist_page_size]
    items = [DenylistEntry(ticket_id=t, revoked_at=aware(r), valid_until=aware(v)) for t, r, v in rows]
    # Revocations committing late may carry an earlier time: the next sync starts a little in
    # the past, and entries seen twice are harmless (the deny list is a set).
    lag = timedelta(seconds=settings.denylist_lag_seconds)
    next_since = items[-1].revoked_at if more else now - lag
    return DenylistOut(items=items, next_since=next_since, has_more=more)


@router.post("/validations", response_model=OfflineBatchOut, response_model_exclude_none=True)
async def upload_validations(
    taps: Annotated[list[OfflineTap], Body(max_length=5000)],
    principal: TransitValidator,
    ctx: CtxDep,
    session: SessionDep,
) -> OfflineBatchOut:
    return await offline.upload(ctx, session, principal, taps)

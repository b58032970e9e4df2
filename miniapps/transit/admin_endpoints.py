"""Operator endpoints, mounted as they are at ``/v1/admin/transit``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query
from pydantic import AwareDatetime

from miniapps.transit import operations, repository, wallet
from miniapps.transit.auth import TransitAdmin, TransitOperator
from miniapps.transit.config import aware, now_utc
from miniapps.transit.errors import InvalidTimeRange, TicketNotFound
from miniapps.transit.schemas import (
    ProductAdmin,
    ProductCreate,
    ProductUpdate,
    RevokeIn,
    VALIDATOR_ID,
    TicketAdmin,
    ValidationAdmin,
    ValidatorCreate,
    ValidatorPublic,
    ValidatorUpdate,
)
from miniapps.transit.views import product_admin, ticket_admin, validation_admin, validator_public
from superapp.context import CtxDep
from superapp.db import SessionDep
from superapp.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/v1/admin/transit", tags=["transit admin"])


@router.get("/tickets/{ticket_id}", response_model=TicketAdmin)
async def get_ticket(ticket_id: uuid.UUID, _op: TransitOperator, ctx: CtxDep, session: SessionDep) -> TicketAdmin:
    ticket = await repository.get_ticket(session, ticket_id)
    if ticket is None:
        raise TicketNotFound()
    return ticket_admin(ticket, now_utc(ctx))


@router.post("/tickets/{ticket_id}/revoke", response_model=TicketAdmin)
async def revoke_ticket(
    ticket_id: uuid.UUID,
    operator: TransitOperator,
    ctx: CtxDep,
    session: SessionDep,
    body: Annotated[RevokeIn | None, Body()] = None,
) -> TicketAdmin:
    reason = body.reason if body else None
    ticket = await operations.revoke_ticket(ctx, session, ticket_id, reason, operator.id)
    return ticket_admin(ticket, now_utc(ctx))


@router.get("/validations", response_model=Page[ValidationAdmin])
async def list_validations(
    _op: TransitOperator,
    session: SessionDep,
    page: PageDep,
    ticket_id: uuid.UUID | None = None,
    validator_id: Annotated[str | None, Query(pattern=VALIDATOR_ID)] = None,
    result: Literal["accepted", "rejected"] | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Page[ValidationAdmin]:
    """Taps, newest first: online acceptances and offline uploads (``since`` inclusive,
    ``until`` exclusive, both on the tap time)."""
    if since is not None and until is not None and since >= until:
        raise InvalidTimeRange()
    rows = await repository.validations_page(
        session,
        limit=page.limit,
        after=wallet.keyset_after(page.cursor),
        ticket_id=ticket_id,
        validator_id=validator_id,
        result=result,
        since=since,
        until=until,
    )
    items, cursor = paginate(rows, page.limit, lambda r: [aware(r.tapped_at).isoformat(), str(r.id)])
    return Page(items=[validation_admin(r) for r in items], next_cursor=cursor)


@router.get("/products", response_model=list[ProductAdmin])
async def list_products(_op: TransitOperator, session: SessionDep) -> list[ProductAdmin]:
    return [product_admin(p) for p in await repository.list_products(session, include_inactive=True)]


@router.post("/products", status_code=201, response_model=ProductAdmin)
async def create_product(body: ProductCreate, operator: TransitOperator, session: SessionDep) -> ProductAdmin:
    return product_admin(await operations.create_product(session, body, operator.id))


@router.patch("/products/{code}", response_model=ProductAdmin)
async def update_product(code: str, body: ProductUpdate, operator: TransitOperator, session: SessionDep) -> ProductAdmin:
    return product_admin(await operations.update_product(session, code, body, operator.id))


@router.get("/validators", response_model=list[ValidatorPublic])
async def list_validators(_op: TransitOperator, session: SessionDep) -> list[ValidatorPublic]:
    return [validator_public(v) for v in await repository.list_validators(session)]


@router.post("/validators", status_code=201, response_model=ValidatorPublic)
async def register_validator(
    body: ValidatorCreate, operator: TransitOperator, ctx: CtxDep, session: SessionDep
) -> ValidatorPublic:
    return validator_public(await operations.register_validator(ctx, session, body, operator.id))


@router.patch("/validators/{validator_id}", response_model=ValidatorPublic)
async def update_validator(
    validator_id: str, body: ValidatorUpdate, operator: TransitOperator, ctx: CtxDep, session: SessionDep
) -> ValidatorPublic:
    return validator_public(await operations.update_validator(ctx, session, validator_id, body, operator.id))


@router.post("/keys/rotate")
async def rotate_key(admin: TransitAdmin, ctx: CtxDep, session: SessionDep) -> dict[str, str | None]:
    return await operations.rotate_key(ctx, session, admin.id)

"""Operator endpoints, mounted as they are at ``/v1/admin/transit``."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body

from miniapps.transit import operations, repository
from miniapps.transit.auth import TransitAdmin, TransitOperator
from miniapps.transit.config import now_utc
from miniapps.transit.errors import TicketNotFound
from miniapps.transit.schemas import (
    ProductAdmin,
    ProductCreate,
    ProductUpdate,
    RevokeIn,
    TicketAdmin,
    ValidatorCreate,
    ValidatorPublic,
    ValidatorUpdate,
)
from miniapps.transit.views import product_admin, ticket_admin, validator_public
from superapp.context import CtxDep
from superapp.db import SessionDep

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

"""Table rows → response models."""

from __future__ import annotations

from datetime import datetime

from miniapps.transit.config import aware
from miniapps.transit.models import (
    TransitProduct,
    TransitTicket,
    TransitValidation,
    TransitValidator,
)
from miniapps.transit.schemas import (
    LocalizedName,
    ProductAdmin,
    ProductPublic,
    TicketAdmin,
    TicketPublic,
    TripPublic,
    ValidationAdmin,
    ValidatorPublic,
)


def ticket_status(ticket: TransitTicket, now: datetime) -> str:
    if ticket.status == "active" and aware(ticket.valid_until) <= now:
        return "expired"
    return ticket.status


def product_public(product: TransitProduct, lang: str) -> ProductPublic:
    name = product.name.get(lang) or product.name.get("vi") or product.code
    return ProductPublic(
        code=product.code, name=name, kind=product.kind, price_vnd=product.price_vnd, concession=product.concession
    )


def product_admin(product: TransitProduct) -> ProductAdmin:
    return ProductAdmin(
        code=product.code,
        number=product.number,
        kind=product.kind,
        name=LocalizedName(**product.name),
        price_vnd=product.price_vnd,
        concession=product.concession,
        active=product.active,
        sort_order=product.sort_order,
    )


def _ticket_fields(ticket: TransitTicket, now: datetime) -> dict:
    return {
        "id": ticket.id,
        "product_code": ticket.product_code,
        "kind": ticket.kind,
        "concession": ticket.concession,
        "status": ticket_status(ticket, now),
        "valid_from": aware(ticket.valid_from),
        "valid_until": aware(ticket.valid_until),
        "device_bound": ticket.device_key is not None,
        "used_at": aware(ticket.used_at),
        "revoked_at": aware(ticket.revoked_at),
        "created_at": aware(ticket.created_at),
    }


def ticket_public(ticket: TransitTicket, now: datetime) -> TicketPublic:
    return TicketPublic(**_ticket_fields(ticket, now))


def ticket_admin(ticket: TransitTicket, now: datetime) -> TicketAdmin:
    return TicketAdmin(
        **_ticket_fields(ticket, now),
        account_id=ticket.account_id,
        order_id=ticket.order_id,
        revoked_reason=ticket.revoked_reason,
    )


def trip_public(row: TransitValidation) -> TripPublic:
    return TripPublic(
        id=row.id,
        ticket_id=row.ticket_id,
        product_code=row.product_code,
        kind=row.kind,
        validator_id=row.validator_id,
        route=row.route,
        source=row.source,
        tapped_at=aware(row.tapped_at),
    )


def validation_admin(row: TransitValidation) -> ValidationAdmin:
    return ValidationAdmin(
        id=row.id,
        ticket_id=row.ticket_id,
        product_code=row.product_code,
        kind=row.kind,
        validator_id=row.validator_id,
        route=row.route,
        source=row.source,
        result=row.result,
        reason=row.reason,
        conflict=row.conflict,
        tapped_at=aware(row.tapped_at),
        recorded_at=aware(row.recorded_at),
    )


def validator_public(row: TransitValidator) -> ValidatorPublic:
    return ValidatorPublic(
        validator_id=row.validator_id,
        name=row.name,
        route=row.route,
        client_id=row.client_id,
        active=row.active,
        created_at=aware(row.created_at),
    )

"""The citizen's wallet: tickets, the current dynamic QR, binding a ticket to a phone, trips."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.transit import repository
from miniapps.transit.config import aware, now_unix, now_utc, transit_settings
from miniapps.transit.errors import (
    DeviceAlreadyBound,
    InvalidDeviceKey,
    TicketDeviceBound,
    TicketNotFound,
    TicketNotUsable,
)
from miniapps.transit.keys import get_keyring
from miniapps.transit.models import TransitTicket
from miniapps.transit.payload import (
    TicketClaims,
    compress_public_key,
    device_certificate,
    issuer_payload,
    step_of,
)
from miniapps.transit.schemas import DeviceBound, QRText
from miniapps.transit.verifier import public_key_from_jwk
from miniapps.transit.views import ticket_status
from superapp.context import AppContext
from superapp.pagination import decode_cursor


async def owned_ticket(session: AsyncSession, account_id: uuid.UUID, ticket_id: uuid.UUID) -> TransitTicket:
    """The ticket if it belongs to ``account_id``; 404 otherwise (never reveals others' tickets)."""
    ticket = await repository.get_ticket(session, ticket_id)
    if ticket is None or ticket.account_id != account_id:
        raise TicketNotFound()
    return ticket


def _usable(ticket: TransitTicket, now: datetime) -> None:
    status = ticket_status(ticket, now)
    if status != "active":
        raise TicketNotUsable(params={"status": status}, ticket_status=status)


def claims_for(ticket: TransitTicket, kid: str, step_seconds: int, device_key: bytes | None = None) -> TicketClaims:
    return TicketClaims(
        kid=kid,
        ticket_id=ticket.id,
        product_number=ticket.product_number,
        kind=ticket.kind,
        concession=ticket.concession,
        valid_from=int(aware(ticket.valid_from).timestamp()),
        valid_until=int(aware(ticket.valid_until).timestamp()),
        step_seconds=step_seconds,
        device_key=device_key,
    )


async def current_qr(ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, ticket_id: uuid.UUID) -> QRText:
    """The payload for the current time step, signed by the active transit key (mode 0)."""
    ticket = await owned_ticket(session, account_id, ticket_id)
    _usable(ticket, now_utc(ctx))
    if ticket.device_key is not None:
        raise TicketDeviceBound()
    step_seconds = transit_settings(ctx).step_seconds
    kid, signer = (await get_keyring(ctx)).require_signer()
    step = step_of(now_unix(ctx), step_seconds)
    payload = issuer_payload(claims_for(ticket, kid, step_seconds), step, signer)
    expires = min((step + 1) * step_seconds, int(aware(ticket.valid_until).timestamp()))
    return QRText(
        payload=payload, expires_at=datetime.fromtimestamp(expires, UTC), step=step, step_seconds=step_seconds
    )


async def bind_device(
    ctx: AppContext, session: AsyncSession, account_id: uuid.UUID, ticket_id: uuid.UUID, jwk: dict[str, Any]
) -> DeviceBound:
    """Issue the device certificate for the phone's key (once per ticket; the same key again
    gets the same certificate back)."""
    ticket = await owned_ticket(session, account_id, ticket_id)
    _usable(ticket, now_utc(ctx))
    try:
        device_key = compress_public_key(public_key_from_jwk(jwk))
    except ValueError as exc:
        raise InvalidDeviceKey() from exc
    step_seconds = transit_settings(ctx).step_seconds
    if ticket.device_key is not None:
        if ticket.device_key != device_key.hex() or not ticket.device_certificate:
            raise DeviceAlreadyBound()
        cert = base64.urlsafe_b64decode(ticket.device_certificate + "=" * (-len(ticket.device_certificate) % 4))
        return DeviceBound(ticket_id=ticket.id, kid=cert[1:5].hex(), certificate=ticket.device_certificate,
                           step_seconds=cert[33])
    kid, signer = (await get_keyring(ctx)).require_signer()
    cert = device_certificate(claims_for(ticket, kid, step_seconds, device_key), device_key, signer)
    ticket.device_key = device_key.hex()
    ticket.device_certificate = base64.urlsafe_b64encode(cert).rstrip(b"=").decode()
    ticket.device_bound_at = now_utc(ctx)
    await session.flush()
    return DeviceBound(ticket_id=ticket.id, kid=kid, certificate=ticket.device_certificate, step_seconds=step_seconds)


def keyset_after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Decode a ``[time, id]`` cursor (400 ``pagination.invalid_cursor`` if it is not one)."""
    if cursor is None:
        return None
    from superapp.pagination import InvalidCursor

    at, ident = decode_cursor(cursor, 2)
    try:
        return aware(datetime.fromisoformat(at)), uuid.UUID(ident)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor() from exc

"""Taps recorded by offline validators, uploaded later in batches.

Each tap is identified by ``sha256(validator_id, payload)``: uploading a batch again records
nothing new (``duplicate``). A tap is checked as of its own ``tapped_at``; a tap the validator
accepted that the server would not have is recorded and flagged (``conflict``): the second use
of a single ride (``used``), a pass on another validator inside the anti-passback window
(``passback``), a ticket revoked before the tap (``revoked``), or a payload out of its time
window (``expired``, ``not_yet_valid``). Unreadable or forged payloads are ``invalid`` and
not recorded.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from auth.deps import Principal
from miniapps.transit import repository
from miniapps.transit.config import aware, transit_settings
from miniapps.transit.errors import BatchTooLarge, ValidatorNotAllowed
from miniapps.transit.models import TransitTicket, TransitValidation
from miniapps.transit.schemas import OfflineBatchOut, OfflineOutcome, OfflineTap
from miniapps.transit.validation import (
    binding_mismatch,
    check_validator,
    verify_with_current_keys,
)
from superapp.context import AppContext


def tap_key(tap: OfflineTap) -> str:
    return hashlib.sha256(f"{tap.validator_id}\x00{tap.payload}".encode()).hexdigest()


async def _conflict(
    ctx: AppContext, session: AsyncSession, ticket: TransitTicket, tap: OfflineTap, reason: str | None
) -> tuple[str | None, bool]:
    """(conflict reason, whether this tap is the single ride's one use)."""
    if reason is not None:
        return reason, False
    if ticket.revoked_at is not None and aware(ticket.revoked_at) <= tap.tapped_at:
        return "revoked", False
    if ticket.kind == "single_ride":
        if await repository.claim_single_ride(session, ticket.id, tap.tapped_at):
            return None, True
        return "used", False
    window = timedelta(minutes=transit_settings(ctx).passback_minutes)
    if window and await repository.accepted_elsewhere(
        session, ticket.id, tap.validator_id, tap.tapped_at - window, tap.tapped_at + window
    ):
        return "passback", False
    return None, False


async def _one(ctx: AppContext, session: AsyncSession, principal: Principal, index: int, tap: OfflineTap) -> OfflineOutcome:
    try:
        await check_validator(ctx, session, tap.validator_id, principal.client_id)
    except ValidatorNotAllowed:
        return OfflineOutcome(index=index, status="invalid", reason="validator_not_allowed")
    key = tap_key(tap)
    existing = await repository.validation_by_dedupe_key(session, key)
    if existing is not None:
        return OfflineOutcome(index=index, status="duplicate", validation_id=existing.id)
    verdict = await verify_with_current_keys(ctx, tap.payload, tap.tapped_at.timestamp())
    if verdict.reason == "bad_signature" or verdict.claims is None:
        return OfflineOutcome(index=index, status="invalid", reason="bad_signature")
    ticket = await repository.get_ticket(session, verdict.claims.ticket_id)
    if ticket is None or binding_mismatch(ticket, verdict):
        return OfflineOutcome(index=index, status="invalid", reason="bad_signature")

    row = TransitValidation(
        ticket_id=ticket.id,
        account_id=ticket.account_id,
        product_code=ticket.product_code,
        kind=ticket.kind,
        validator_id=tap.validator_id,
        route=tap.route,
        step=verdict.step,
        source="offline",
        result=tap.result,
        reason=tap.reason,
        dedupe_key=key,
        tapped_at=tap.tapped_at,
    )
    try:
        async with session.begin_nested():
            if tap.result == "accepted":
                conflict, single_use = await _conflict(ctx, session, ticket, tap, verdict.reason)
                row.conflict = conflict is not None
                row.reason = conflict or tap.reason
                row.single_use_ticket_id = ticket.id if single_use else None
            session.add(row)
            await session.flush()
    except IntegrityError:
        return OfflineOutcome(index=index, status="duplicate")
    if row.conflict:
        return OfflineOutcome(index=index, status="conflict", reason=row.reason, validation_id=row.id)
    return OfflineOutcome(index=index, status="recorded", validation_id=row.id)


async def upload(ctx: AppContext, session: AsyncSession, principal: Principal, taps: list[OfflineTap]) -> OfflineBatchOut:
    if len(taps) > transit_settings(ctx).offline_batch_max:
        limit = transit_settings(ctx).offline_batch_max
        raise BatchTooLarge(params={"max_items": limit}, max_items=limit)
    ordered = sorted(enumerate(taps), key=lambda pair: pair[1].tapped_at)  # earliest use wins
    outcomes = [await _one(ctx, session, principal, i, tap) for i, tap in ordered]
    outcomes.sort(key=lambda o: o.index)
    count = {s: sum(1 for o in outcomes if o.status == s) for s in ("recorded", "duplicate", "conflict", "invalid")}
    return OfflineBatchOut(
        items=outcomes,
        recorded=count["recorded"],
        duplicates=count["duplicate"],
        conflicts=count["conflict"],
        invalid=count["invalid"],
    )

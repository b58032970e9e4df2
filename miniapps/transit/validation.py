"""Online validation: the offline verifier, then the checks that need shared state.

- Replay: the first presentation of ``(ticket, step)`` claims a Redis key with ``SET NX``; any
  other presentation of that step is ``replayed``.
- A single ride is used once, ever: a compare-and-set ``UPDATE … WHERE status = 'active'
  RETURNING …`` (one row changes for one caller only; it also reads the ticket, so the
  accepted path costs one statement), backed by a unique index on the accepted use.
- Anti-passback for passes: ``SET NX EX`` of ``validator|time`` for ``passback_minutes``; the
  same pass on another validator inside that window is ``passback``, on the same one a repeat.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.transit import repository
from miniapps.transit.config import aware, now_unix, transit_settings
from miniapps.transit.errors import ValidatorNotAllowed
from miniapps.transit.keys import get_keyring
from miniapps.transit.models import TransitTicket, TransitValidation
from miniapps.transit.schemas import TicketBrief, ValidateIn, ValidateOut
from miniapps.transit.verifier import Verdict, verify_payload
from superapp.context import AppContext

log = logging.getLogger(__name__)
VALIDATOR_CACHE_KEY = "transit.validators"
VALIDATOR_CACHE_SECONDS = 30.0


async def check_validator(ctx: AppContext, session: AsyncSession, validator_id: str, client_id: str) -> None:
    """A registered validator must be active and, if tied to a client, used by that client.
    Unregistered ids are accepted (a fleet may start validating before it is registered)."""
    cache: dict[str, tuple[float, tuple[bool, str | None] | None]] = ctx.cache.setdefault(VALIDATOR_CACHE_KEY, {})
    now = time.monotonic()
    hit = cache.get(validator_id)
    if hit is None or now - hit[0] >= VALIDATOR_CACHE_SECONDS:
        row = await repository.get_validator(session, validator_id)
        hit = (now, None if row is None else (row.active, row.client_id))
        if len(cache) > 50_000:
            cache.clear()
        cache[validator_id] = hit
    entry = hit[1]
    if entry is None:
        return
    active, bound_client = entry
    if not active or (bound_client is not None and bound_client != client_id):
        raise ValidatorNotAllowed(validator_id=validator_id)


async def verify_with_current_keys(ctx: AppContext, payload: str, at: float) -> Verdict:
    """The pure verifier with the published keys; an unknown kid reloads them once."""
    settings = transit_settings(ctx)
    keyring = await get_keyring(ctx)
    verdict = verify_payload(payload, keyring.verification, (), at, skew_steps=settings.skew_steps)
    if verdict.detail == "unknown_key":
        keyring = await get_keyring(ctx, refresh=True)
        verdict = verify_payload(payload, keyring.verification, (), at, skew_steps=settings.skew_steps)
    return verdict


def _brief(ticket: TransitTicket) -> TicketBrief:
    return TicketBrief(
        id=ticket.id,
        kind=ticket.kind,
        product_code=ticket.product_code,
        concession=ticket.concession,
        valid_until=aware(ticket.valid_until),
    )


def rejected(reason: str, detail: str | None = None, ticket: TransitTicket | None = None) -> ValidateOut:
    return ValidateOut(result="rejected", reason=reason, detail=detail, ticket=_brief(ticket) if ticket else None)


def binding_mismatch(ticket: TransitTicket, verdict: Verdict) -> bool:
    """A ticket bound to a phone only travels on that phone's signatures."""
    if ticket.device_key is None:
        return False
    key = verdict.claims.device_key if verdict.claims else None
    return key is None or key.hex() != ticket.device_key


async def validate(ctx: AppContext, session: AsyncSession, body: ValidateIn, client_id: str) -> ValidateOut:
    await check_validator(ctx, session, body.validator_id, client_id)
    at = now_unix(ctx)
    verdict = await verify_with_current_keys(ctx, body.payload, at)
    if not verdict.accepted:
        log.info("transit validation rejected: %s (%s) at %s", verdict.reason, verdict.detail, body.validator_id)
        return rejected(verdict.reason or "bad_signature", verdict.detail)
    if verdict.claims.kind == "single_ride":
        return await _single_ride(ctx, session, body, verdict, at)
    return await _pass(ctx, session, body, verdict, at)


async def _claim_step(ctx: AppContext, verdict: Verdict, validator_id: str) -> bool:
    """``SET NX`` of ``(ticket, step)``: true for the first presentation of this step only."""
    claims = verdict.claims
    ttl = claims.step_seconds * (2 * transit_settings(ctx).skew_steps + 2)
    key = ctx.rkey("transit", "step", claims.ticket_id, verdict.step)
    return bool(await ctx.redis.set(key, validator_id.encode(), nx=True, ex=ttl))


async def _explain(session: AsyncSession, verdict: Verdict) -> ValidateOut:
    """Why the compare-and-set changed nothing: revoked, bound to another phone, or used."""
    ticket = await repository.get_ticket(session, verdict.claims.ticket_id)
    if ticket is None or ticket.status == "revoked":
        return rejected("revoked", None, ticket)
    if binding_mismatch(ticket, verdict):
        return rejected("bad_signature", "device_binding", ticket)
    return rejected("used", None, ticket)


async def _single_ride(
    ctx: AppContext, session: AsyncSession, body: ValidateIn, verdict: Verdict, at: float
) -> ValidateOut:
    """Step claim, then one ``UPDATE … RETURNING`` that both takes the ride and reads the ticket;
    the ticket is read on its own only to explain a refusal."""
    claims = verdict.claims
    if not await _claim_step(ctx, verdict, body.validator_id):
        return rejected("replayed")
    tapped_at = datetime.fromtimestamp(at, UTC)
    device_key = claims.device_key.hex() if claims.device_key is not None else None
    row = await repository.use_single_ride(session, claims.ticket_id, device_key, tapped_at)
    if row is None:
        return await _explain(session, verdict)
    session.add(
        TransitValidation(
            ticket_id=claims.ticket_id,
            account_id=row.account_id,
            product_code=row.product_code,
            kind="single_ride",
            validator_id=body.validator_id,
            route=body.route,
            step=verdict.step,
            source="online",
            result="accepted",
            single_use_ticket_id=claims.ticket_id,
            tapped_at=tapped_at,
        )
    )
    await session.flush()
    brief = TicketBrief(
        id=claims.ticket_id,
        kind="single_ride",
        product_code=row.product_code,
        concession=row.concession,
        valid_until=aware(row.valid_until),
    )
    return ValidateOut(result="accepted", ticket=brief)


async def _pass(ctx: AppContext, session: AsyncSession, body: ValidateIn, verdict: Verdict, at: float) -> ValidateOut:
    settings = transit_settings(ctx)
    ticket = await repository.get_ticket(session, verdict.claims.ticket_id)
    if ticket is None or ticket.status == "revoked":
        return rejected("revoked", None, ticket)
    if binding_mismatch(ticket, verdict):
        return rejected("bad_signature", "device_binding", ticket)
    if not await _claim_step(ctx, verdict, body.validator_id):
        return rejected("replayed", None, ticket)
    repeat = False
    if settings.passback_minutes > 0:
        hold = await _passback_hold(ctx, ticket, body.validator_id, at, settings.passback_minutes * 60)
        if hold == "passback":
            return rejected("passback", None, ticket)
        repeat = hold == "repeat"
    if not repeat:
        _record(session, ticket, body, verdict.step, datetime.fromtimestamp(at, UTC))
        await session.flush()
    return ValidateOut(result="accepted", ticket=_brief(ticket), repeat=repeat)


async def _passback_hold(ctx: AppContext, ticket: TransitTicket, validator_id: str, at: float, window: int) -> str:
    """``first`` (this validator now holds the pass), ``repeat`` (it already did) or ``passback``.

    The hold is ``validator|time`` under ``SET NX EX``: one validator wins a simultaneous race.
    The time inside lets the window follow the service clock, the TTL only bounds the key's life.
    """
    key = ctx.rkey("transit", "passback", ticket.id)
    mine = f"{validator_id}|{at:.3f}".encode()
    if await ctx.redis.set(key, mine, nx=True, ex=window):
        return "first"
    held = await ctx.redis.get(key)
    holder, _, since = (held or b"").decode().partition("|")
    try:
        expired = held is None or at - float(since) >= window
    except ValueError:
        expired = True
    if expired:
        await ctx.redis.set(key, mine, ex=window)
        return "first"
    return "repeat" if holder == validator_id else "passback"


def _record(session: AsyncSession, ticket: TransitTicket, body: ValidateIn, step: int, at: datetime) -> None:
    session.add(
        TransitValidation(
            ticket_id=ticket.id,
            account_id=ticket.account_id,
            product_code=ticket.product_code,
            kind=ticket.kind,
            validator_id=body.validator_id,
            route=body.route,
            step=step,
            source="online",
            result="accepted",
            tapped_at=at,
        )
    )

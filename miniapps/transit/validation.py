"""Online validation: the offline verifier, then the checks that need shared state.

- Replay: the first presentation of ``(ticket, step)`` claims a Redis key with ``SET NX``; any
  other presentation of that step is ``replayed``.
- A single ride is used once, ever: a compare-and-set ``UPDATE … WHERE status = 'active'``
  (one row changes for one caller only), backed by a unique index on the accepted use.
- Anti-passback for passes: ``SET NX EX`` of the validator id for ``passback_minutes``; the
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
    settings = transit_settings(ctx)
    at = now_unix(ctx)
    verdict = await verify_with_current_keys(ctx, body.payload, at)
    if not verdict.accepted:
        log.info("transit validation rejected: %s (%s) at %s", verdict.reason, verdict.detail, body.validator_id)
        return rejected(verdict.reason or "bad_signature", verdict.detail)
    claims = verdict.claims
    ticket = await repository.get_ticket(session, claims.ticket_id)
    if ticket is None or ticket.status == "revoked":
        return rejected("revoked", None, ticket)
    if binding_mismatch(ticket, verdict):
        return rejected("bad_signature", "device_binding", ticket)
    if ticket.kind == "single_ride" and ticket.status == "used":
        return rejected("used", None, ticket)

    step_ttl = claims.step_seconds * (2 * settings.skew_steps + 2)
    first_time = await ctx.redis.set(
        ctx.rkey("transit", "step", claims.ticket_id, verdict.step), body.validator_id.encode(), nx=True, ex=step_ttl
    )
    if not first_time:
        return rejected("replayed", None, ticket)

    tapped_at = datetime.fromtimestamp(at, UTC)
    if ticket.kind == "single_ride":
        if not await repository.claim_single_ride(session, ticket.id, tapped_at):
            return rejected("used", None, ticket)
        _record(session, ticket, body, verdict.step, tapped_at, single_use=True)
        await session.flush()
        return ValidateOut(result="accepted", ticket=_brief(ticket))

    repeat = False
    if settings.passback_minutes > 0:
        hold = await _passback_hold(ctx, ticket, body.validator_id, at, settings.passback_minutes * 60)
        if hold == "passback":
            return rejected("passback", None, ticket)
        repeat = hold == "repeat"
    if not repeat:
        _record(session, ticket, body, verdict.step, tapped_at, single_use=False)
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


def _record(
    session: AsyncSession, ticket: TransitTicket, body: ValidateIn, step: int, at: datetime, *, single_use: bool
) -> None:
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
            single_use_ticket_id=ticket.id if single_use else None,
            tapped_at=at,
        )
    )

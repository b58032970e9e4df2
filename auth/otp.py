"""One-time codes sent by SMS: 6 digits, 5 minutes, 5 attempts, single use.

Codes live in Redis only, as an HMAC-SHA256 digest keyed by the server secret (a leaked Redis
dump does not reveal them), in one hash per ``(purpose, phone)``:
``otp:<purpose>:<phone> → {h: digest, attempts: n}`` with the code's TTL. Every verification
counts an attempt with ``HINCRBY`` (atomic); the code is consumed with ``DEL``, and only the
caller whose ``DEL`` removed the key succeeds, so a code works once even under concurrent use.
Resending is throttled per phone and purpose (``SET NX EX``) and capped per hour.

Codes are never logged: the SMS backend is the only place they leave this module.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from auth.phones import normalize_phone
from auth.sms import sms_sender
from superapp import i18n
from superapp.errors import AppError

if TYPE_CHECKING:
    from superapp.context import AppContext

CODE_DIGITS = 6
SENDS_PER_HOUR = "10/hour"
PURPOSES = ("register", "login", "password_reset")
_PURPOSE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CODE_RE = re.compile(r"^\d{6}$")


class OtpThrottled(AppError):
    """A new code was asked for too soon (``otp.resend_too_soon``) or too often in an hour."""

    status = 429
    code = "otp.resend_too_soon"


class OtpResult(enum.Enum):
    OK = "ok"
    INVALID = "invalid"  # wrong code, attempts remain
    EXPIRED = "expired"  # no live code (never sent, expired or superseded)
    REPLAYED = "replayed"  # this code was already used
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # the code is dead


def _check_purpose(purpose: str) -> None:
    if not isinstance(purpose, str) or not _PURPOSE_RE.match(purpose):
        raise ValueError(f"invalid OTP purpose {purpose!r}")


def _digest(ctx: AppContext, purpose: str, phone: str, code: str) -> bytes:
    secret = ctx.settings.secrets["secret_key"].encode()
    return hmac.new(secret, f"otp\x00{purpose}\x00{phone}\x00{code}".encode(), hashlib.sha256).hexdigest().encode()


def _keys(ctx: AppContext, purpose: str, phone: str) -> tuple[str, str, str]:
    return (
        ctx.rkey("otp", purpose, phone),
        ctx.rkey("otp-resend", purpose, phone),
        ctx.rkey("otp-used", purpose, phone),
    )


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def otp_text(purpose: str, code: str, minutes: int, lang: str) -> str:
    i18n.load_package("auth")
    key = f"sms.otp.{purpose}" if i18n.has(f"sms.otp.{purpose}") else "sms.otp"
    return i18n.t(key, lang, code=code, minutes=minutes)


async def claim_send_slot(ctx: AppContext, *, phone: str, purpose: str) -> str:
    """Count one send for ``phone`` and ``purpose`` against the throttle; returns the E.164 phone.

    Endpoints that must not reveal whether a phone is registered call this for unknown phones,
    so that both paths answer a too-early repeat with the same 429.
    """
    _check_purpose(purpose)
    phone = normalize_phone(phone)
    _code_key, resend_key, _used_key = _keys(ctx, purpose, phone)
    if not await ctx.redis.set(resend_key, b"1", ex=ctx.settings.otp_resend_seconds, nx=True):
        retry_after = max(1, int(await ctx.redis.ttl(resend_key)))
        raise OtpThrottled(headers={"Retry-After": str(retry_after)}, retry_after=retry_after)
    if not await ctx.limiter.hit(SENDS_PER_HOUR, "otp-send", purpose, phone):
        raise OtpThrottled(code="otp.too_many_sends", headers={"Retry-After": "3600"}, retry_after=3600)
    return phone


async def send_otp(ctx: AppContext, *, phone: str, purpose: str, lang: str = "vi") -> None:
    """Text a fresh code to ``phone`` for ``purpose``, replacing any earlier one.

    Raises :class:`OtpThrottled` (429, with ``Retry-After``) when the last code for this phone
    and purpose was sent less than ``SUPERAPP_OTP_RESEND_SECONDS`` ago, or after too many codes
    this hour; :class:`auth.phones.InvalidPhone` for a malformed number.
    """
    phone = await claim_send_slot(ctx, phone=phone, purpose=purpose)
    settings = ctx.settings
    code_key, resend_key, used_key = _keys(ctx, purpose, phone)
    code = new_code()
    pipe = ctx.redis.pipeline(transaction=True)
    pipe.delete(code_key)
    pipe.hset(code_key, mapping={"h": _digest(ctx, purpose, phone, code), "attempts": 0})
    pipe.expire(code_key, settings.otp_ttl_seconds)
    await pipe.execute()
    await ctx.redis.delete(used_key)
    body = otp_text(purpose, code, max(1, settings.otp_ttl_seconds // 60), lang)
    try:
        await sms_sender(ctx).send(to=phone, body=body, code=code)
    except BaseException:
        await ctx.redis.delete(code_key)
        await ctx.redis.delete(resend_key)
        raise


async def check_otp(ctx: AppContext, *, phone: str, purpose: str, code: str) -> OtpResult:
    """Verify and, when right, consume the code; the result says why a code was refused."""
    _check_purpose(purpose)
    phone = normalize_phone(phone)
    code_key, _resend_key, used_key = _keys(ctx, purpose, phone)
    code = code if isinstance(code, str) else ""
    pipe = ctx.redis.pipeline(transaction=True)
    pipe.hincrby(code_key, "attempts", 1)
    pipe.hget(code_key, "h")
    attempts, stored = await pipe.execute()
    given = _digest(ctx, purpose, phone, code) if _CODE_RE.match(code) else b""
    if stored is None:
        # HINCRBY created a record without a code: let it expire rather than race a new send.
        await ctx.redis.expire(code_key, ctx.settings.otp_ttl_seconds)
        used = await ctx.redis.get(used_key)
        if given and used is not None and hmac.compare_digest(used, given):
            return OtpResult.REPLAYED
        return OtpResult.EXPIRED
    limit = ctx.settings.otp_max_attempts
    if attempts > limit:
        return OtpResult.TOO_MANY_ATTEMPTS
    if given and hmac.compare_digest(stored, given):
        if await ctx.redis.delete(code_key) != 1:
            return OtpResult.REPLAYED  # a concurrent request consumed it first
        await ctx.redis.set(used_key, given, ex=ctx.settings.otp_ttl_seconds)
        return OtpResult.OK
    return OtpResult.TOO_MANY_ATTEMPTS if attempts >= limit else OtpResult.INVALID


async def verify_otp(ctx: AppContext, *, phone: str, purpose: str, code: str) -> bool:
    """``True`` once for the right code (consuming it); failed attempts count toward the limit."""
    return await check_otp(ctx, phone=phone, purpose=purpose, code=code) is OtpResult.OK


class OtpRefused(AppError):
    status = 400
    code = "otp.invalid"


_REFUSALS = {
    OtpResult.INVALID: "otp.invalid",
    OtpResult.EXPIRED: "otp.expired",
    OtpResult.REPLAYED: "otp.already_used",
    OtpResult.TOO_MANY_ATTEMPTS: "otp.too_many_attempts",
}


async def require_otp(ctx: AppContext, *, phone: str, purpose: str, code: str) -> None:
    """Like :func:`verify_otp` but raises a 400 problem naming why the code was refused."""
    result = await check_otp(ctx, phone=phone, purpose=purpose, code=code)
    if result is not OtpResult.OK:
        raise OtpRefused(code=_REFUSALS[result])

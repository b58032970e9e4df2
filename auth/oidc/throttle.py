"""Brute-force defence for sign-ins (password and OTP): failed attempts are counted per
account (the normalised username, whether it exists or not) and per client IP through
``ctx.limiter`` (Redis-backed when configured). Over either limit, attempts are refused
before any password is checked."""

from __future__ import annotations

from superapp.context import AppContext
from superapp.errors import AppError

PER_ACCOUNT = "5/15 minutes"
PER_IP = "50/15 minutes"
NAMESPACE = "login-failures"


class LoginThrottled(AppError):
    status = 429
    code = "auth.login_throttled"


async def ensure_allowed(ctx: AppContext, account_key: str, ip: str) -> None:
    if not await ctx.limiter.test(PER_IP, NAMESPACE, "ip", ip):
        raise LoginThrottled(headers={"Retry-After": "900"})
    if not await ctx.limiter.test(PER_ACCOUNT, NAMESPACE, "account", account_key):
        raise LoginThrottled(headers={"Retry-After": "900"})


async def record_failure(ctx: AppContext, account_key: str, ip: str) -> None:
    await ctx.limiter.hit(PER_IP, NAMESPACE, "ip", ip)
    await ctx.limiter.hit(PER_ACCOUNT, NAMESPACE, "account", account_key)


async def record_success(ctx: AppContext, account_key: str) -> None:
    await ctx.limiter.clear(PER_ACCOUNT, NAMESPACE, "account", account_key)

"""Payment providers behind one small interface; ``sandbox`` approves every charge.

A real provider (VNPay, MoMo, ZaloPay, ...) implements :class:`PaymentProvider` and is
registered in :func:`providers`. Tests may put their own map at ``ctx.cache["transit.payments"]``.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "transit.payments"


@dataclass(frozen=True)
class PaymentResult:
    approved: bool
    reference: str | None = None
    failure: str | None = None


class PaymentProvider(Protocol):
    name: str

    async def charge(self, *, order_id: uuid.UUID, amount_vnd: int, description: str) -> PaymentResult: ...


class SandboxProvider:
    """Approves every charge at once with a ``sbx_`` reference. For development and tests."""

    name = "sandbox"

    async def charge(self, *, order_id: uuid.UUID, amount_vnd: int, description: str) -> PaymentResult:
        if amount_vnd < 0:
            return PaymentResult(False, failure="negative_amount")
        return PaymentResult(True, reference=f"sbx_{secrets.token_hex(10)}")


def providers(ctx: AppContext) -> dict[str, PaymentProvider]:
    found = ctx.cache.get(CACHE_KEY)
    if found is None:
        found = ctx.cache[CACHE_KEY] = {"sandbox": SandboxProvider()}
    return found


def provider_for(ctx: AppContext, name: str) -> PaymentProvider | None:
    return providers(ctx).get(name)

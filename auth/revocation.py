"""The revocation index: what must stop working before the JWT's own expiry.

Keys ``rev:<kind>:<id>`` hold the Unix time of the revocation and live as long as the longest
access token. A token is refused when its ``sid``, grant (``gid``) or ``client_id`` was
revoked at or after its ``iat``. One pipelined round trip per request, single-key reads
only (cluster-safe).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from superapp.context import AppContext

KINDS = ("sid", "gid", "client")


async def revoke(ctx: AppContext, kind: str, value: str) -> None:
    if kind not in KINDS:
        raise ValueError(kind)
    ttl = ctx.settings.access_token_ttl_seconds + 120
    await ctx.redis.set(ctx.rkey("rev", kind, value), str(time.time()).encode(), ex=ttl)
    if kind == "client":
        from auth.client_invalidation import announce

        await announce(ctx, value)


async def is_revoked(ctx: AppContext, claims: dict) -> bool:
    pairs = [
        ("sid", claims.get("sid")),
        ("gid", claims.get("gid")),
        ("client", claims.get("client_id")),
    ]
    pairs = [(k, v) for k, v in pairs if v]
    if not pairs:
        return False
    pipe = ctx.redis.pipeline(transaction=False)
    for kind, value in pairs:
        pipe.get(ctx.rkey("rev", kind, value))
    values = await pipe.execute()
    iat = float(claims.get("iat", 0))
    for raw in values:
        if raw is not None and iat <= float(raw):
            return True
    return False

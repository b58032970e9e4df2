"""Refresh-token rotation in one PostgreSQL statement: the grant's fast path.

The refresh grant's usual path (``auth.oidc.grants.refresh_token``) claims the presented token,
reads the grant, checks it, touches it and inserts the successor: seven round trips through the
ORM. Every app start pays for it. On PostgreSQL the successful case is one statement instead,
run outside a transaction (a single statement is atomic on its own):

- ``claimed``: the presented token, if it belongs to the client, is unused, not idle-expired,
  and its grant is neither revoked nor past its absolute lifetime, and the requested scope (if
  any) is within the grant's: marked used. Nothing is claimed unless *every* condition holds.
- ``touched``: the grant's ``last_used_at``, only while the grant is still not revoked (a
  revocation committed meanwhile wins).
- ``successor``: the new member of the family, expiring at the idle lifetime but never after
  the grant.

When the statement returns no grant, it changed nothing that matters to the caller (at worst a
token claimed in the instant its grant was revoked, which the usual path then treats as reuse)
and the usual path runs: it decides between unknown, reused (the family is revoked), expired and
``invalid_scope`` exactly as before. The rules are the usual path's; only the round trips differ.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auth.oidc import opaque
from superapp.context import AppContext
from superapp.db import utcnow

# asyncpg placeholders: $1 now, $2 presented hash, $3 client id, $4 requested scopes (jsonb
# array or NULL), $5 successor hash, $6 idle end.
ROTATE = """
WITH claimed AS (
    UPDATE oidc_refresh_tokens AS t SET used_at = $1
    FROM oidc_grants AS g
    WHERE t.token_hash = $2 AND t.client_id = $3 AND t.used_at IS NULL
      AND t.expires_at > $1
      AND g.id = t.grant_id AND g.revoked_at IS NULL AND g.expires_at > $1
      AND ($4::jsonb IS NULL OR g.scopes::jsonb @> $4::jsonb)
    RETURNING t.grant_id
),
touched AS (
    UPDATE oidc_grants AS g SET last_used_at = $1
    FROM claimed
    WHERE g.id = claimed.grant_id AND g.revoked_at IS NULL
    RETURNING g.id, g.client_id, g.sid, g.subject, g.scopes, g.auth_time, g.acr, g.amr, g.expires_at
),
successor AS (
    INSERT INTO oidc_refresh_tokens (token_hash, grant_id, client_id, created_at, expires_at)
    SELECT $5, touched.id, $3, $1, LEAST($6::timestamptz, touched.expires_at)
    FROM touched
)
SELECT id, client_id, sid, subject, scopes, auth_time, acr, amr, expires_at FROM touched
"""


@dataclass(frozen=True)
class RotatedGrant:
    """What the token response needs of the grant (``auth.oidc.issuance``)."""

    id: uuid.UUID
    client_id: str
    sid: str | None
    subject: str
    scopes: list[str]
    auth_time: int
    acr: str
    amr: list[str]
    expires_at: datetime

    @property
    def gid(self) -> str:
        return str(self.id)


def available(ctx: AppContext) -> bool:
    return ctx.engine.dialect.name == "postgresql"


def _json_list(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value or [])


async def rotate(
    ctx: AppContext, raw: str, client_id: str, requested: list[str]
) -> tuple[RotatedGrant, str] | None:
    """``(grant, successor refresh token)`` when the presented token was rotated; ``None`` when
    the usual path must decide (unknown, reused, expired, revoked, wider scope)."""
    successor = opaque.new_secret()
    now: datetime = utcnow()
    params = (
        now,
        opaque.digest(raw),
        client_id,
        json.dumps(sorted(set(requested))) if requested else None,
        opaque.digest(successor),
        now + timedelta(seconds=ctx.settings.refresh_token_idle_seconds),
    )
    # The pool's connection, driven through asyncpg itself: no transaction is opened (the
    # statement is atomic on its own) and no ORM or Core execution layer is paid for.
    async with ctx.engine.connect() as conn:
        pooled = await conn.get_raw_connection()
        try:
            row = await pooled.driver_connection.fetchrow(ROTATE, *params)
        except BaseException:
            await conn.invalidate()  # whatever state it is in, it does not go back to the pool
            raise
    if row is None:
        return None
    return RotatedGrant(
        id=row["id"],
        client_id=row["client_id"],
        sid=row["sid"],
        subject=row["subject"],
        scopes=_json_list(row["scopes"]),
        auth_time=row["auth_time"],
        acr=row["acr"],
        amr=_json_list(row["amr"]),
        expires_at=row["expires_at"],
    ), successor

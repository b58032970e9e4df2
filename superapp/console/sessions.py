"""Server-side console sessions in Redis; the browser holds only an opaque random id.

The cookie value is 256 bits from ``secrets``; Redis keys use its SHA-256, so a leaked Redis
dump does not hand out live cookies. Sessions slide for ``IDLE_SECONDS`` and end after
``ABSOLUTE_SECONDS`` whatever the activity. Pending logins (state, nonce, PKCE verifier) live
ten minutes and can be taken once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from superapp.context import AppContext

IDLE_SECONDS = 2 * 3600
ABSOLUTE_SECONDS = 12 * 3600
LOGIN_STATE_SECONDS = 600
MAX_FLASHES = 5


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class StaffMember:
    id: str
    name: str
    roles: list[str]
    agency_code: str | None = None

    def has_any(self, roles: tuple[str, ...] | frozenset[str]) -> bool:
        return any(r in roles for r in self.roles)


@dataclass
class ConsoleSession:
    id: str
    staff: StaffMember
    access_token: str
    expires_at: float
    refresh_token: str | None
    id_token: str | None
    csrf_token: str
    created_at: float
    flashes: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = asdict(self)
        data.pop("id")
        return json.dumps(data).encode()

    @classmethod
    def from_json(cls, session_id: str, raw: bytes) -> ConsoleSession:
        data: dict[str, Any] = json.loads(raw)
        data["staff"] = StaffMember(**data["staff"])
        return cls(id=session_id, **data)


class SessionStore:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def _key(self, session_id: str) -> str:
        return self.ctx.rkey("console", "session", _digest(session_id))

    def lock_key(self, session_id: str) -> str:
        return self.ctx.rkey("console", "refresh-lock", _digest(session_id))

    async def create(self, *, staff: StaffMember, access_token: str, expires_at: float,
                     refresh_token: str | None, id_token: str | None) -> ConsoleSession:
        session = ConsoleSession(
            id=secrets.token_urlsafe(32),
            staff=staff,
            access_token=access_token,
            expires_at=expires_at,
            refresh_token=refresh_token,
            id_token=id_token,
            csrf_token=secrets.token_urlsafe(32),
            created_at=time.time(),
        )
        await self.save(session)
        return session

    def _ttl(self, session: ConsoleSession) -> int:
        left = int(session.created_at + ABSOLUTE_SECONDS - time.time())
        return max(1, min(IDLE_SECONDS, left))

    async def save(self, session: ConsoleSession) -> None:
        await self.ctx.redis.set(self._key(session.id), session.to_json(), ex=self._ttl(session))

    async def load(self, session_id: str | None) -> ConsoleSession | None:
        if not session_id or len(session_id) > 128:
            return None
        raw = await self.ctx.redis.get(self._key(session_id))
        if raw is None:
            return None
        try:
            session = ConsoleSession.from_json(session_id, raw)
        except (ValueError, TypeError, KeyError):
            await self.delete(session_id)
            return None
        if time.time() - session.created_at > ABSOLUTE_SECONDS:
            await self.delete(session_id)
            return None
        await self.ctx.redis.expire(self._key(session_id), self._ttl(session))
        return session

    async def delete(self, session_id: str) -> None:
        await self.ctx.redis.delete(self._key(session_id))

    async def flash(self, session: ConsoleSession, kind: str, text: str) -> None:
        session.flashes = [*session.flashes, {"kind": kind, "text": text}][-MAX_FLASHES:]
        await self.save(session)

    async def take_flashes(self, session: ConsoleSession) -> list[dict[str, str]]:
        if not session.flashes:
            return []
        taken, session.flashes = session.flashes, []
        await self.save(session)
        return taken

    # Pending logins -----------------------------------------------------------------------
    def _login_key(self, state: str) -> str:
        return self.ctx.rkey("console", "login", _digest(state))

    async def put_login(self, state: str, data: dict[str, str]) -> None:
        await self.ctx.redis.set(self._login_key(state), json.dumps(data).encode(), ex=LOGIN_STATE_SECONDS)

    async def take_login(self, state: str) -> dict[str, str] | None:
        if not state or len(state) > 128:
            return None
        raw = await self.ctx.redis.getdel(self._login_key(state))
        return json.loads(raw) if raw else None

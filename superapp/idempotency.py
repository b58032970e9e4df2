"""``Idempotency-Key`` on POST requests (draft-ietf-httpapi-idempotency-key-header).

A retry with the same key and the same request returns the first answer and creates nothing new;
the same key with another request is 422 ``idempotency.key_reused``; a retry while the first is
still running is 409 ``idempotency.in_progress``. Records are scoped to the caller (the verified
token's subject and client, else the client address) and kept 24 h. 5xx answers are not kept,
so the client may retry them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from superapp.db import utcnow
from superapp.errors import AppError, ServiceUnavailable, is_dependency_unavailable
from superapp.middleware import _header, send_problem
from superapp.models import IdempotencyRecord
from superapp.sealing import derived_fernet

log = logging.getLogger(__name__)
RETENTION = timedelta(hours=24)
# Stored answers may hold secrets shown once (client secrets, share codes): they are kept
# encrypted with a key derived from SUPERAPP_SECRET_KEY.
STALE_PENDING = timedelta(seconds=60)
ScopeResolver = Callable[[Scope], Awaitable[str]]


async def default_scope(scope: Scope) -> str:
    auth = _header(scope, b"authorization")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    client = scope.get("client") or ("unknown", 0)
    return f"ip:{client[0]}"


def _without_boundary(body: bytes, content_type: str) -> bytes:
    """A multipart body with its boundary replaced by a constant: a client that rebuilds the
    same form on retry picks a new random boundary, and that must not count as another request."""
    if not content_type.lower().startswith("multipart/"):
        return body
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "boundary" and value:
            return body.replace(value.strip('"').encode("latin-1"), b"-")
    return body


def _fernet(ctx) -> Fernet:
    cached = ctx.cache.get("idempotency_fernet")
    if cached is None:
        cached = ctx.cache["idempotency_fernet"] = derived_fernet(
            ctx.settings.secrets["secret_key"], b"superapp-idempotency:"
        )
    return cached


def _aware(dt):
    from datetime import UTC

    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, get_ctx: Callable[[], object], resolver: ScopeResolver | None = None) -> None:
        self.app = app
        self.get_ctx = get_ctx
        self.resolver = resolver or default_scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        key = _header(scope, b"idempotency-key")
        if key is None:
            await self.app(scope, receive, send)
            return
        if not (1 <= len(key) <= 255) or not key.isprintable():
            await send_problem(send, scope, AppError(status=400, code="idempotency.invalid_key"))
            return

        # Buffer the body (already size-limited upstream) to hash it and replay it.
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        full_ctype = _header(scope, b"content-type") or ""
        ctype = full_ctype.split(";")[0].strip().lower()
        digest = hashlib.sha256()
        for part in (scope.get("method", ""), scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"), ctype):
            digest.update(part.encode() + b"\x00")
        digest.update(_without_boundary(body, full_ctype))
        request_hash = digest.hexdigest()
        try:
            record_id = await self._begin(scope, send, key, request_hash)
        except Exception as exc:
            if not is_dependency_unavailable(exc):
                raise
            log.warning("idempotency: database or Redis unavailable: %r", exc)
            await send_problem(send, scope, ServiceUnavailable(headers={"Retry-After": "5"}))
            return
        if record_id is None:
            return
        ctx = self.get_ctx()
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = 500
        headers: list[tuple[bytes, bytes]] = []
        out: list[bytes] = []

        async def capture_send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or [])
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            try:
                await self._finish(ctx, record_id, status, headers, b"".join(out))
            except Exception as exc:
                if not is_dependency_unavailable(exc):
                    raise
                # The answer has gone out; the record stays pending, and a retry after
                # STALE_PENDING takes it over.
                log.warning("idempotency: could not store the answer: %r", exc)

    async def _finish(self, ctx, record_id, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Keep the answer for retries (5xx answers are forgotten, so the client may retry)."""
        async with ctx.sessionmaker() as session:  # type: ignore[attr-defined]
            rec = await session.get(IdempotencyRecord, record_id)
            if rec is not None:
                if status >= 500:
                    await session.delete(rec)
                else:
                    keep = {"content-type", "location"}
                    rec.status_code = status
                    rec.response_headers = {
                        k.decode("latin-1"): v.decode("latin-1") for k, v in headers if k.decode("latin-1").lower() in keep
                    }
                    rec.response_body = _fernet(ctx).encrypt(body)
                    rec.completed_at = utcnow()
                await session.commit()

    async def _begin(self, scope: Scope, send: Send, key: str, request_hash: str):
        """Record the request as in progress: its record id, or None once an answer was sent
        (the stored answer, a conflict or a reuse of the key)."""
        caller = await self.resolver(scope)
        ctx = self.get_ctx()
        async with ctx.sessionmaker() as session:  # type: ignore[attr-defined]
            record = IdempotencyRecord(scope=caller, key=key, request_hash=request_hash)
            session.add(record)
            try:
                await session.commit()
                record_id = record.id
            except IntegrityError:
                await session.rollback()
                existing = (
                    await session.execute(
                        select(IdempotencyRecord).where(IdempotencyRecord.scope == caller, IdempotencyRecord.key == key)
                    )
                ).scalar_one_or_none()
                if existing is None:
                    await send_problem(send, scope, AppError(status=409, code="idempotency.in_progress"))
                    return None
                if existing.request_hash != request_hash:
                    await send_problem(send, scope, AppError(status=422, code="idempotency.key_reused"))
                    return None
                if existing.status_code is not None:
                    await self._replay(send, existing, _fernet(ctx))
                    return None
                if utcnow() - _aware(existing.created_at) < STALE_PENDING:
                    await send_problem(
                        send, scope, AppError(status=409, code="idempotency.in_progress", headers={"Retry-After": "2"})
                    )
                    return None
                existing.created_at = utcnow()  # take over a request abandoned by a crash
                await session.commit()
                record_id = existing.id
        return record_id

    async def _replay(self, send: Send, record: IdempotencyRecord, fernet: Fernet) -> None:
        try:
            body = fernet.decrypt(record.response_body) if record.response_body else b""
        except InvalidToken:  # the secret key changed: the stored answer cannot be replayed
            body = b""
        headers = [(k.encode(), v.encode()) for k, v in (record.response_headers or {}).items()]
        headers += [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
        await send({"type": "http.response.start", "status": record.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def purge_expired(ctx) -> int:
    async with ctx.sessionmaker() as session:
        result = await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - RETENTION))
        await session.commit()
        return result.rowcount or 0



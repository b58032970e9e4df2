"""Pure-ASGI middleware: request ids and access logs, body size limits, security headers."""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from superapp import i18n
from superapp.errors import PROBLEM_JSON, AppError

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
access_log = logging.getLogger("superapp.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            data["request_id"] = rid
        for key in ("method", "path", "status", "duration_ms"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def send_problem(send: Send, scope: Scope, error: AppError) -> None:
    lang = i18n.negotiate(_header(scope, b"accept-language"))
    body = json.dumps(error.to_problem(lang, instance=scope.get("path")), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
            + [(k.lower().encode(), v.encode()) for k, v in error.headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k == name:
            return v.decode("latin-1")
    return None


def _route_template(scope: Scope) -> str | None:
    """The path with its parameters replaced by their names (``/v1/health/shared/{code}``), so
    that values carried in the path (share codes, push tokens, Open311 tokens) never reach the
    access log. The matched route's template may lack the prefix of a mounted router; that
    prefix is taken from the raw path."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    path = scope.get("path", "")
    if not isinstance(template, str) or not template.startswith("/") or ":path}" in getattr(route, "path", ""):
        return None
    raw, tail = path.split("/"), template.split("/")
    if len(raw) < len(tail):
        return None
    return "/".join(raw[: len(raw) - len(tail) + 1] + tail[1:])


class RequestContextMiddleware:
    """Request id (``X-Request-ID`` in and out), access log line, security headers."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        rid = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        start = time.perf_counter()
        status_holder = {"status": 500}
        path = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers") or [])
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-request-id", rid.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if b"x-frame-options" not in names:
                    extra.append((b"x-frame-options", b"DENY"))
                if b"content-security-policy" not in names and not path.startswith("/docs"):
                    extra.append((b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"))
                if self.https:
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, path, status_holder["status"], start)
            request_id_var.reset(token)

    @staticmethod
    def _log(scope: Scope, path: str, status: int, start: float) -> None:
        logged_path = _route_template(scope) or path
        access_log.info(
            "%s %s %s",
            scope.get("method"),
            logged_path,
            status,
            extra={
                "method": scope.get("method"),
                "path": logged_path,
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
            },
        )


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once the body passes the limit; rendered as 413 problem+json."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodySizeLimitMiddleware:
    """413 for bodies over the limit: ``max_json_bytes`` for non-multipart, ``max_request_bytes``
    for multipart uploads. Checks ``Content-Length`` first, then counts streamed bytes."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_json_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        ctype = (_header(scope, b"content-type") or "").lower()
        limit = self.max_bytes if ctype.startswith("multipart/") else self.max_json_bytes
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                if int(length) > limit:
                    await send_problem(send, scope, AppError(status=413, code="request.too_large", limit_bytes=limit))
                    return
            except ValueError:
                await send_problem(send, scope, AppError(status=400, code="bad_request"))
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await send_problem(send, scope, AppError(status=413, code="request.too_large", limit_bytes=limit))

"""One error base class and one handler that renders RFC 9457 problem+json.

Raise ``AppError`` subclasses (or ``AppError(status=..., code=..., message_key=...)``) from
anywhere; the handler turns them into ``application/problem+json`` with a stable ``code`` and a
``title``/``detail`` in the caller's language.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from superapp import i18n

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://superapp.hanoi.gov.vn/problems/"


class AppError(Exception):
    """A business failure with an HTTP status, a stable machine code and a message key.

    ``params`` fill the message placeholders; ``extra`` adds members to the problem document.
    """

    status: int = 400
    code: str = "bad_request"
    message_key: str | None = None

    def __init__(
        self,
        message_key: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.message_key = message_key or self.message_key or f"error.{self.code}"
        self.params = params or {}
        self.headers = headers or {}
        self.extra = extra
        super().__init__(self.code)

    def to_problem(self, lang: str, instance: str | None = None) -> dict[str, Any]:
        title_key = f"{self.message_key}.title"
        title = i18n.t(title_key, lang, **self.params) if i18n.has(title_key) else None
        detail = i18n.t(self.message_key, lang, **self.params)
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.code.replace(".", "/"),
            "title": title or detail,
            "status": self.status,
            "detail": detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        for k, v in self.extra.items():
            body.setdefault(k, v)
        return body


class NotFound(AppError):
    status = 404
    code = "not_found"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request.too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    503: "service_unavailable",
}


def problem_response(request: Request, error: AppError) -> JSONResponse:
    lang = i18n.request_language(request)
    headers = dict(error.headers)
    return JSONResponse(
        error.to_problem(lang, instance=request.url.path),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors()[:20]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
        out.append({"field": ".".join(loc), "type": err.get("type"), "message": err.get("msg")})
    return out


def _lost_connection_errors() -> tuple[type[BaseException], ...]:
    """Driver errors that mean the connection, not the statement, failed."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    kinds: list[type[BaseException]] = [OSError, RedisConnectionError, RedisTimeoutError]
    try:
        import asyncpg.exceptions as pg
        from asyncpg.exceptions import _base as pg_base

        # 08xxx connection exceptions, 57Pxx shutdown / "starting up", a closed connection.
        kinds += [pg.PostgresConnectionError, pg.OperatorInterventionError, pg_base.InterfaceError,
                  pg_base.InternalClientError]
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    return tuple(kinds)


def _is_bad_argument(exc: BaseException) -> bool:
    """asyncpg's client-side ``DataError`` (a value the column type cannot take) derives from its
    ``InterfaceError`` but is a fault of the request or the code, not of the connection."""
    try:
        from asyncpg.exceptions._base import DataError
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, DataError)


def is_dependency_unavailable(exc: BaseException) -> bool:
    """The database or Redis could not be reached: down, restarting, or the connection was lost.

    Such requests answer 503 ``service_unavailable`` with ``Retry-After`` (fail closed); the
    connection pools reconnect by themselves once the server is back (idle connections are
    pinged before use, ``superapp.db.ping_idle_connections``; a failed statement invalidates
    the pool).
    """
    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, (OperationalError, PoolTimeout)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return True  # PoolTimeout: every pooled connection busy (overload), not a bug
    lost = _lost_connection_errors()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, lost) and not _is_bad_argument(current):
            return True
        seen.add(id(current))
        current = getattr(current, "orig", None) or current.__cause__
    return False


def unavailable_response(request: Request, exc: BaseException) -> JSONResponse:
    log.warning("dependency unavailable on %s %s: %r", request.method, request.url.path, exc)
    return problem_response(request, ServiceUnavailable(headers={"Retry-After": "5"}))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return problem_response(request, AppError(status=400, code="request.malformed_json"))
        err = AppError(status=422, code="request.invalid", errors=_validation_errors(exc))
        return problem_response(request, err)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        err = AppError(status=exc.status_code, code=code, headers=dict(exc.headers or {}))
        return problem_response(request, err)

    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError

    async def _infrastructure(request: Request, exc: Exception) -> JSONResponse:
        if is_dependency_unavailable(exc):
            return unavailable_response(request, exc)
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(request, AppError(status=500, code="internal"))

    # Handled where they are raised (endpoints, dependencies): the answer goes out and the
    # connection stays usable. The catch-all below covers the same failures in middleware,
    # after which the server closes the connection.
    for kind in (DBAPIError, OSError, RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(kind, _infrastructure)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_dependency_unavailable(exc):
            return unavailable_response(request, exc)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, AppError(status=500, code="internal"))

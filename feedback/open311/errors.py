"""Open311 error documents: a JSON array of ``{code, description}`` instead of problem+json.

Handlers under ``/open311/v2`` run through :class:`Open311Route`, which renders any
:class:`~superapp.errors.AppError`, validation error or HTTP error this way. The handlers open
their own unit of work, so a failure has already rolled back when it is rendered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from superapp import i18n
from superapp.errors import AppError


class Open311Error(AppError):
    status = 400
    code = "open311.bad_request"


class InvalidApiKey(AppError):
    status = 403
    code = "open311.invalid_api_key"


class MissingParameter(AppError):
    status = 400
    code = "open311.missing_parameter"


class UnknownService(AppError):
    status = 404
    code = "open311.unknown_service"


class RequestNotFound(AppError):
    status = 404
    code = "open311.request_not_found"


def error_response(request: Request, error: AppError) -> JSONResponse:
    lang = i18n.request_language(request)
    description = i18n.t(error.message_key or f"error.{error.code}", lang, **error.params)
    field = error.extra.get("field")
    if field:
        description = f"{description} ({field})"
    return JSONResponse(
        [{"code": error.status, "description": description}], status_code=error.status, headers=error.headers or None
    )


class Open311Route(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except AppError as exc:
                return error_response(request, exc)
            except RequestValidationError:
                return error_response(request, Open311Error(code="open311.invalid_parameter"))
            except StarletteHTTPException as exc:
                return error_response(request, AppError(status=exc.status_code, code="open311.bad_request"))

        return handler

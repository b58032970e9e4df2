"""FHIR error and success responses: ``OperationOutcome`` (FHIR R4 §2.36) and ``application/fhir+json``.

:class:`FhirRoute` is the route class of the FHIR routers: any :class:`~superapp.errors.AppError`
raised by a handler or its dependencies (authentication, scope, identity level, rate limit) and
any request validation error is answered as an ``OperationOutcome`` with the same HTTP status and
headers, carrying the stable error ``code`` in ``issue[].details.coding``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from miniapps.health.fhir.constants import FHIR_JSON
from superapp import i18n
from superapp.errors import AppError

CODE_SYSTEM = "https://superapp.hanoi.gov.vn/problems"
_ISSUE_BY_STATUS = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
                    410: "expired",
                    422: "invalid", 429: "throttled", 502: "transient", 503: "transient", 504: "timeout"}


class FhirResponse(JSONResponse):
    """A JSON body as ``application/fhir+json``; documented in OpenAPI as a JSON object."""

    media_type = FHIR_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def operation_outcome(error: AppError, lang: str) -> dict[str, Any]:
    issue_code = getattr(error, "issue_code", None) or _ISSUE_BY_STATUS.get(error.status, "processing")
    detail = i18n.t(error.message_key or f"error.{error.code}", lang, **error.params)
    issues = [{
        "severity": "error",
        "code": issue_code,
        "details": {"coding": [{"system": CODE_SYSTEM, "code": error.code}], "text": detail},
    }]
    for reason in error.extra.get("reasons", [])[:100]:
        issues.append({"severity": "error", "code": "invalid", "diagnostics": str(reason)})
    return {"resourceType": "OperationOutcome", "issue": issues}


def outcome_response(request: Request, error: AppError) -> FhirResponse:
    body = operation_outcome(error, i18n.request_language(request))
    return FhirResponse(body, status_code=error.status, headers=dict(error.headers))


class FhirRoute(APIRoute):
    """A route whose failures are ``OperationOutcome`` documents instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def fhir_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except AppError as exc:
                return outcome_response(request, exc)
            except RequestValidationError:
                return outcome_response(request, AppError(status=400, code="health.invalid_request"))

        return fhir_handler

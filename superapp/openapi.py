"""The OpenAPI document as clients see it: every operation declares its error answers.

FastAPI documents only the success answer and a 422 ``application/json`` body of its own. The
API answers errors as RFC 9457 ``application/problem+json`` (``superapp.errors``), the OAuth
endpoints as RFC 6749 §5.2 JSON (and HTML pages for browser flows), the FHIR API as
``OperationOutcome`` in ``application/fhir+json`` (FHIR R4 §2.36) and Open311 as GeoReport v2
error arrays. This module rewrites the generated document once so that each operation lists
those answers (``4XX`` and ``503``), which keeps generated clients and schema fuzzers honest.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    "additionalProperties": True,
}
OPERATION_OUTCOME = {
    "type": "object",
    "required": ["resourceType", "issue"],
    "properties": {"resourceType": {"const": "OperationOutcome"}, "issue": {"type": "array"}},
    "additionalProperties": True,
}
OPEN311_ERRORS = {
    "type": "array",
    "items": {"type": "object", "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
}
REF = "#/components/schemas/"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def _error_content(path: str) -> dict[str, Any]:
    content: dict[str, Any] = {"application/problem+json": {"schema": {"$ref": REF + "Problem"}}}
    if path.startswith(("/oauth/", "/.well-known/")):
        content["application/json"] = {"schema": {"$ref": REF + "OAuthError"}}
        content["text/html"] = {"schema": {"type": "string"}}
    elif path.startswith(("/v1/health/fhir/", "/v1/health/shared/")):
        content["application/fhir+json"] = {"schema": {"$ref": REF + "OperationOutcome"}}
    elif path.startswith("/open311/"):
        content["application/json"] = {"schema": {"$ref": REF + "Open311Errors"}}
    return content


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Declare the error answers of every operation in ``document`` (changed in place)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(Problem=PROBLEM, OAuthError=OAUTH_ERROR, OperationOutcome=OPERATION_OUTCOME, Open311Errors=OPEN311_ERRORS)
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            content = _error_content(path)
            for status in [s for s in responses if s.startswith("4")]:
                responses[status]["content"] = content
            responses.setdefault("4XX", {"description": "Client error", "content": content})
            responses.setdefault("503", {"description": "Database or Redis unavailable", "content": content})
    return document


def install_openapi(app: FastAPI) -> None:
    """Serve the rewritten document at ``/openapi.json`` (built once, then cached by FastAPI)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(
                get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

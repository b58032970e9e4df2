"""Errors of the provider.

:class:`OAuthError` is the RFC 6749 §5.2 error (``{"error", "error_description"}``), answered by
the token, revocation, introspection and challenge endpoints with ``Cache-Control: no-store``.
The ``AppError`` subclasses are for the JSON APIs and the Python interfaces (problem+json).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from superapp.errors import AppError

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """``keep_changes``: the request's transaction is committed anyway (a burnt code, a
    revoked family); otherwise it is rolled back."""

    def __init__(self, error: str, description: str | None = None, *, status: int = 400,
                 headers: dict[str, str] | None = None, keep_changes: bool = False) -> None:
        super().__init__(error)
        self.keep_changes = keep_changes
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"error": self.error}
        if self.description:
            body["error_description"] = self.description
        return JSONResponse(body, status_code=self.status, headers={**NO_STORE, **self.headers})


def invalid_client(description: str = "client authentication failed", *, basic: bool = False) -> OAuthError:
    """RFC 6749 §5.2: 401, with ``WWW-Authenticate`` when the client tried HTTP Basic."""
    headers = {"WWW-Authenticate": 'Basic realm="superapp"'} if basic else {}
    return OAuthError("invalid_client", description, status=401, headers=headers)


class InvalidCodeChallenge(AppError):
    status = 422
    code = "oidc.invalid_code_challenge"


class ClientNotAllowed(AppError):
    status = 403
    code = "oidc.client_not_allowed"


class FirstPartyRequired(AppError):
    status = 403
    code = "auth.first_party_required"


class SessionNotFound(AppError):
    status = 404
    code = "oidc.session_not_found"

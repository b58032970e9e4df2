"""What can go wrong in the console, each with a stable ``code`` (messages in ``locales/``)."""

from __future__ import annotations

from superapp.errors import AppError


class NotSignedIn(AppError):
    status = 401
    code = "console.not_signed_in"


class SectionForbidden(AppError):
    status = 403
    code = "console.forbidden"


class NoConsoleRole(AppError):
    status = 403
    code = "console.no_staff_role"


class CsrfFailed(AppError):
    status = 403
    code = "console.csrf_failed"


class LoginStateInvalid(AppError):
    status = 400
    code = "console.login_state_invalid"


class SignInFailed(AppError):
    status = 400
    code = "console.sign_in_failed"


class ProviderUnavailable(AppError):
    status = 503
    code = "console.provider_unavailable"


class InvalidForm(AppError):
    status = 422
    code = "console.invalid_form"


class PageNotFound(AppError):
    status = 404
    code = "console.not_found"


class ApiProblem(AppError):
    """A problem answered by a module API; carries that API's own ``code`` and ``detail``."""

    def __init__(self, status: int, code: str, detail: str | None) -> None:
        super().__init__("error.console.api_failed", status=status if 400 <= status < 600 else 502, code=code)
        self.api_detail = detail

    def to_problem(self, lang: str, instance: str | None = None) -> dict:
        body = super().to_problem(lang, instance)
        if self.api_detail:
            body["detail"] = self.api_detail
            body["title"] = self.api_detail
        return body

"""The platform's business failures, each with a stable ``code`` (messages in ``miniapps/locales``)."""

from __future__ import annotations

from superapp.errors import AppError, Conflict, Forbidden, NotFound, Unprocessable


class MiniAppNotFound(NotFound):
    code = "miniapps.not_found"


class ConsentNotFound(NotFound):
    code = "miniapps.consent_not_found"


class InvalidUrl(Unprocessable):
    """Not an absolute URL without fragment, or over 2000 characters."""

    code = "miniapps.invalid_url"


class InsecureUrl(Unprocessable):
    """``http://`` outside loopback hosts."""

    code = "miniapps.insecure_url"


class InternalUrl(Unprocessable):
    """A URL the server would call (webhook, back-channel logout) pointing at an internal host."""

    code = "miniapps.internal_url"


class ScopeNotAllowed(Unprocessable):
    """A registration asks for a scope the platform does not give third-party apps."""

    code = "miniapps.scope_not_allowed"


class ScopeNotRegistered(Unprocessable):
    """A grant or a sign-in asks for more than the app registered."""

    code = "miniapps.scope_not_registered"


class InvalidStatus(Conflict):
    """The action does not fit the app's current status (e.g. approving a draft)."""

    code = "miniapps.invalid_status"


class AppSuspended(Conflict):
    code = "miniapps.suspended"


class ScopeChangeNeedsReview(Conflict):
    """A published app may narrow its scopes but not widen them without a new review."""

    code = "miniapps.scope_change_needs_review"


class UnknownCategory(Unprocessable):
    code = "miniapps.unknown_category"


class UnknownStatus(Unprocessable):
    code = "miniapps.unknown_status"


class ReasonRequired(Unprocessable):
    code = "miniapps.reason_required"


class ConsentRequired(Forbidden):
    """Silent SSO without a covering consent: the phone shows its native sheet for ``scopes``."""

    code = "consent_required"


class FirstPartyOnly(Forbidden):
    """Only the city's own apps (the phone app) may sign citizens into mini-apps."""

    code = "miniapps.first_party_only"


class InvalidCodeChallenge(Unprocessable):
    """PKCE (RFC 7636 §4.2): ``code_challenge`` is 43–128 characters of ``[A-Za-z0-9-._~]``."""

    code = "miniapps.invalid_code_challenge"


class UnsupportedChallengeMethod(Unprocessable):
    """Only ``S256`` is accepted; ``plain`` is refused."""

    code = "miniapps.unsupported_challenge_method"


__all__ = [
    "AppError",
    "AppSuspended",
    "ConsentNotFound",
    "ConsentRequired",
    "FirstPartyOnly",
    "InsecureUrl",
    "InternalUrl",
    "InvalidCodeChallenge",
    "InvalidStatus",
    "InvalidUrl",
    "MiniAppNotFound",
    "ReasonRequired",
    "ScopeChangeNeedsReview",
    "ScopeNotAllowed",
    "ScopeNotRegistered",
    "UnknownCategory",
    "UnknownStatus",
    "UnsupportedChallengeMethod",
]

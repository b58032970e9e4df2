"""The account package's business failures, each with a stable ``code`` (message ``error.<code>``)."""

from __future__ import annotations

from superapp.errors import AppError, Conflict, Unprocessable


class PhoneTaken(Conflict):
    code = "account.phone_taken"


class EmailTaken(Conflict):
    code = "account.email_taken"


class NationalIdTaken(Conflict):
    code = "account.national_id_taken"


class NotPending(Conflict):
    code = "account.not_pending"


class IdentityAlreadyVerified(Conflict):
    code = "account.identity_already_verified"


class InvalidEmail(Unprocessable):
    code = "account.invalid_email"


class WeakPassword(Unprocessable):
    code = "account.password_too_short"


class InvalidRole(Unprocessable):
    code = "account.invalid_role"


class AgencyRequired(Unprocessable):
    code = "account.agency_required"


class IdentityIncomplete(Unprocessable):
    code = "account.identity_incomplete"


class IdentityMismatch(Unprocessable):
    """The registry does not confirm the national ID, name and birth date together."""

    code = "account.identity_mismatch"


class BirthDateInFuture(Unprocessable):
    code = "account.birth_date_in_future"


class InvalidDistrict(Unprocessable):
    code = "account.invalid_district"


class InvalidName(Unprocessable):
    code = "account.invalid_name"


class FullNameRequired(Unprocessable):
    code = "account.full_name_required"


class VerifiedNameLocked(Unprocessable):
    code = "account.verified_name_locked"


class DependentNotFound(Unprocessable):
    code = "dependent.not_found"


class NotAMinor(Unprocessable):
    code = "dependent.not_a_minor"


class NotGuardian(Unprocessable):
    code = "dependent.not_guardian"


class DependentIsSelf(Unprocessable):
    code = "dependent.self"


class DependentAlreadyLinked(Conflict):
    code = "dependent.already_linked"


class UnsupportedMediaType(AppError):
    status = 415
    code = "request.unsupported_media_type"

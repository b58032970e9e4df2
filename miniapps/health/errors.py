"""Failures of the health record, each with a stable ``code`` and messages in vi/en.

Under ``/v1/health/fhir/`` and ``/v1/health/shared/`` they are rendered as FHIR
``OperationOutcome`` (:mod:`miniapps.health.fhir.outcome`); elsewhere as problem+json.
"""

from __future__ import annotations

from superapp.errors import AppError


class FhirSearchError(AppError):
    """A search parameter that is unknown, repeated, malformed or beyond a limit."""

    status = 400
    code = "health.invalid_search"
    issue_code = "invalid"


class UnknownSearchParam(FhirSearchError):
    """A parameter (or modifier) this server does not offer for the resource type."""

    message_key = "error.health.unknown_param"
    issue_code = "not-supported"


class UnknownResourceType(AppError):
    status = 400
    code = "health.unknown_resource_type"
    issue_code = "not-supported"


class InteractionNotSupported(AppError):
    status = 400
    code = "health.interaction_not_supported"
    issue_code = "not-supported"


class ReadOnly(AppError):
    status = 405
    code = "health.read_only"
    issue_code = "not-supported"


class ResourceNotFound(AppError):
    """Missing, or not the caller's to read: both answer the same 404."""

    status = 404
    code = "health.not_found"
    issue_code = "not-found"


class RecordNotFound(AppError):
    status = 404
    code = "health.record_not_found"
    issue_code = "not-found"


class BundleRejected(AppError):
    """An imported Bundle failed validation; ``reasons`` lists every problem found."""

    status = 422
    code = "health.bundle_rejected"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(params={"count": len(reasons)}, reasons=reasons)
        self.reasons = reasons


class SourceUnavailable(AppError):
    """The hospital's FHIR server did not answer in time or answered with an error."""

    status = 502
    code = "health.source_unavailable"
    issue_code = "transient"


class ShareNotFound(AppError):
    status = 404
    code = "health.share_not_found"
    issue_code = "not-found"


class ShareExpired(AppError):
    status = 410
    code = "health.share_expired"
    issue_code = "expired"


class ShareRevoked(AppError):
    status = 410
    code = "health.share_revoked"
    issue_code = "expired"

"""Transit errors: stable codes, messages under ``error.<code>`` in locales/."""

from __future__ import annotations

from superapp.errors import AppError


class ProductNotFound(AppError):
    status = 404
    code = "transit.product_not_found"


class ProductExists(AppError):
    status = 409
    code = "transit.product_exists"


class TicketNotFound(AppError):
    status = 404
    code = "transit.ticket_not_found"


class ConcessionNotEligible(AppError):
    status = 422
    code = "transit.concession_not_eligible"


class ConcessionPassActive(AppError):
    status = 409
    code = "transit.concession_pass_active"


class PaymentMethodUnsupported(AppError):
    status = 422
    code = "transit.payment_method_unsupported"


class PaymentDeclined(AppError):
    status = 402
    code = "transit.payment_declined"


class TicketNotUsable(AppError):
    status = 409
    code = "transit.ticket_not_usable"


class TicketDeviceBound(AppError):
    status = 409
    code = "transit.ticket_device_bound"


class DeviceAlreadyBound(AppError):
    status = 409
    code = "transit.device_already_bound"


class InvalidDeviceKey(AppError):
    status = 422
    code = "transit.invalid_device_key"


class InvalidSince(AppError):
    status = 400
    code = "transit.invalid_since"


class ValidatorNotAllowed(AppError):
    status = 403
    code = "transit.validator_not_allowed"


class ValidatorExists(AppError):
    status = 409
    code = "transit.validator_exists"


class ValidatorNotFound(AppError):
    status = 404
    code = "transit.validator_not_found"


class BatchTooLarge(AppError):
    status = 413
    code = "transit.batch_too_large"


class NoSigningKey(AppError):
    status = 503
    code = "transit.no_signing_key"


class InvalidTimeRange(AppError):
    status = 422
    code = "transit.invalid_time_range"

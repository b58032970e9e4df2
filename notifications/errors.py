"""The hub's business errors (problem+json codes ``notifications.*``; texts in locales/)."""

from __future__ import annotations

from superapp.errors import AppError, NotFound


class UnknownCategory(AppError):
    status = 422
    code = "notifications.unknown_category"


class CategoryNotAllowed(AppError):
    status = 403
    code = "notifications.category_not_allowed"


class TitleTooLong(AppError):
    status = 422
    code = "notifications.title_too_long"


class BodyTooLong(AppError):
    status = 422
    code = "notifications.body_too_long"


class EmptyText(AppError):
    status = 422
    code = "notifications.empty_text"


class DataTooLarge(AppError):
    status = 422
    code = "notifications.data_too_large"


class InvalidData(AppError):
    status = 422
    code = "notifications.invalid_data"


class TooManyRecipients(AppError):
    status = 422
    code = "notifications.too_many_recipients"


class InvalidDeviceToken(AppError):
    status = 422
    code = "notifications.invalid_device_token"


class NotificationNotFound(NotFound):
    code = "notifications.not_found"


class DeviceNotFound(NotFound):
    code = "notifications.device_not_found"


class BroadcastNotFound(NotFound):
    code = "notifications.broadcast_not_found"


class InvalidAudience(AppError):
    status = 422
    code = "notifications.invalid_audience"


class ClientRequired(AppError):
    status = 403
    code = "notifications.client_required"


class PublishInProgress(AppError):
    status = 409
    code = "notifications.publish_in_progress"

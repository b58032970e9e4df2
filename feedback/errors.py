"""Feedback failures, each with a stable ``code`` (messages in ``feedback/locales``)."""

from __future__ import annotations

from superapp.errors import AppError


class ReportNotFound(AppError):
    status = 404
    code = "feedback.report_not_found"


class CategoryNotFound(AppError):
    status = 422
    code = "feedback.unknown_category"


class AgencyNotFound(AppError):
    status = 422
    code = "feedback.unknown_agency"


class InvalidLocation(AppError):
    status = 422
    code = "feedback.invalid_location"


class OutsideServiceArea(AppError):
    status = 422
    code = "feedback.outside_service_area"


class InvalidDescription(AppError):
    status = 422
    code = "feedback.invalid_description"


class InvalidField(AppError):
    status = 422
    code = "feedback.invalid_field"


class TooManyPhotos(AppError):
    status = 422
    code = "feedback.too_many_photos"


class PhotoTooLarge(AppError):
    status = 413
    code = "feedback.photo_too_large"


class InvalidPhoto(AppError):
    status = 422
    code = "feedback.invalid_photo"


class Banned(AppError):
    status = 403
    code = "feedback.banned"


class IllegalTransition(AppError):
    status = 409
    code = "feedback.illegal_transition"


class NotResolved(AppError):
    status = 409
    code = "feedback.not_resolved"


class AlreadyRated(AppError):
    status = 409
    code = "feedback.already_rated"


class NotReporter(AppError):
    status = 403
    code = "feedback.not_reporter"


class NotYourAgency(AppError):
    status = 404
    code = "feedback.report_not_found"


class NotAgencyOfficer(AppError):
    status = 403
    code = "feedback.no_agency"


class InvalidMerge(AppError):
    status = 422
    code = "feedback.invalid_merge"


class InvalidBbox(AppError):
    status = 422
    code = "feedback.invalid_bbox"


class InvalidDateRange(AppError):
    status = 422
    code = "feedback.invalid_date_range"


class BanNotFound(AppError):
    status = 404
    code = "feedback.ban_not_found"

"""Reports and categories in GeoReport v2 shapes."""

from __future__ import annotations

from typing import Any

from feedback.models import Agency, Category, Photo, Report
from feedback.repository import aware
from feedback.schemas import PHOTO_PATH, localized

CLOSED_STATUSES = frozenset({"resolved", "closed"})


def rfc3339(value) -> str | None:
    value = aware(value)
    return value.isoformat() if value else None


def service(c: Category, lang: str) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": localized(c.name, lang),
        "description": localized(c.description, lang),
        "metadata": False,
        "type": "realtime",
        "keywords": c.group,
        "group": c.group,
    }


def open311_status(report: Report) -> str:
    return "closed" if report.status in CLOSED_STATUSES else "open"


def service_request(
    r: Report,
    *,
    category: Category | None,
    agency: Agency | None,
    photos: list[Photo],
    base_url: str,
    lang: str,
    moderated: bool = True,
) -> dict[str, Any]:
    return {
        "service_request_id": r.tracking_code,
        "status": open311_status(r),
        "status_notes": r.status_note,
        "service_name": localized(category.name, lang) if category else None,
        "service_code": r.category_code,
        "description": r.description if moderated else None,
        "agency_responsible": localized(agency.name, lang) if agency else r.agency_code,
        "service_notice": None,
        "requested_datetime": rfc3339(r.created_at),
        "updated_datetime": rfc3339(r.updated_at),
        "expected_datetime": rfc3339(r.due_at),
        "address": r.address,
        "address_id": None,
        "zipcode": None,
        "lat": r.latitude,
        "long": r.longitude,
        "media_url": base_url + PHOTO_PATH.format(id=photos[0].id) if photos and moderated else None,
    }

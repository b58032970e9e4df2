"""Duplicate hints: open reports of a category within a radius of a point (default 50 m).

An index range scan on latitude/longitude finds the candidates in the enclosing box; the exact
great-circle distance keeps those inside the circle, nearest first. Reports not yet moderated
are listed without their description (only their author sees it).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from feedback import geo
from feedback import repository as repo
from feedback.config import feedback_settings
from feedback.errors import InvalidField
from feedback.reports import parse_coordinate
from feedback.schemas import NearbyReport

if TYPE_CHECKING:
    from superapp.context import AppContext

NEARBY_STATUSES = ("submitted", "approved", "assigned", "in_progress", "resolved")


def parse_radius(raw: str | None, default: int, maximum: int) -> float:
    if raw is None or raw == "":
        return float(default)
    try:
        value = float(raw)
    except ValueError as exc:
        raise InvalidField(field="radius_m") from exc
    if not 0 < value <= maximum:
        raise InvalidField(field="radius_m", maximum=maximum)
    return value


async def find(
    ctx: AppContext,
    session: AsyncSession,
    *,
    lat: str,
    lon: str,
    radius_m: str | None,
    category: str | None,
    viewer_id: uuid.UUID | None,
    limit: int,
) -> list[NearbyReport]:
    settings = feedback_settings(ctx)
    latitude = parse_coordinate(lat, "lat", -90, 90)
    longitude = parse_coordinate(lon, "lon", -180, 180)
    radius = parse_radius(radius_m, settings.nearby_default_radius_m, settings.nearby_max_radius_m)
    rows = await repo.reports_in_box(
        session, box=geo.bbox_around(latitude, longitude, radius), statuses=NEARBY_STATUSES, category_code=category
    )
    found = []
    for r in rows:
        distance = geo.distance_m(latitude, longitude, r.latitude, r.longitude)
        if distance <= radius:
            found.append((distance, r))
    found.sort(key=lambda pair: (pair[0], pair[1].id))
    return [
        NearbyReport(
            id=r.id,
            tracking_code=r.tracking_code,
            status=r.status,
            category=r.category_code,
            description=r.description if (r.is_public or r.reporter_id == viewer_id) else None,
            latitude=r.latitude,
            longitude=r.longitude,
            distance_m=round(d, 1),
            created_at=repo.aware(r.created_at),
        )
        for d, r in found[:limit]
    ]

"""Point-in-polygon over the seeded districts and wards (shapely), and distances on the sphere.

Boundaries are read from ``feedback_areas`` once and kept in the context cache (rebuilt after
``AREA_CACHE_SECONDS`` or when the seed changes the areas). The service area is the union of
the districts.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import prep
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from feedback.models import Area

if TYPE_CHECKING:
    from superapp.context import AppContext

CACHE_KEY = "feedback.areas"
AREA_CACHE_SECONDS = 300.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Location:
    district_code: str | None
    ward_code: str | None


class AreaIndex:
    """Districts and wards as shapely geometries with a spatial index each."""

    def __init__(self, areas: list[tuple[str, str, BaseGeometry]]) -> None:
        self.districts = [(code, geom) for code, kind, geom in areas if kind == "district"]
        self.wards = [(code, geom) for code, kind, geom in areas if kind == "ward"]
        self._district_tree = STRtree([g for _, g in self.districts]) if self.districts else None
        self._ward_tree = STRtree([g for _, g in self.wards]) if self.wards else None
        outer = [g for _, g in self.districts] or [g for _, g in self.wards]
        self.service_area = unary_union(outer) if outer else None
        self._service_prepared = prep(self.service_area) if self.service_area is not None else None

    @staticmethod
    def _first(tree: STRtree | None, items: list[tuple[str, BaseGeometry]], point: Point) -> str | None:
        if tree is None:
            return None
        hits = sorted(int(i) for i in tree.query(point, predicate="intersects"))
        return items[hits[0]][0] if hits else None

    def locate(self, latitude: float, longitude: float) -> Location | None:
        """The district and ward holding the point, or ``None`` outside the service area."""
        if self._service_prepared is None:
            return None
        point = Point(longitude, latitude)
        if not self._service_prepared.intersects(point):
            return None
        return Location(
            district_code=self._first(self._district_tree, self.districts, point),
            ward_code=self._first(self._ward_tree, self.wards, point),
        )


def parse_boundary(text: str) -> BaseGeometry:
    geom = shape(json.loads(text))
    return geom if geom.is_valid else geom.buffer(0)


async def area_index(ctx: AppContext, session: AsyncSession) -> AreaIndex:
    cached = ctx.cache.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and now - cached[0] < AREA_CACHE_SECONDS:
        return cached[1]
    rows = (await session.exec(select(Area).order_by(Area.code))).all()
    index = AreaIndex([(a.code, a.kind, parse_boundary(a.boundary)) for a in rows])
    ctx.cache[CACHE_KEY] = (now, index)
    return index


def invalidate(ctx: AppContext) -> None:
    ctx.cache.pop(CACHE_KEY, None)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


CELL_DEGREES = 0.01  # about 1.1 km
MAX_FEED_CELLS = 36


def cell_of(latitude: float, longitude: float) -> int:
    """The grid cell (``CELL_DEGREES`` square) holding a point, as one integer."""
    row = math.floor((latitude + 90) / CELL_DEGREES)
    col = math.floor((longitude + 180) / CELL_DEGREES)
    return row * 40_000 + col


def cells_for_bbox(bbox: tuple[float, float, float, float], limit: int = MAX_FEED_CELLS) -> list[int] | None:
    """Cells covering ``(west, south, east, north)``; ``None`` if more than ``limit``."""
    west, south, east, north = bbox
    rows = range(math.floor((south + 90) / CELL_DEGREES), math.floor((north + 90) / CELL_DEGREES) + 1)
    cols = range(math.floor((west + 180) / CELL_DEGREES), math.floor((east + 180) / CELL_DEGREES) + 1)
    if len(rows) * len(cols) > limit:
        return None
    return [r * 40_000 + c for r in rows for c in cols]


def bbox_around(latitude: float, longitude: float, radius_m: float) -> tuple[float, float, float, float]:
    """``(min_lat, min_lon, max_lat, max_lon)`` enclosing the circle (for an index range scan)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(latitude)), 1e-6)))
    return latitude - dlat, longitude - dlon, latitude + dlat, longitude + dlon

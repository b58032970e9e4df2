"""A small map without tiles: report locations projected into an inline SVG.

Equirectangular projection around the points' mid-latitude (longitudes scaled by cos φ), which is
accurate to well under a pixel across a city the size of Hanoi. No network, no JavaScript.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WIDTH = 640
HEIGHT = 400
PAD = 24


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    ref: str


def _coords(item: dict[str, Any]) -> tuple[float, float] | None:
    lat, lon = item.get("latitude", item.get("lat")), item.get("longitude", item.get("lon"))
    location = item.get("location")
    if (lat is None or lon is None) and isinstance(location, dict):
        lat, lon = location.get("latitude", location.get("lat")), location.get("longitude", location.get("lon"))
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        return None
    return lat_f, lon_f


def plot(items: list[dict[str, Any]], width: int = WIDTH, height: int = HEIGHT) -> list[Marker]:
    """Markers for every item with coordinates, labelled 1, 2, … in list order."""
    points = [(i, c) for i, item in enumerate(items) if (c := _coords(item)) is not None]
    if not points:
        return []
    lats = [c[0] for _, c in points]
    lons = [c[1] for _, c in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if north - south < 0.005 and east - west < 0.005:
        mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
        south, north, west, east = mid_lat - 0.01, mid_lat + 0.01, mid_lon - 0.01, mid_lon + 0.01
    k = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * k, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((width - 2 * PAD) / span_x, (height - 2 * PAD) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = (height - span_y * scale) / 2
    markers = []
    for index, (lat, lon) in points:
        x = off_x + (lon - west) * k * scale
        y = off_y + (north - lat) * scale
        markers.append(Marker(round(x, 1), round(y, 1), str(index + 1), str(items[index].get("id", ""))))
    return markers

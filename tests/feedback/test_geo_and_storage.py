"""Point-in-polygon over the seeded areas, distances, and the local media store."""

from __future__ import annotations

import pytest

from feedback.geo import AreaIndex, bbox_around, distance_m, parse_boundary
from feedback.seed_data import areas
from superapp.storage import InvalidKey, LocalStorage, Storage
from tests.feedback.conftest import BA_DINH_SQUARE, CAU_GIAY, HANG_BAC, HOAN_KIEM_LAKE, SAIGON


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex([(a["code"], a["kind"], parse_boundary(a["boundary"])) for a in areas()])


class TestLocate:
    @pytest.mark.parametrize(
        "point,district,ward",
        [
            (HOAN_KIEM_LAKE, "HN-HK", "HN-HK-TT"),
            (HANG_BAC, "HN-HK", "HN-HK-HB"),
            (BA_DINH_SQUARE, "HN-BD", "HN-BD-DB"),
            (CAU_GIAY, "HN-CG", "HN-CG-ND"),
        ],
    )
    def test_points_find_their_district_and_ward(self, index, point, district, ward):
        found = index.locate(*point)
        assert (found.district_code, found.ward_code) == (district, ward)

    @pytest.mark.parametrize("point", [SAIGON, (21.2, 105.85), (0.0, 0.0)])
    def test_outside_the_service_area(self, index, point):
        assert index.locate(*point) is None

    def test_every_ward_lies_inside_its_district(self, index):
        districts = dict(index.districts)
        for code, ward in index.wards:
            parent = next(a["parent_code"] for a in areas() if a["code"] == code)
            assert districts[parent].buffer(1e-9).contains(ward)


class TestDistance:
    def test_haversine_distance(self):
        # One thousandth of a degree of latitude is about 111 m.
        assert distance_m(21.0, 105.85, 21.001, 105.85) == pytest.approx(111.2, abs=0.5)

    def test_bbox_encloses_the_circle(self):
        min_lat, min_lon, max_lat, max_lon = bbox_around(21.0288, 105.8525, 50)
        assert distance_m(21.0288, 105.8525, max_lat, 105.8525) == pytest.approx(50, abs=0.1)
        assert distance_m(21.0288, 105.8525, 21.0288, max_lon) == pytest.approx(50, abs=0.1)


class TestCells:
    def test_points_of_a_box_fall_in_its_cells(self):
        from feedback.geo import cell_of, cells_for_bbox

        bbox = (105.842, 21.017, 105.870, 21.045)
        cells = cells_for_bbox(bbox)
        assert len(cells) == 16  # 4 × 4 cells of 0.01°
        for lat, lon in (HOAN_KIEM_LAKE, HANG_BAC, (21.017, 105.842), (21.045, 105.870)):
            assert cell_of(lat, lon) in cells
        assert cell_of(*BA_DINH_SQUARE) not in cells
        assert cells_for_bbox((105.0, 20.0, 106.0, 21.0)) is None


class TestLocalStorage:
    async def test_put_get_delete(self, tmp_path):
        store = LocalStorage(tmp_path)
        assert isinstance(store, Storage)
        await store.put("feedback/2026/11/a.jpg", b"data", "image/jpeg")
        assert await store.get("feedback/2026/11/a.jpg") == b"data"
        await store.delete("feedback/2026/11/a.jpg")
        assert await store.get("feedback/2026/11/a.jpg") is None

    @pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "a/../../b", "a//b", "", "a\\b"])
    async def test_keys_cannot_escape_the_root(self, tmp_path, key):
        with pytest.raises(InvalidKey):
            await LocalStorage(tmp_path).put(key, b"x", "text/plain")

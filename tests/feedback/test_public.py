"""The public feed (no login) and its privacy; photos; duplicate hints nearby."""

from __future__ import annotations

import pytest

from tests.feedback.conftest import CAU_GIAY, HOAN_KIEM_LAKE, image_bytes
from tests.feedback.helpers import approved_report

pytestmark = pytest.mark.usefixtures("seeded")
HOAN_KIEM_BBOX = "105.842,21.017,105.870,21.045"
PUBLIC_FIELDS = {
    "id",
    "tracking_code",
    "status",
    "category",
    "description",
    "latitude",
    "longitude",
    "address",
    "district_code",
    "agency_code",
    "status_note",
    "created_at",
    "updated_at",
    "resolved_at",
    "photos",
}


class TestPrivacy:
    async def test_feed_shows_published_reports_without_reporter_or_photo_metadata(
        self, client, submit, moderate, citizen, moderator
    ):
        published = await approved_report(
            submit, moderate, citizen, moderator, photos=[image_bytes("JPEG", (400, 300), exif_gps=True)]
        )
        await submit(citizen)  # awaiting moderation: not public
        r = await client.get("/v1/feedback/public")
        assert r.status_code == 200
        items = r.json()["items"]
        assert [i["id"] for i in items] == [published]
        item = items[0]
        assert set(item) == PUBLIC_FIELDS
        assert set(item["photos"][0]) == {"url", "thumbnail_url"}
        text = r.text
        assert str(citizen.id) not in text and citizen.account.phone not in text
        assert citizen.account.full_name not in text

        photo = await client.get(item["photos"][0]["url"])
        assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
        assert b"Exif" not in photo.content[:2048]
        assert (await client.get(item["photos"][0]["thumbnail_url"])).status_code == 200

    async def test_photos_of_unpublished_reports_need_the_reporter_or_staff(
        self, client, ctx, submit, citizen, person, moderator
    ):
        rid = (await submit(citizen, photos=[image_bytes()])).json()["id"]
        detail = (await client.get(f"/v1/feedback/reports/{rid}", headers=citizen.headers)).json()
        url = detail["photos"][0]["url"]
        assert {"width", "height"} <= set(detail["photos"][0])
        assert (await client.get(url)).status_code == 404
        assert (await client.get(url, headers=(await person()).headers)).status_code == 404
        assert (await client.get(url, headers=citizen.headers)).status_code == 200
        assert (await client.get(url, headers=moderator.headers)).status_code == 200
        assert (await client.get("/v1/feedback/photos/not-an-id")).status_code == 404


class TestFilters:
    async def test_bbox_status_category_and_cursor(
        self, client, submit, moderate, act, citizen, moderator, transport_officer
    ):
        lake = await approved_report(submit, moderate, citizen, moderator)
        cau_giay = await approved_report(submit, moderate, citizen, moderator, point=CAU_GIAY)
        waste = await approved_report(submit, moderate, citizen, moderator, category="environment.waste")
        await act(transport_officer, lake, "resolved")

        async def ids(query: str) -> list[str]:
            r = await client.get(f"/v1/feedback/public?{query}")
            assert r.status_code == 200, r.text
            return [i["id"] for i in r.json()["items"]]

        assert await ids(f"bbox={HOAN_KIEM_BBOX}") == [waste, lake]  # read cell by cell
        assert await ids("bbox=105.70,20.90,106.00,21.20") == [waste, cau_giay, lake]  # large box: scan
        assert await ids("bbox=105.845,21.020,105.846,21.021") == []
        hk = (await client.get(f"/v1/feedback/public?bbox={HOAN_KIEM_BBOX}&limit=1")).json()
        nxt = await client.get(f"/v1/feedback/public?bbox={HOAN_KIEM_BBOX}&limit=1&cursor={hk['next_cursor']}")
        assert [i["id"] for i in hk["items"] + nxt.json()["items"]] == [waste, lake]
        assert await ids("status=resolved") == [lake]
        assert await ids("status=assigned,resolved&category=traffic.road_damage") == [cau_giay, lake]
        assert await ids("category=environment.waste") == [waste]
        first = (await client.get("/v1/feedback/public?limit=2")).json()
        assert [i["id"] for i in first["items"]] == [waste, cau_giay]
        rest = (await client.get(f"/v1/feedback/public?limit=2&cursor={first['next_cursor']}")).json()
        assert [i["id"] for i in rest["items"]] == [lake] and rest["next_cursor"] is None

    async def test_bad_filters(self, client):
        for bbox in ("1,2,3", "a,b,c,d", "105.9,21.0,105.8,21.1", "100,10,110,20", "nan,21,105,22"):
            r = await client.get(f"/v1/feedback/public?bbox={bbox}")
            assert (r.status_code, r.json()["code"]) == (422, "feedback.invalid_bbox"), bbox
        for status in ("submitted", "rejected", "hidden"):
            r = await client.get(f"/v1/feedback/public?status={status}")
            assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"


class TestNearby:
    async def test_duplicate_hints_within_radius_and_category(
        self, client, submit, moderate, citizen, person, moderator
    ):
        lat, lon = HOAN_KIEM_LAKE
        near = await approved_report(submit, moderate, citizen, moderator, point=(lat + 0.0002, lon))  # ~22 m
        pending = (await submit(citizen, point=(lat, lon + 0.0003))).json()["id"]  # ~31 m, not moderated
        far = await approved_report(submit, moderate, citizen, moderator, point=(lat + 0.002, lon))  # ~222 m
        await submit(citizen, category="environment.waste", point=(lat, lon))
        me = await person()

        r = await client.get(
            f"/v1/feedback/nearby?lat={lat}&lon={lon}&category=traffic.road_damage", headers=me.headers
        )
        assert r.status_code == 200
        items = r.json()["items"]
        assert [i["id"] for i in items] == [near, pending]
        assert 20 < items[0]["distance_m"] < 25
        assert items[0]["description"] and items[1]["description"] is None  # unmoderated text stays private
        own = await client.get(
            f"/v1/feedback/nearby?lat={lat}&lon={lon}&category=traffic.road_damage", headers=citizen.headers
        )
        assert own.json()["items"][1]["description"]

        wide = await client.get(
            f"/v1/feedback/nearby?lat={lat}&lon={lon}&radius_m=300&category=traffic.road_damage", headers=me.headers
        )
        assert [i["id"] for i in wide.json()["items"]] == [near, pending, far]
        every = await client.get(f"/v1/feedback/nearby?lat={lat}&lon={lon}", headers=me.headers)
        assert len(every.json()["items"]) == 3

    async def test_bad_parameters(self, client, citizen):
        for query in (
            "lat=x&lon=105.85",
            "lat=21&lon=105.85&radius_m=-5",
            "lat=21&lon=105.85&radius_m=99999",
            "lat=21&lon=105.85&radius_m=abc",
        ):
            r = await client.get(f"/v1/feedback/nearby?{query}", headers=citizen.headers)
            assert r.status_code == 422, query
        assert (await client.get("/v1/feedback/nearby?lat=21&lon=105.85")).status_code == 401

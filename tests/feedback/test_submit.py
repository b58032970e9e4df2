"""Submitting a report: the happy path, routing, photos, and every kind of bad input."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from feedback.models import Photo, Report, TimelineEntry
from tests.feedback.conftest import BA_DINH_SQUARE, HOAN_KIEM_LAKE, SAIGON, image_bytes

pytestmark = pytest.mark.usefixtures("seeded")
TRACKING_RE = re.compile(r"^HN-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$")


async def stored(ctx, report_id) -> Report:
    async with ctx.sessionmaker() as s:
        return (await s.exec(select(Report).where(Report.id == report_uuid(report_id)))).one()


class TestSubmit:
    async def test_created_with_tracking_code_and_submitted_status(self, submit, citizen, ctx):
        r = await submit(citizen)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "submitted"
        assert TRACKING_RE.match(body["tracking_code"])
        report = await stored(ctx, body["id"])
        assert report.reporter_id == citizen.id
        assert report.district_code == "HN-HK" and report.ward_code == "HN-HK-TT"
        assert report.severity == "normal"

    async def test_first_timeline_entry_is_the_submission(self, submit, citizen, ctx):
        rid = (await submit(citizen)).json()["id"]
        async with ctx.sessionmaker() as s:
            entries = (await s.exec(select(TimelineEntry).where(TimelineEntry.report_id == report_uuid(rid)))).all()
        assert [(e.action, e.from_status, e.to_status, e.actor_role) for e in entries] == [
            ("submit", None, "submitted", "citizen")
        ]

    async def test_categories_list_contract_fields_in_the_callers_language(self, client):
        r = await client.get("/v1/feedback/categories", headers={"Accept-Language": "en"})
        assert r.status_code == 200
        cats = {c["code"]: c for c in r.json()}
        assert cats["traffic.signal"]["severity_default"] == "urgent"
        assert cats["traffic.signal"]["agency_code"] == "HN-GTVT"
        assert cats["traffic.signal"]["name"] == "Broken traffic light"
        vi = {c["code"]: c for c in (await client.get("/v1/feedback/categories")).json()}
        assert vi["traffic.signal"]["name"] == "Đèn tín hiệu giao thông hỏng"

    async def test_needs_a_token_with_the_feedback_scope(self, client, submit, person):
        stranger = await person(scopes=["openid"])
        r = await submit(stranger)
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"
        r = await client.post("/v1/feedback/reports", data={"category": "traffic.signal"})
        assert r.status_code == 401


class TestRouting:
    async def test_category_default_agency(self, submit, citizen, ctx):
        rid = (await submit(citizen, category="traffic.signal")).json()["id"]
        report = await stored(ctx, rid)
        assert report.agency_code == "HN-GTVT" and report.severity == "urgent"

    async def test_ward_jurisdiction_wins_over_district_and_default(self, submit, citizen, ctx):
        in_ward = await stored(ctx, (await submit(citizen, category="urban_order.sidewalk")).json()["id"])
        assert in_ward.agency_code == "HN-TT-CAP"
        in_district = await stored(
            ctx, (await submit(citizen, category="urban_order.sidewalk", point=(21.0355, 105.8520))).json()["id"]
        )
        assert in_district.ward_code == "HN-HK-HB" and in_district.agency_code == "HN-HK-UBND"
        elsewhere = await stored(
            ctx, (await submit(citizen, category="urban_order.sidewalk", point=BA_DINH_SQUARE)).json()["id"]
        )
        assert elsewhere.agency_code == "HN-DTHT"


class TestPhotos:
    async def test_photos_are_reencoded_without_exif_with_thumbnails(self, submit, citizen, ctx):
        import io

        from PIL import Image

        from superapp.storage import storage_for

        original = image_bytes("JPEG", (800, 600), exif_gps=True)
        assert Image.open(io.BytesIO(original)).getexif()  # the upload does carry EXIF
        r = await submit(citizen, photos=[original, image_bytes("PNG", mode="RGBA"), image_bytes("WEBP")])
        assert r.status_code == 201, r.text
        async with ctx.sessionmaker() as s:
            photos = (
                await s.exec(
                    select(Photo).where(Photo.report_id == report_uuid(r.json()["id"])).order_by(Photo.position)
                )
            ).all()
        assert len(photos) == 3
        data = await storage_for(ctx).get(photos[0].key)
        img = Image.open(io.BytesIO(data))
        assert img.format == "JPEG" and not img.getexif() and "exif" not in img.info
        thumb = Image.open(io.BytesIO(await storage_for(ctx).get(photos[0].thumbnail_key)))
        assert max(thumb.size) == 320 and (photos[0].width, photos[0].height) == (800, 600)

    async def test_field_name_without_brackets_is_accepted(self, submit, citizen):
        r = await submit(citizen, photos=[image_bytes()], field="photos")
        assert r.status_code == 201

    async def test_text_or_gif_disguised_as_jpeg_is_refused(self, submit, citizen, ctx):
        r = await submit(citizen, photos=[("evil.jpg", b"<?php system($_GET['c']); ?>" * 10, "image/jpeg")])
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_photo"
        async with ctx.sessionmaker() as s:
            assert (await s.exec(select(Report))).all() == []

        r = await submit(citizen, photos=[("a.jpg", image_bytes("GIF"), "image/jpeg")])
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_photo"
        assert r.json()["reason"] == "format"

    async def test_too_many_too_large_or_too_big_photos(self, submit, citizen, feedback_settings):
        r = await submit(citizen, photos=[image_bytes()] * 6)
        assert r.status_code == 422 and r.json()["code"] == "feedback.too_many_photos"
        feedback_settings(max_photo_bytes=2000, max_photo_pixels=100 * 100)
        big = image_bytes("PNG", (300, 300))
        assert len(big) > 0
        noisy = bytes(range(256)) * 20
        r = await submit(citizen, photos=[("big.png", big + noisy, "image/png")])
        assert r.status_code == 413 and r.json()["code"] == "feedback.photo_too_large"
        r = await submit(citizen, photos=[image_bytes("PNG", (200, 200))])
        assert r.status_code == 422 and r.json()["reason"] == "dimensions"


class TestBadInput:
    async def test_outside_service_area_in_both_languages(self, submit, citizen):
        r = await submit(citizen, point=SAIGON)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "feedback.outside_service_area"
        assert "ngoài địa bàn" in r.json()["detail"]
        en = await submit(citizen, point=SAIGON, extra_headers={"Accept-Language": "en"})
        assert "outside the area" in en.json()["detail"]

    async def test_coordinates_that_are_not_numbers_or_out_of_range(self, submit, citizen):
        for lat, lon in [("abc", "105.85"), ("21.02", ""), ("nan", "105.85"), ("91", "105.85"), ("21.02", "inf")]:
            r = await submit(citizen, point=(lat, lon))
            assert (r.status_code, r.json()["code"]) == (422, "feedback.invalid_location"), (lat, lon)

    async def test_empty_short_and_huge_descriptions(self, submit, citizen):
        for text in ["", "   ", "too short", "x" * 2001]:
            r = await submit(citizen, description=text)
            assert (r.status_code, r.json()["code"]) == (422, "feedback.invalid_description"), len(text)
        assert (await submit(citizen, description="x" * 2000)).status_code == 201

    async def test_unknown_category_long_address_and_json_body(self, client, submit, citizen, ctx):
        r = await submit(citizen, category="nope")
        assert r.status_code == 422 and r.json()["code"] == "feedback.unknown_category"
        r = await submit(citizen, address="a" * 301)
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"
        r = await client.post("/v1/feedback/reports", json={"category": "traffic.signal"}, headers=citizen.headers)
        assert r.status_code == 415 and r.json()["code"] == "feedback.form_required"
        async with ctx.sessionmaker() as s:
            assert (await s.exec(select(Report))).all() == []


class TestIdempotency:
    async def test_retry_with_the_same_key_creates_one_report(self, submit, citizen, ctx):
        h = {"Idempotency-Key": "report-1"}
        first = await submit(citizen, extra_headers=h)
        second = await submit(citizen, extra_headers=h)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        async with ctx.sessionmaker() as s:
            assert len((await s.exec(select(Report))).all()) == 1


def report_uuid(value: str):
    import uuid

    return uuid.UUID(value)


class TestIdempotentMultipartRetry:
    async def test_the_same_multipart_bytes_sent_again_create_one_report(self, client, citizen, ctx):
        import httpx

        built = httpx.Request(
            "POST",
            "http://testserver/v1/feedback/reports",
            data={
                "category": "traffic.road_damage",
                "description": "Ổ gà lớn giữa đường Tràng Tiền.",
                "latitude": str(HOAN_KIEM_LAKE[0]),
                "longitude": str(HOAN_KIEM_LAKE[1]),
            },
            files=[("photos[]", ("a.jpg", image_bytes(), "image/jpeg"))],
        )
        body = built.read()
        headers = {**citizen.headers, "Content-Type": built.headers["Content-Type"], "Idempotency-Key": "with-photo"}
        first = await client.post("/v1/feedback/reports", content=body, headers=headers)
        again = await client.post("/v1/feedback/reports", content=body, headers=headers)
        assert first.status_code == again.status_code == 201 and first.json() == again.json()
        async with ctx.sessionmaker() as s:
            assert len((await s.exec(select(Report))).all()) == 1
            assert len((await s.exec(select(Photo))).all()) == 1

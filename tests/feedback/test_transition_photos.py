"""Agency transitions with photos (multipart): stored as the report's resolution photos, shown
in the detail and the timeline, audited; bad photos change nothing; JSON is unchanged."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from PIL import Image
from sqlmodel import select

from feedback.models import Photo, Report, TimelineEntry
from superapp.models import AuditEntry
from superapp.storage import storage_for
from tests.feedback.conftest import image_bytes
from tests.feedback.helpers import approved_report

pytestmark = pytest.mark.usefixtures("seeded")


def url(report_id: str) -> str:
    return f"/v1/agency/feedback/reports/{report_id}/transition"


@pytest.fixture
def act_with_photos(client):
    """POST a transition as multipart; ``photos`` is a list of bytes or (name, bytes, type)."""

    async def _act(who, report_id, status="resolved", note="Đã vá xong ổ gà.", photos=(), headers=None, **fields):
        files = []
        for i, photo in enumerate(photos):
            name, content, ctype = photo if isinstance(photo, tuple) else (f"p{i}.jpg", photo, "image/jpeg")
            files.append(("photos[]", (name, content, ctype)))
        data = {"status": status, "note": note, **fields}
        return await client.post(url(report_id), data=data, files=files or None,
                                 headers={**who.headers, **(headers or {})})

    return _act


async def rows(ctx, report_id: str):
    rid = uuid.UUID(report_id)
    async with ctx.sessionmaker() as s:
        photos = (await s.exec(select(Photo).where(Photo.report_id == rid).order_by(Photo.position))).all()
        entries = (await s.exec(select(TimelineEntry).where(TimelineEntry.report_id == rid)
                                .order_by(TimelineEntry.id))).all()
        report = await s.get(Report, rid)
    return report, list(photos), list(entries)


def media_files(ctx) -> int:
    root = ctx.settings.data_dir / "media"
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


@pytest.fixture
async def assigned(submit, moderate, citizen, moderator):
    """An approved road-damage report (routed to HN-GTVT) with one photo of the citizen's."""
    return await approved_report(submit, moderate, citizen, moderator, photos=[image_bytes()])


class TestPhotosOnATransition:
    async def test_resolution_photos_are_stored_and_shown(
        self, client, ctx, assigned, act_with_photos, citizen, transport_officer
    ):
        original = image_bytes("JPEG", (800, 600), exif_gps=True)
        r = await act_with_photos(transport_officer, assigned, "in_progress", note="Đội đang sửa.",
                                  photos=[original, image_bytes("PNG", mode="RGBA")])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "in_progress" and body["status_note"] == "Đội đang sửa."
        assert len(body["photos"]) == 1  # the citizen's photo stays where it was
        assert len(body["resolution_photos"]) == 2

        report, photos, entries = await rows(ctx, assigned)
        resolution = [p for p in photos if p.kind == "resolution"]
        assert [p.kind for p in photos] == ["report", "resolution", "resolution"]
        entry = entries[-1]
        assert entry.action == "in_progress" and {p.event_id for p in resolution} == {entry.id}
        assert entry.detail["photos"] == [str(p.id) for p in resolution]
        assert [str(p.id) for p in resolution] == [p["id"] for p in body["resolution_photos"]]
        assert all(p["event_id"] == str(entry.id) for p in body["resolution_photos"])

        stored = Image.open(io.BytesIO(await storage_for(ctx).get(resolution[0].key)))
        assert stored.format == "JPEG" and not stored.getexif() and (resolution[0].width, resolution[0].height) == (800, 600)

        # The reporter sees them in the detail and the timeline, and can fetch them.
        mine = (await client.get(f"/v1/feedback/reports/{assigned}", headers=citizen.headers)).json()
        assert [p["id"] for p in mine["resolution_photos"]] == [p["id"] for p in body["resolution_photos"]]
        timeline = (await client.get(f"/v1/feedback/reports/{assigned}/timeline", headers=citizen.headers)).json()
        last = timeline["items"][-1]
        assert [p["url"] for p in last["photos"]] == [p["url"] for p in body["resolution_photos"]]
        assert all(item["photos"] == [] for item in timeline["items"][:-1])
        got = await client.get(body["resolution_photos"][0]["thumbnail_url"], headers=citizen.headers)
        assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg"

        # The public feed keeps showing only the citizen's photo.
        public = (await client.get("/v1/feedback/public")).json()["items"]
        assert [len(p["photos"]) for p in public if p["id"] == assigned] == [1]

        async with ctx.sessionmaker() as s:
            audit = (await s.exec(select(AuditEntry).where(AuditEntry.action == "feedback.in_progress",
                                                           AuditEntry.target_id == assigned))).one()
        assert audit.detail["photos"] == entry.detail["photos"]

    async def test_later_photos_follow_the_earlier_ones(self, ctx, assigned, act_with_photos, transport_officer):
        assert (await act_with_photos(transport_officer, assigned, "in_progress", photos=[image_bytes()])).status_code == 200
        r = await act_with_photos(transport_officer, assigned, "resolved", photos=[image_bytes("WEBP")])
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "resolved" and len(r.json()["resolution_photos"]) == 2
        _, photos, entries = await rows(ctx, assigned)
        assert [p.position for p in photos] == [0, 1, 2]
        assert [str(p.event_id) for p in photos[1:]] == [str(entries[-2].id), str(entries[-1].id)]

    async def test_forms_without_photos_and_field_errors(self, ctx, assigned, act_with_photos, transport_officer):
        r = await act_with_photos(transport_officer, assigned, "reassign", agency_code="")
        assert r.status_code == 422 and r.json()["code"] == "feedback.invalid_field"
        r = await act_with_photos(transport_officer, assigned, "closed")
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"
        assert r.json()["errors"][0]["field"] == "status"
        r = await act_with_photos(transport_officer, assigned, "resolved", note="")
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
        # A browser's form with the file input left empty: an unnamed, empty file part.
        r = await act_with_photos(transport_officer, assigned, "in_progress",
                                  photos=[("", b"", "application/octet-stream")])
        assert r.status_code == 200 and r.json()["resolution_photos"] == []
        assert r.request.headers["content-type"].startswith("multipart/form-data")
        # A plain urlencoded form (no files) is read the same way.
        r = await act_with_photos(transport_officer, assigned, "resolved")
        assert r.status_code == 200 and r.json()["status"] == "resolved"
        assert r.request.headers["content-type"] == "application/x-www-form-urlencoded"

    async def test_json_is_answered_as_before(self, client, ctx, assigned, transport_officer):
        r = await client.post(url(assigned), json={"status": "in_progress", "note": "Đang xử lý."},
                              headers=transport_officer.headers)
        assert r.status_code == 200 and r.json()["status"] == "in_progress" and r.json()["resolution_photos"] == []
        r = await client.post(url(assigned), content=b'{"status": ', headers={**transport_officer.headers,
                                                                              "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["code"] == "request.malformed_json"
        r = await client.post(url(assigned), content=b"", headers={**transport_officer.headers,
                                                                  "Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"


class TestBadPhotosChangeNothing:
    @pytest.mark.parametrize("case", ["too_many", "too_large", "not_an_image", "gif"])
    async def test_refused_with_a_code(self, ctx, assigned, act_with_photos, transport_officer, feedback_settings, case):
        if case == "too_large":
            feedback_settings(max_photo_bytes=2000)
        photos, status, code = {
            "too_many": ([image_bytes()] * 6, 422, "feedback.too_many_photos"),
            "too_large": ([("big.png", image_bytes("PNG", (300, 300)) + b"\0" * 3000, "image/png")], 413,
                          "feedback.photo_too_large"),
            "not_an_image": ([("x.jpg", b"<?php echo 1; ?>" * 20, "image/jpeg")], 422, "feedback.invalid_photo"),
            "gif": ([image_bytes(), ("a.jpg", image_bytes("GIF"), "image/jpeg")], 422, "feedback.invalid_photo"),
        }[case]
        before_files = media_files(ctx)
        before, before_photos, before_entries = await rows(ctx, assigned)
        r = await act_with_photos(transport_officer, assigned, "resolved", photos=photos)
        assert r.status_code == status and r.json()["code"] == code, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        after, after_photos, after_entries = await rows(ctx, assigned)
        assert after.status == before.status == "assigned"
        assert len(after_photos) == len(before_photos) and len(after_entries) == len(before_entries)
        assert media_files(ctx) == before_files

    async def test_photos_on_an_illegal_or_foreign_transition_are_not_kept(
        self, ctx, assigned, act_with_photos, transport_officer, environment_officer
    ):
        before_files = media_files(ctx)
        r = await act_with_photos(environment_officer, assigned, "resolved", photos=[image_bytes()])
        assert r.status_code == 404 and r.json()["code"] == "feedback.report_not_found"
        assert (await act_with_photos(transport_officer, assigned, "in_progress")).status_code == 200
        r = await act_with_photos(transport_officer, assigned, "in_progress", photos=[image_bytes()])
        assert r.status_code == 409 and r.json()["code"] == "feedback.illegal_transition"
        _, photos, _ = await rows(ctx, assigned)
        assert [p.kind for p in photos] == ["report"] and media_files(ctx) == before_files


class TestIdempotentRetry:
    async def test_the_same_multipart_request_again_stores_the_photos_once(
        self, client, ctx, assigned, transport_officer
    ):
        built = httpx.Request("POST", "http://testserver" + url(assigned),
                              data={"status": "resolved", "note": "Đã xử lý xong."},
                              files=[("photos[]", ("a.jpg", image_bytes(), "image/jpeg"))])
        body = built.read()
        headers = {**transport_officer.headers, "Content-Type": built.headers["Content-Type"],
                   "Idempotency-Key": "resolve-with-photo"}
        first = await client.post(url(assigned), content=body, headers=headers)
        again = await client.post(url(assigned), content=body, headers=headers)
        assert first.status_code == again.status_code == 200, first.text
        assert first.json() == again.json()
        _, photos, entries = await rows(ctx, assigned)
        assert [p.kind for p in photos] == ["report", "resolution"]
        assert [e.action for e in entries].count("resolved") == 1

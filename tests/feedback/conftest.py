"""Fixtures of the feedback tests: seeded areas and categories, people in every role, photos."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from PIL import Image

from feedback import geo
from feedback.config import CACHE_KEY as SETTINGS_KEY
from feedback.config import FeedbackSettings
from feedback.seed import seed_reference_data

# Points inside the seeded districts (lat, lon).
HOAN_KIEM_LAKE = (21.0288, 105.8525)  # ward HN-HK-TT (Tràng Tiền)
HANG_BAC = (21.0355, 105.8520)  # ward HN-HK-HB
BA_DINH_SQUARE = (21.0368, 105.8342)  # ward HN-BD-DB
CAU_GIAY = (21.0330, 105.7900)  # ward HN-CG-ND
SAIGON = (10.7769, 106.7009)  # outside the service area


@pytest.fixture
def miniapps() -> list:
    """No mini-apps: the feedback module alone (with the host's core modules)."""
    return []


@pytest.fixture
async def seeded(ctx, app):
    async with ctx.sessionmaker() as session:
        await seed_reference_data(session)
        await session.commit()
    geo.invalidate(ctx)
    return ctx


@pytest.fixture
def feedback_settings(ctx):
    """Install feedback settings on the context; returns a setter for overrides."""

    def install(**overrides) -> FeedbackSettings:
        settings = FeedbackSettings(**overrides)
        ctx.cache[SETTINGS_KEY] = settings
        ctx.cache.pop("feedback.calendar", None)
        return settings

    return install


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, exif_gps: bool = False, mode: str = "RGB"
) -> bytes:
    img = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "Model X"  # Model
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 43.0), 3: "E", 4: (105.0, 51.0, 9.0)}  # GPS IFD
        kwargs["exif"] = exif
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


@dataclass
class Person:
    account: object
    headers: dict[str, str]

    @property
    def id(self):
        return self.account.id


@pytest.fixture
def person(factory):
    async def make(
        *, roles: list[str] | None = None, agency_code: str | None = None, scopes=("feedback", "notifications")
    ) -> Person:
        account = await factory.account(roles=roles, agency_code=agency_code)
        return Person(account, await factory.headers(account, list(scopes)))

    return make


@pytest.fixture
async def citizen(person) -> Person:
    return await person()


@pytest.fixture
async def moderator(person) -> Person:
    return await person(roles=["moderator"])


@pytest.fixture
async def transport_officer(person) -> Person:
    return await person(roles=["agency_officer"], agency_code="HN-GTVT")


@pytest.fixture
async def environment_officer(person) -> Person:
    return await person(roles=["agency_officer"], agency_code="HN-TNMT")


@pytest.fixture
def submit(client):
    """POST a report as multipart; ``photos`` is a list of bytes (or (name, bytes, type))."""

    async def _submit(
        who: Person,
        *,
        category: str = "traffic.road_damage",
        point=HOAN_KIEM_LAKE,
        description: str = "Ổ gà lớn giữa đường, xe máy dễ ngã.",
        address: str | None = "Đinh Tiên Hoàng",
        photos=(),
        extra_headers: dict | None = None,
        field: str = "photos[]",
    ):
        data = {"category": category, "description": description, "latitude": str(point[0]), "longitude": str(point[1])}
        if address is not None:
            data["address"] = address
        files = []
        for i, photo in enumerate(photos):
            name, content, ctype = photo if isinstance(photo, tuple) else (f"p{i}.jpg", photo, "image/jpeg")
            files.append((field, (name, content, ctype)))
        headers = {**who.headers, **(extra_headers or {})}
        return await client.post("/v1/feedback/reports", data=data, files=files or None, headers=headers)

    return _submit


@pytest.fixture
def moderate(client):
    async def _moderate(who: Person, report_id, **body):
        return await client.post(f"/v1/admin/feedback/reports/{report_id}/moderate", json=body, headers=who.headers)

    return _moderate


@pytest.fixture
def act(client):
    async def _act(who: Person, report_id, status: str, note: str = "Đã cử đội xử lý.", **body):
        return await client.post(
            f"/v1/agency/feedback/reports/{report_id}/transition",
            json={"status": status, "note": note, **body},
            headers=who.headers,
        )

    return _act

"""Open311 GeoReport v2: discovery, services, requests (GET and POST with api_key), tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

import pytest

from tests.feedback.conftest import HOAN_KIEM_LAKE, SAIGON, image_bytes

pytestmark = pytest.mark.usefixtures("seeded")
BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


@pytest.fixture
async def api_key(factory) -> str:
    key = secrets.token_urlsafe(32)
    await factory.client(name="City 311 partner", scopes=["open311"], grant_types=["client_credentials"], secret=key)
    return key


def form(api_key: str | None, **overrides) -> dict:
    data = {
        "service_code": "traffic.road_damage",
        "lat": str(HOAN_KIEM_LAKE[0]),
        "long": str(HOAN_KIEM_LAKE[1]),
        "description": "Nắp cống bị mất trên vỉa hè.",
        "address_string": "Hàng Khay",
    }
    if api_key is not None:
        data["api_key"] = api_key
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_open311_error(r, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]


class TestDiscoveryAndServices:
    async def test_discovery_and_services(self, client):
        d = (await client.get(f"{BASE}/discovery.json")).json()
        assert d["endpoints"][0]["url"].endswith("/open311/v2") and "application/json" in d["endpoints"][0]["formats"]
        assert "open311" in d["key_service"] and "Hà Nội" in d["contact"]
        services = (await client.get(f"{BASE}/services.json", headers={"Accept-Language": "en"})).json()
        signal = next(s for s in services if s["service_code"] == "traffic.signal")
        assert signal == {
            **signal,
            "service_name": "Broken traffic light",
            "metadata": False,
            "type": "realtime",
            "group": "traffic",
        }
        definition = (await client.get(f"{BASE}/services/traffic.signal.json")).json()
        assert definition == {"service_code": "traffic.signal", "attributes": []}
        assert_open311_error(await client.get(f"{BASE}/services/nope.json"), 404)
        assert_open311_error(await client.get(f"{BASE}/nothing.json"), 404)


class TestPost:
    async def test_api_key_is_required_and_checked(self, client, factory):
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(None)), 400)
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form("wrong-key")), 403)
        no_scope_key = secrets.token_urlsafe(32)
        await factory.client(scopes=["transit.validate"], grant_types=["client_credentials"], secret=no_scope_key)
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(no_scope_key)), 403)
        suspended_key = secrets.token_urlsafe(32)
        await factory.client(scopes=["open311"], secret=suspended_key, status="suspended")
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(suspended_key)), 403)

    async def test_api_key_in_the_query_string_or_with_client_id(self, client, factory):
        key = secrets.token_urlsafe(32)
        partner = await factory.client(scopes=["open311"], grant_types=["client_credentials"], secret=key)
        r = await client.post(f"{BASE}/requests.json?api_key={key}", data=form(None))
        assert r.status_code == 201
        r = await client.post(f"{BASE}/requests.json", data=form(key, client_id=partner.client_id))
        assert r.status_code == 201
        r = await client.post(f"{BASE}/requests.json", data=form(key, client_id="someone-else"))
        assert_open311_error(r, 403)

    async def test_bad_input(self, client, api_key):
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(api_key, lat="abc")), 422)
        assert_open311_error(
            await client.post(f"{BASE}/requests.json", data=form(api_key, lat=str(SAIGON[0]), long=str(SAIGON[1]))), 422
        )
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(api_key, description=None)), 400)
        assert_open311_error(await client.post(f"{BASE}/requests.json", data=form(api_key, service_code="x")), 422)
        assert_open311_error(await client.post(f"{BASE}/requests.json", json={"api_key": api_key}), 400)

    async def test_create_then_follow_through_token_and_id(
        self, client, api_key, moderate, act, moderator, transport_officer
    ):
        r = await client.post(
            f"{BASE}/requests.json", data=form(api_key), files=[("media", ("a.jpg", image_bytes(), "image/jpeg"))]
        )
        assert r.status_code == 201, r.text
        created = r.json()[0]
        code, token = created["service_request_id"], created["token"]
        assert (await client.get(f"{BASE}/tokens/{token}.json")).json() == [
            {"service_request_id": code, "token": token}
        ]

        pending = (await client.get(f"{BASE}/requests/{code}.json")).json()[0]
        assert pending["status"] == "open" and pending["description"] is None and pending["media_url"] is None
        assert (await client.get(f"{BASE}/requests.json")).json() == []  # not published yet

        await moderate(moderator, token, action="approve")
        await act(transport_officer, token, "resolved", note="Đã lắp nắp cống mới.")
        detail = (await client.get(f"/v1/feedback/reports/{token}", headers=moderator.headers)).json()
        listed = (await client.get(f"{BASE}/requests.json")).json()
        assert len(listed) == 1
        item = listed[0]
        assert set(item) == REQUEST_FIELDS
        assert item["service_request_id"] == code and item["status"] == "closed"
        assert item["status_notes"] == "Đã lắp nắp cống mới."
        assert item["agency_responsible"] == "Sở Giao thông Vận tải Hà Nội"
        assert datetime.fromisoformat(item["expected_datetime"]) == datetime.fromisoformat(detail["due_at"])
        assert (item["lat"], item["long"]) == HOAN_KIEM_LAKE and item["address"] == "Hàng Khay"
        assert item["media_url"].startswith("http://testserver/v1/feedback/photos/")
        photo = await client.get(item["media_url"].removeprefix("http://testserver"))
        assert photo.status_code == 200
        assert detail["source"] == "open311" and detail["reporter_id"] is None


class TestListing:
    async def test_filters_and_paging(self, client, api_key, moderate, act, moderator, transport_officer):
        codes, ids = [], []
        for category in ("traffic.road_damage", "traffic.signal", "environment.waste"):
            created = (await client.post(f"{BASE}/requests.json", data=form(api_key, service_code=category))).json()[0]
            codes.append(created["service_request_id"])
            ids.append(created["token"])
            await moderate(moderator, created["token"], action="approve")
        await act(transport_officer, ids[0], "resolved")

        async def listed(query: str) -> list[str]:
            r = await client.get(f"{BASE}/requests.json?{query}")
            assert r.status_code == 200, r.text
            return [i["service_request_id"] for i in r.json()]

        assert await listed("") == codes[::-1]
        assert await listed("status=closed") == [codes[0]]
        assert await listed("status=open") == codes[:0:-1]
        assert await listed("service_code=traffic.signal,environment.waste") == codes[:0:-1]
        assert await listed(f"service_request_id={codes[1]},{codes[2].lower()}") == codes[:0:-1]
        assert await listed("page_size=2&page=2") == [codes[0]]
        assert await listed("start_date=2020-01-01T00:00:00Z&end_date=2020-12-31T00:00:00Z") == []
        for query in ("status=pending", "page_size=1000", "page=0", "start_date=yesterday"):
            assert_open311_error(await client.get(f"{BASE}/requests.json?{query}"), 400)
        assert_open311_error(await client.get(f"{BASE}/requests/HN-0000-AAAAAA.json"), 404)
        assert_open311_error(await client.get(f"{BASE}/tokens/nope.json"), 404)

"""Inbox endpoints: list with cursor pagination, unread count, read, read-all, delete."""

from __future__ import annotations

import pytest

from superapp.ids import new_id
from superapp.pagination import encode_cursor
from tests.notifications.conftest import TITLE


class TestList:
    async def test_lists_newest_first_in_callers_language(self, client, citizen, citizen_headers, send):
        await send([citizen.id], title={"vi": "Một", "en": "One"})
        await send([citizen.id], title={"vi": "Hai", "en": "Two"})
        r = await client.get("/v1/notifications", headers={**citizen_headers, "Accept-Language": "en"})
        assert r.status_code == 200
        items = r.json()["items"]
        assert [i["title"] for i in items] == ["Two", "One"]
        assert set(items[0]) == {"id", "category", "title", "body", "data", "source", "created_at", "read_at"}
        r = await client.get("/v1/notifications", headers=citizen_headers)
        assert [i["title"] for i in r.json()["items"]] == ["Hai", "Một"]

    async def test_cursor_pagination_walks_every_item_once(self, client, citizen, citizen_headers, send):
        for n in range(5):
            await send([citizen.id], title=f"n{n}")
        seen, cursor = [], None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await client.get("/v1/notifications", params=params, headers=citizen_headers)).json()
            seen += [i["title"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["n4", "n3", "n2", "n1", "n0"]

    async def test_unread_only(self, client, citizen, citizen_headers, send):
        await send([citizen.id], title="old")
        first = (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"][0]
        await client.post(f"/v1/notifications/{first['id']}/read", headers=citizen_headers)
        await send([citizen.id], title="new")
        r = await client.get("/v1/notifications", params={"unread_only": "true"}, headers=citizen_headers)
        assert [i["title"] for i in r.json()["items"]] == ["new"]

    async def test_only_own_items(self, client, factory, citizen, citizen_headers, send):
        other = await factory.account()
        await send([other.id])
        r = await client.get("/v1/notifications", headers=citizen_headers)
        assert r.json() == {"items": [], "next_cursor": None}

    @pytest.mark.parametrize("cursor", ["!!", encode_cursor(["not-an-id"]), encode_cursor([1, 2])])
    async def test_bad_cursor_is_400(self, client, citizen_headers, cursor):
        r = await client.get("/v1/notifications", params={"cursor": cursor}, headers=citizen_headers)
        assert r.status_code == 400 and r.json()["code"] == "pagination.invalid_cursor"

    async def test_needs_scope(self, client, factory, citizen):
        r = await client.get("/v1/notifications", headers=await factory.headers(citizen, ["feedback"]))
        assert r.status_code == 403 and r.json()["code"] == "auth.insufficient_scope"
        assert (await client.get("/v1/notifications")).status_code == 401


class TestReadState:
    async def test_read_one_and_count(self, client, citizen, citizen_headers, send):
        await send([citizen.id])
        await send([citizen.id])
        assert (await client.get("/v1/notifications/unread-count", headers=citizen_headers)).json() == {"count": 2}
        item = (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"][0]
        r = await client.post(f"/v1/notifications/{item['id']}/read", headers=citizen_headers)
        assert r.status_code == 200 and r.json()["read_at"] is not None
        assert (await client.get("/v1/notifications/unread-count", headers=citizen_headers)).json() == {"count": 1}

    async def test_read_all(self, client, citizen, citizen_headers, send):
        for _ in range(3):
            await send([citizen.id])
        r = await client.post("/v1/notifications/read-all", headers=citizen_headers)
        assert r.json() == {"updated": 3}
        assert (await client.get("/v1/notifications/unread-count", headers=citizen_headers)).json() == {"count": 0}

    async def test_someone_elses_item_is_404(self, client, factory, citizen_headers, send):
        other = await factory.account()
        await send([other.id])
        other_headers = await factory.headers(other, ["notifications"])
        item = (await client.get("/v1/notifications", headers=other_headers)).json()["items"][0]
        r = await client.post(f"/v1/notifications/{item['id']}/read", headers=citizen_headers)
        assert r.status_code == 404 and r.json()["code"] == "notifications.not_found"
        r = await client.delete(f"/v1/notifications/{item['id']}", headers=citizen_headers)
        assert r.status_code == 404

    async def test_malformed_id_is_422(self, client, citizen_headers):
        r = await client.post("/v1/notifications/not-a-uuid/read", headers=citizen_headers)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"


class TestDelete:
    async def test_delete_removes_item(self, client, citizen, citizen_headers, send):
        await send([citizen.id], title=TITLE)
        item = (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"][0]
        assert (await client.delete(f"/v1/notifications/{item['id']}", headers=citizen_headers)).status_code == 204
        assert (await client.get("/v1/notifications", headers=citizen_headers)).json()["items"] == []
        r = await client.delete(f"/v1/notifications/{new_id()}", headers=citizen_headers)
        assert r.status_code == 404

"""The catalogue: built-in and published web mini-apps, localized, filtered, paginated."""

from __future__ import annotations


async def walk(client, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/miniapps", params=query)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


class TestCatalogue:
    async def test_builtins_then_published_web_apps(self, lifecycle, client):
        published = await lifecycle.publish()
        await lifecycle.register()  # a draft: not listed
        r = await client.get("/v1/miniapps")
        assert r.status_code == 200
        items = r.json()["items"]
        assert [i["id"] for i in items] == ["city-guide", "parking", published["id"]]
        assert {i["kind"] for i in items[:2]} == {"builtin"} and items[2]["kind"] == "web"
        assert set(items[0]) >= {"id", "name", "description", "icon_url", "category", "kind", "launch_url", "scopes"}

    async def test_web_entry_fields(self, lifecycle, client):
        published = await lifecycle.publish()
        entry = (await client.get(f"/v1/miniapps/{published['id']}")).json()
        assert entry["launch_url"] == "https://library.example.vn/app"
        assert entry["icon_url"] == "https://library.example.vn/icon.png"
        assert entry["scopes"] == ["openid", "profile", "offline_access", "notifications"]
        assert entry["category"] == "education" and entry["client_id"] == published["client_id"]

    async def test_builtin_entry_fields(self, client):
        entry = (await client.get("/v1/miniapps/parking")).json()
        assert entry["kind"] == "builtin" and entry["launch_url"] == "/v1/parking"
        assert entry["client_id"] == "miniapp-parking"

    async def test_localized_by_accept_language(self, lifecycle, client):
        published = await lifecycle.publish()
        vi = {i["id"]: i["name"] for i in (await client.get("/v1/miniapps")).json()["items"]}
        en_items = (await client.get("/v1/miniapps", headers={"Accept-Language": "en-GB,en;q=0.8"})).json()["items"]
        en = {i["id"]: i["name"] for i in en_items}
        assert vi["parking"] == "Bãi đỗ xe" and en["parking"] == "Parking"
        assert vi[published["id"]] == "Thư viện Hà Nội" and en[published["id"]] == "Hanoi Library"

    async def test_missing_language_falls_back_to_vietnamese(self, lifecycle, client):
        published = await lifecycle.publish(name="Chợ Đồng Xuân", description="Mua sắm")
        en = (await client.get(f"/v1/miniapps/{published['id']}", headers={"Accept-Language": "en"})).json()
        assert en["name"] == "Chợ Đồng Xuân"

    async def test_category_filter(self, lifecycle, client):
        published = await lifecycle.publish()
        assert [
            i["id"] for i in (await client.get("/v1/miniapps", params={"category": "education"})).json()["items"]
        ] == [published["id"]]
        assert [
            i["id"] for i in (await client.get("/v1/miniapps", params={"category": "transport"})).json()["items"]
        ] == ["parking"]

    async def test_pagination_walks_across_builtin_and_web(self, lifecycle, client):
        ids = [(await lifecycle.publish())["id"] for _ in range(3)]
        assert [i["id"] for i in await walk(client, limit=1)] == ["city-guide", "parking", *ids]
        assert [i["id"] for i in await walk(client, limit=2)] == ["city-guide", "parking", *ids]

    async def test_bad_cursor(self, client):
        r = await client.get("/v1/miniapps", params={"cursor": "bm9wZQ"})
        assert r.status_code == 400 and r.json()["code"] == "pagination.invalid_cursor"

    async def test_unpublished_and_unknown_apps_are_not_found(self, lifecycle, client):
        draft = await lifecycle.register()
        for app_id in (draft["id"], "no-such-app"):
            r = await client.get(f"/v1/miniapps/{app_id}")
            assert r.status_code == 404 and r.json()["code"] == "miniapps.not_found"

    async def test_oversized_id_is_a_validation_error(self, client):
        r = await client.get("/v1/miniapps/" + "x" * 100)
        assert r.status_code == 422 and r.json()["code"] == "request.invalid"

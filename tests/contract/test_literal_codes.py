"""Error codes the contract spells out literally, reached through HTTP across modules."""

from __future__ import annotations

from tests.contract.conftest import pkce_pair
from tests.contract.test_conventions import assert_problem


class TestLiteralCodes:
    async def test_silent_sso_without_consent_is_consent_required_with_scopes(self, client, factory):
        developer = await factory.account(roles=["developer"])
        admin = await factory.account(roles=["admin"])
        dev, adm = await factory.headers(developer, ["openid"]), await factory.headers(admin, ["openid"])
        app = (await client.post("/v1/developer/miniapps", headers=dev, json={
            "name": "Thư viện Hà Nội", "description": "Mượn sách trực tuyến", "home_url": "https://library.example.vn",
            "redirect_uris": ["https://library.example.vn/cb"], "scopes": ["openid", "profile"]})).json()
        assert app["status"] == "draft" and app["client_secret"]
        assert (await client.post(f"/v1/developer/miniapps/{app['id']}/submit", headers=dev)).json()["status"] == "in_review"
        r = await client.post(f"/v1/admin/miniapps/{app['id']}/review", headers=adm, json={"decision": "approve"})
        assert r.status_code == 200 and r.json()["status"] == "published"

        citizen = await factory.headers(await factory.account(), ["miniapps"])
        _, challenge = pkce_pair()
        r = await client.post(f"/v1/miniapps/{app['id']}/authorize", headers=citizen, json={
            "scope": "openid profile", "code_challenge": challenge, "code_challenge_method": "S256"})
        problem = assert_problem(r, 403)
        assert problem["code"] == "consent_required"
        assert set(problem["scopes"]) >= {"openid", "profile"}

        r = await client.post("/v1/me/consents", headers=citizen, json={"client_id": app["client_id"],
                                                                         "scopes": ["openid", "profile"]})
        assert r.status_code in (200, 201), r.text
        r = await client.post(f"/v1/miniapps/{app['id']}/authorize", headers=citizen, json={
            "scope": "openid profile", "code_challenge": challenge, "code_challenge_method": "S256"})
        assert r.status_code == 200 and set(r.json()) >= {"code", "expires_in"}

    async def test_report_outside_the_service_area(self, client, factory, reference_data):
        headers = await factory.headers(await factory.account(), ["feedback"])
        r = await client.post("/v1/feedback/reports", headers=headers, data={
            "category": "traffic.road_damage", "description": "Ổ gà lớn giữa đường Nguyễn Huệ.",
            "latitude": "10.7769", "longitude": "106.7009"})
        assert assert_problem(r, 422)["code"] == "feedback.outside_service_area"

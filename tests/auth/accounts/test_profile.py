"""The citizen's profile: GET/PATCH /v1/me."""

from __future__ import annotations

from datetime import date

from tests.auth.accounts.test_registration import assert_problem

SCOPES = ["openid", "profile"]


class TestReadProfile:
    async def test_contract_fields(self, client, factory):
        account = await factory.account(email="lan@example.vn", roles=["moderator"])
        r = await client.get("/v1/me", headers=await factory.headers(account, SCOPES))
        assert r.status_code == 200
        data = r.json()
        assert data["id"] == str(account.id)
        assert data["phone"] == account.phone
        assert data["email"] == "lan@example.vn"
        assert data["full_name"] == account.full_name
        assert data["roles"] == ["citizen", "moderator"]
        assert data["identity_level"] == 1
        assert data.get("birth_date") is None
        assert "password_hash" not in data and "national_id" not in data

    async def test_birth_date_once_verified(self, client, factory):
        account = await factory.account(level=2, national_id="001188004512", birth_date=date(1988, 3, 14))
        r = await client.get("/v1/me", headers=await factory.headers(account, SCOPES))
        assert r.json()["birth_date"] == "1988-03-14" and r.json()["identity_level"] == 2

    async def test_no_token_is_401_with_www_authenticate(self, client):
        r = await client.get("/v1/me")
        assert_problem(r, 401, "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")

    async def test_bad_token_is_401(self, client):
        r = await client.get("/v1/me", headers={"Authorization": "Bearer not-a-jwt"})
        assert_problem(r, 401, "auth.invalid_token")
        assert 'error="invalid_token"' in r.headers["www-authenticate"]

    async def test_client_token_is_403(self, client, factory):
        app_client = await factory.client(grant_types=["client_credentials"])
        r = await client.get("/v1/me", headers=await factory.headers(None, [], client=app_client))
        assert_problem(r, 403, "auth.account_required")


class TestUpdateProfile:
    async def test_changes_name_email_district(self, client, factory):
        account = await factory.account()
        headers = await factory.headers(account, SCOPES)
        r = await client.patch(
            "/v1/me",
            json={"full_name": "Trần Thị Bình", "email": "Binh@Example.vn", "district_code": "001"},
            headers=headers,
        )
        assert r.status_code == 200
        assert (r.json()["full_name"], r.json()["email"], r.json()["district_code"]) == (
            "Trần Thị Bình",
            "binh@example.vn",
            "001",
        )
        assert (await client.get("/v1/me", headers=headers)).json()["full_name"] == "Trần Thị Bình"

    async def test_partial_update_keeps_other_fields(self, client, factory):
        account = await factory.account(email="keep@example.vn", district_code="005")
        r = await client.patch("/v1/me", json={"full_name": "Tên Mới"}, headers=await factory.headers(account, SCOPES))
        assert r.json()["email"] == "keep@example.vn" and r.json()["district_code"] == "005"

    async def test_empty_name_is_422(self, client, factory):
        account = await factory.account()
        for value in (None, "   "):
            r = await client.patch("/v1/me", json={"full_name": value}, headers=await factory.headers(account, SCOPES))
            assert_problem(r, 422, "account.full_name_required")

    async def test_null_clears_email(self, client, factory):
        account = await factory.account(email="gone@example.vn")
        r = await client.patch("/v1/me", json={"email": None}, headers=await factory.headers(account, SCOPES))
        assert r.status_code == 200 and r.json()["email"] is None

    async def test_email_of_another_account_is_409(self, client, factory):
        await factory.account(email="taken@example.vn")
        account = await factory.account()
        r = await client.patch(
            "/v1/me", json={"email": "taken@example.vn"}, headers=await factory.headers(account, SCOPES)
        )
        assert_problem(r, 409, "account.email_taken")

    async def test_invalid_email_is_422(self, client, factory):
        account = await factory.account()
        r = await client.patch("/v1/me", json={"email": "nope@"}, headers=await factory.headers(account, SCOPES))
        assert_problem(r, 422, "account.invalid_email")

    async def test_unknown_district_is_422(self, client, factory):
        account = await factory.account()
        r = await client.patch("/v1/me", json={"district_code": "999"}, headers=await factory.headers(account, SCOPES))
        assert_problem(r, 422, "account.invalid_district")

    async def test_phone_cannot_be_changed_here(self, client, factory):
        account = await factory.account()
        r = await client.patch("/v1/me", json={"phone": "0987654321"}, headers=await factory.headers(account, SCOPES))
        assert_problem(r, 422, "request.invalid")

    async def test_verified_name_is_locked(self, client, factory):
        account = await factory.account(level=2, national_id="001188004512", birth_date=date(1988, 3, 14))
        r = await client.patch("/v1/me", json={"full_name": "Tên Khác"}, headers=await factory.headers(account, SCOPES))
        assert_problem(r, 422, "account.verified_name_locked")

    async def test_unauthenticated_is_401(self, client):
        r = await client.patch("/v1/me", json={"full_name": "X"})
        assert_problem(r, 401, "unauthorized")

    async def test_wrong_content_type_is_415(self, client, factory):
        account = await factory.account()
        r = await client.patch(
            "/v1/me",
            content=b"full_name=X",
            headers={**await factory.headers(account, SCOPES), "content-type": "application/x-www-form-urlencoded"},
        )
        assert_problem(r, 415, "request.unsupported_media_type")

"""Guardian links: GET/POST /v1/me/dependents (children under 16, confirmed by the registry)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from auth.accounts import identity
from superapp.models import AuditEntry
from tests.auth.accounts.test_registration import assert_problem

SCOPES = ["openid", "profile"]
PARENT_ID = "001188004512"
CHILD = {"national_id": "001215007781", "full_name": "Trần Minh Khôi", "birth_date": "2015-06-02"}


@pytest.fixture
async def guardian(factory, registry):
    await registry(PARENT_ID, "Nguyễn Thị Lan", date(1988, 3, 14))
    await registry("001215007781", "Trần Minh Khôi", date(2015, 6, 2), sex="male", guardians=(PARENT_ID,))
    return await factory.account(level=2, national_id=PARENT_ID, birth_date=date(1988, 3, 14))


async def link(client, factory, account, body):
    return await client.post("/v1/me/dependents", json=body, headers=await factory.headers(account, SCOPES))


class TestLinking:
    async def test_child_is_linked(self, client, factory, guardian):
        r = await link(client, factory, guardian, CHILD)
        assert r.status_code == 201
        assert {k: r.json()[k] for k in CHILD} == CHILD
        assert r.json()["relationship"] == "child"

    async def test_listed_with_cursor_pagination(self, client, factory, guardian, registry):
        await registry("001318002209", "Trần Bảo Ngọc", date(2018, 11, 20), guardians=(PARENT_ID,))
        await link(client, factory, guardian, CHILD)
        await link(
            client,
            factory,
            guardian,
            {"national_id": "001318002209", "full_name": "Trần Bảo Ngọc", "birth_date": "2018-11-20"},
        )
        headers = await factory.headers(guardian, SCOPES)
        first = await client.get("/v1/me/dependents?limit=1", headers=headers)
        assert [d["full_name"] for d in first.json()["items"]] == ["Trần Minh Khôi"]
        second = await client.get(f"/v1/me/dependents?limit=1&cursor={first.json()['next_cursor']}", headers=headers)
        assert [d["full_name"] for d in second.json()["items"]] == ["Trần Bảo Ngọc"]
        assert second.json()["next_cursor"] is None

    async def test_someone_elses_list_is_not_shown(self, client, factory, guardian):
        await link(client, factory, guardian, CHILD)
        other = await factory.account()
        r = await client.get("/v1/me/dependents", headers=await factory.headers(other, SCOPES))
        assert r.json() == {"items": [], "next_cursor": None}

    async def test_unlink_is_audited(self, client, ctx, factory, guardian):
        created = (await link(client, factory, guardian, CHILD)).json()
        headers = await factory.headers(guardian, SCOPES)
        assert (await client.delete(f"/v1/me/dependents/{created['id']}", headers=headers)).status_code == 204
        assert (await client.get("/v1/me/dependents", headers=headers)).json()["items"] == []
        async with ctx.sessionmaker() as session:
            audit = (await session.exec(select(AuditEntry).where(AuditEntry.target_id == created["id"]))).all()
        assert {e.action for e in audit} == {"account.dependent_linked", "account.dependent_unlinked"}

    async def test_unlink_someone_elses_is_404(self, client, factory, guardian):
        created = (await link(client, factory, guardian, CHILD)).json()
        other = await factory.account()
        r = await client.delete(f"/v1/me/dependents/{created['id']}", headers=await factory.headers(other, SCOPES))
        assert_problem(r, 404, "not_found")


class TestRefused:
    async def test_guardian_must_be_level_2(self, client, factory):
        account = await factory.account(level=1)
        assert_problem(await link(client, factory, account, CHILD), 403, "auth.identity_level_required")

    async def test_child_not_in_registry(self, client, factory, guardian):
        r = await link(client, factory, guardian, CHILD | {"national_id": "001215000001"})
        assert_problem(r, 422, "dependent.not_found")

    async def test_name_or_birth_date_disagree(self, client, factory, guardian):
        assert_problem(
            await link(client, factory, guardian, CHILD | {"full_name": "Trần Minh Khang"}), 422, "dependent.not_found"
        )

    async def test_registry_must_name_the_guardian(self, client, factory, registry):
        await registry("001086003317", "Trần Văn Hùng", date(1986, 9, 2), sex="male")
        await registry("001215007781", "Trần Minh Khôi", date(2015, 6, 2), sex="male", guardians=(PARENT_ID,))
        stranger = await factory.account(level=2, national_id="001086003317", birth_date=date(1986, 9, 2))
        assert_problem(await link(client, factory, stranger, CHILD), 422, "dependent.not_guardian")

    async def test_sixteen_or_older_is_refused(self, client, factory, guardian, registry):
        await registry("001205003311", "Trần Văn Lớn", date(2005, 1, 1), sex="male", guardians=(PARENT_ID,))
        r = await link(
            client,
            factory,
            guardian,
            {"national_id": "001205003311", "full_name": "Trần Văn Lớn", "birth_date": "2005-01-01"},
        )
        assert_problem(r, 422, "dependent.not_a_minor")

    async def test_already_linked_is_409(self, client, factory, guardian):
        await link(client, factory, guardian, CHILD)
        assert_problem(await link(client, factory, guardian, CHILD), 409, "dependent.already_linked")

    async def test_self_is_refused(self, client, factory, guardian):
        body = {"national_id": PARENT_ID, "full_name": "Nguyễn Thị Lan", "birth_date": "1988-03-14"}
        assert_problem(await link(client, factory, guardian, body), 422, "dependent.self")

    async def test_invalid_cccd(self, client, factory, guardian):
        assert_problem(
            await link(client, factory, guardian, CHILD | {"national_id": "0012150077"}), 422, "account.invalid_cccd"
        )

    async def test_unauthenticated_is_401(self, client):
        assert_problem(await client.get("/v1/me/dependents"), 401, "unauthorized")

    async def test_bad_cursor_is_400(self, client, factory, guardian):
        r = await client.get("/v1/me/dependents?cursor=!!!", headers=await factory.headers(guardian, SCOPES))
        assert_problem(r, 400, "pagination.invalid_cursor")


class TestAge:
    @pytest.mark.parametrize(
        ("born", "on", "age"),
        [
            (date(2010, 6, 2), date(2026, 6, 1), 15),
            (date(2010, 6, 2), date(2026, 6, 2), 16),
            (date(2012, 2, 29), date(2026, 2, 28), 13),
        ],
    )
    def test_age_on(self, born, on, age):
        assert identity.age_on(born, on) == age

"""Personal data: GET /v1/me/export (every module's section) and DELETE /v1/me (erasure)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlmodel import select

from auth.models import DependentLink
from miniapps.sdk import Module
from superapp import plugins
from superapp.app import create_app
from tests.auth.accounts.test_registration import assert_problem

SCOPES = ["openid", "profile"]
PERSONAL_FIELDS = ("phone", "email", "full_name", "password_hash", "national_id", "birth_date", "district_code")


class ProbeModule:
    """A module whose hooks record what the host asked of them."""

    def __init__(self, fail_erase: bool = False) -> None:
        self.erased: list = []
        self.fail_erase = fail_erase
        self.module = Module(name="probe", export=self.export, erase=self.erase)

    async def export(self, ctx, session, account_id):
        return {"notes": [f"note of {account_id}"], "since": date(2020, 1, 2), "owner": account_id}

    async def erase(self, ctx, session, account_id):
        if self.fail_erase:
            raise RuntimeError("probe storage down")
        self.erased.append(account_id)


@pytest.fixture
def probe():
    return ProbeModule()


@pytest.fixture
async def probe_client(ctx, probe):
    modules = [*plugins.load_core_modules(), probe.module]
    application = create_app(ctx.settings, ctx=ctx, modules=modules, miniapps=[], run_background_workers=False)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def citizen(factory, ctx):
    account = await factory.account(
        email="lan@example.vn",
        level=2,
        national_id="001188004512",
        birth_date=date(1988, 3, 14),
        district_code="005",
    )
    async with ctx.sessionmaker() as session:
        session.add(
            DependentLink(
                guardian_id=account.id,
                national_id="001215007781",
                birth_date=date(2015, 6, 2),
                full_name="Trần Minh Khôi",
            )
        )
        await session.commit()
    return account


class TestExport:
    async def test_account_and_dependents_without_password_hash(self, client, factory, citizen):
        r = await client.get("/v1/me/export", headers=await factory.headers(citizen, SCOPES))
        assert r.status_code == 200
        doc = r.json()
        assert doc["account"]["id"] == str(citizen.id)
        assert doc["account"]["national_id"] == "001188004512" and doc["account"]["email"] == "lan@example.vn"
        assert "password_hash" not in r.text and "$argon2" not in r.text
        assert [d["full_name"] for d in doc["modules"]["auth"]["dependents"]] == ["Trần Minh Khôi"]
        assert r.headers["content-disposition"].startswith("attachment")

    async def test_every_module_with_an_export_hook_has_its_section(self, client, app, factory, citizen):
        doc = (await client.get("/v1/me/export", headers=await factory.headers(citizen, SCOPES))).json()
        expected = {m.name for m in [*app.state.modules, *app.state.miniapps] if m.export is not None}
        assert "auth" in expected
        assert expected <= set(doc["modules"])

    async def test_a_plugged_module_section_is_included(self, probe_client, factory, citizen):
        doc = (await probe_client.get("/v1/me/export", headers=await factory.headers(citizen, SCOPES))).json()
        assert doc["modules"]["probe"] == {
            "notes": [f"note of {citizen.id}"],
            "since": "2020-01-02",
            "owner": str(citizen.id),
        }

    async def test_unauthenticated_is_401(self, client):
        assert_problem(await client.get("/v1/me/export"), 401, "unauthorized")


class TestErase:
    async def test_no_personal_data_is_left(self, client, factory, citizen, load_account, ctx):
        headers = await factory.headers(citizen, SCOPES)
        assert (await client.delete("/v1/me", headers=headers)).status_code == 204
        row = await load_account(citizen.id)
        assert row is not None, "the row stays so anonymised references remain valid"
        assert all(getattr(row, name) is None for name in PERSONAL_FIELDS)
        assert row.status == "deleted" and row.deleted_at is not None and row.roles == []
        async with ctx.sessionmaker() as session:
            links = (await session.exec(select(DependentLink).where(DependentLink.guardian_id == citizen.id))).all()
        assert links == []

    async def test_token_stops_working(self, client, factory, citizen):
        headers = await factory.headers(citizen, SCOPES)
        await client.delete("/v1/me", headers=headers)
        assert_problem(await client.get("/v1/me", headers=headers), 401, "auth.invalid_token")

    async def test_phone_can_register_again(self, client, factory, citizen):
        await client.delete("/v1/me", headers=await factory.headers(citizen, SCOPES))
        r = await client.post(
            "/v1/accounts", json={"phone": citizen.phone, "password": "Song-Hong-2026", "full_name": "Người Mới"}
        )
        assert r.status_code == 201 and r.json()["id"] != str(citizen.id)

    async def test_every_module_erase_hook_runs(self, probe_client, probe, factory, citizen):
        assert (await probe_client.delete("/v1/me", headers=await factory.headers(citizen, SCOPES))).status_code == 204
        assert probe.erased == [citizen.id]

    async def test_a_failing_hook_leaves_the_account_untouched(
        self, probe_client, probe, factory, citizen, load_account
    ):
        probe.fail_erase = True
        r = await probe_client.delete("/v1/me", headers=await factory.headers(citizen, SCOPES))
        assert r.status_code == 500
        row = await load_account(citizen.id)
        assert row.status == "active" and row.phone == citizen.phone

    async def test_unauthenticated_is_401(self, client):
        assert_problem(await client.delete("/v1/me"), 401, "unauthorized")

"""Identity level 2: POST /v1/me/identity through the population-registry adapter."""

from __future__ import annotations

import unicodedata
from datetime import date

from sqlmodel import select

from auth.registry import REGISTRY_FACTORY_KEY, RegistryRecord
from superapp.models import AuditEntry
from tests.auth.accounts.test_registration import assert_problem

SCOPES = ["openid", "profile"]
LAN = {"national_id": "001188004512", "full_name": "Nguyễn Thị Lan", "birth_date": "1988-03-14"}


async def post_identity(client, factory, account, body):
    return await client.post("/v1/me/identity", json=body, headers=await factory.headers(account, SCOPES))


class TestVerified:
    async def test_registry_agreement_gives_level_2(self, client, factory, registry, load_account):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14), district_code="005")
        account = await factory.account(full_name="Lan")
        r = await post_identity(client, factory, account, LAN)
        assert r.status_code == 200
        assert r.json()["identity_level"] == 2 and r.json()["birth_date"] == "1988-03-14"
        assert r.json()["full_name"] == "Nguyễn Thị Lan"  # the registry's spelling
        stored = await load_account(account.id)
        assert stored.national_id == "001188004512" and stored.identity_verified_at is not None

    async def test_name_compared_ignoring_case_spacing_and_unicode_form(self, client, factory, registry):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        account = await factory.account()
        decomposed = unicodedata.normalize("NFD", "  nguyễn  THỊ lan ")
        r = await post_identity(client, factory, account, LAN | {"full_name": decomposed})
        assert r.status_code == 200

    async def test_repeat_with_same_id_is_harmless(self, client, factory, registry):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        account = await factory.account()
        await post_identity(client, factory, account, LAN)
        again = await post_identity(client, factory, account, LAN)
        assert again.status_code == 200 and again.json()["identity_level"] == 2

    async def test_audited(self, client, ctx, factory, registry):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        account = await factory.account()
        await post_identity(client, factory, account, LAN)
        async with ctx.sessionmaker() as session:
            entries = (
                await session.exec(select(AuditEntry).where(AuditEntry.action == "account.identity_verified"))
            ).all()
        assert [e.target_id for e in entries] == [str(account.id)]

    async def test_another_adapter_can_answer(self, client, ctx, factory):
        class FixedRegistry:
            async def lookup(self, national_id):
                return RegistryRecord(national_id, "Nguyễn Thị Lan", date(1988, 3, 14), "female")

        ctx.cache[REGISTRY_FACTORY_KEY] = lambda _ctx, _session: FixedRegistry()
        account = await factory.account()
        assert (await post_identity(client, factory, account, LAN)).status_code == 200


class TestRefused:
    async def test_invalid_cccd_is_422(self, client, factory, load_account):
        account = await factory.account()
        for number in ["12345", "0011880045120", "099188004512", "00118800451x"]:
            r = await post_identity(client, factory, account, LAN | {"national_id": number})
            assert_problem(r, 422, "account.invalid_cccd")
        assert (await load_account(account.id)).identity_level == 1

    async def test_century_digit_against_birth_date_is_422(self, client, factory):
        account = await factory.account()
        r = await post_identity(client, factory, account, LAN | {"birth_date": "1888-03-14"})
        assert_problem(r, 422, "account.invalid_cccd")

    async def test_registry_disagreement_is_422(self, client, factory, registry, load_account):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        account = await factory.account()
        wrong_name = await post_identity(client, factory, account, LAN | {"full_name": "Nguyễn Thị Lâm"})
        assert_problem(wrong_name, 422, "account.identity_mismatch")
        wrong_day = await post_identity(client, factory, account, LAN | {"birth_date": "1988-03-15"})
        assert_problem(wrong_day, 422, "account.identity_mismatch")
        assert (await load_account(account.id)).national_id is None

    async def test_unknown_to_registry_is_422(self, client, factory):
        account = await factory.account()
        assert_problem(await post_identity(client, factory, account, LAN), 422, "account.identity_mismatch")

    async def test_national_id_of_another_account_is_409(self, client, factory, registry, load_account):
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        await factory.account(level=2, national_id=LAN["national_id"], birth_date=date(1988, 3, 14))
        account = await factory.account()
        assert_problem(await post_identity(client, factory, account, LAN), 409, "account.national_id_taken")
        assert (await load_account(account.id)).identity_level == 1

    async def test_other_id_after_verification_is_409(self, client, factory, registry):
        account = await factory.account(level=2, national_id="001086003317", birth_date=date(1986, 9, 2))
        await registry(LAN["national_id"], LAN["full_name"], date(1988, 3, 14))
        r = await post_identity(client, factory, account, LAN)
        assert_problem(r, 409, "account.identity_already_verified")

    async def test_future_birth_date_is_422(self, client, factory):
        account = await factory.account()
        r = await post_identity(
            client, factory, account, LAN | {"national_id": "001399004512", "birth_date": "2099-01-01"}
        )
        assert_problem(r, 422, "account.birth_date_in_future")

    async def test_attempts_are_limited(self, client, factory):
        account = await factory.account()
        codes = [(await post_identity(client, factory, account, LAN)).json()["code"] for _ in range(11)]
        assert codes[:10] == ["account.identity_mismatch"] * 10 and codes[10] == "rate_limited"

    async def test_unauthenticated_is_401(self, client):
        r = await client.post("/v1/me/identity", json=LAN)
        assert_problem(r, 401, "unauthorized")

"""``superapp seed demo`` for identity: registry residents, one login per role, the demo child."""

from __future__ import annotations

from sqlmodel import func, select

from auth.accounts.models import RegistryPerson
from auth.cccd import validate_cccd
from auth.credentials import authenticate_password
from auth.models import Account, DependentLink
from auth.seed import DEMO_CHILD_ID, DEMO_PASSWORD, REGISTRY, seed


async def run_seed(ctx) -> list[str]:
    async with ctx.sessionmaker() as session:
        lines = await seed(ctx, session)
        await session.commit()
    return lines


async def counts(ctx) -> tuple[int, int, int]:
    async with ctx.sessionmaker() as session:
        return tuple(
            [
                (await session.exec(select(func.count()).select_from(t))).one()
                for t in (Account, RegistryPerson, DependentLink)
            ]
        )


class TestDemoData:
    def test_registry_numbers_are_valid_cccd(self):
        for national_id, _name, born, sex, _district, _guardians in REGISTRY:
            assert validate_cccd(national_id, born).sex == sex

    async def test_one_login_per_role_and_agency(self, ctx):
        lines = "\n".join(await run_seed(ctx))
        async with ctx.sessionmaker() as session:
            rows = (await session.exec(select(Account))).all()
        roles = {r for row in rows for r in row.roles}
        assert roles == {"citizen", "admin", "moderator", "agency_officer", "transit_operator", "developer"}
        assert {row.agency_code for row in rows if row.agency_code} == {"HN-GTVT", "HN-TNMT", "HN-XD", "HN-DTHT"}
        for row in rows:
            assert row.phone in lines
        assert DEMO_PASSWORD in lines

    async def test_demo_citizen_is_level_2_with_the_child_linked(self, ctx):
        await run_seed(ctx)
        async with ctx.sessionmaker() as session:
            citizen = (await session.exec(select(Account).where(Account.national_id.is_not(None)))).one()
            links = (await session.exec(select(DependentLink).where(DependentLink.guardian_id == citizen.id))).all()
            child = await session.get(RegistryPerson, DEMO_CHILD_ID)
        assert citizen.identity_level == 2 and citizen.roles == ["citizen"]
        assert [link.national_id for link in links] == [DEMO_CHILD_ID]
        assert citizen.national_id in child.guardian_national_ids

    async def test_demo_logins_work(self, ctx):
        await run_seed(ctx)
        async with ctx.sessionmaker() as session:
            assert await authenticate_password(ctx, session, "0901000002", DEMO_PASSWORD) is not None

    async def test_idempotent(self, ctx):
        await run_seed(ctx)
        first = await counts(ctx)
        again = await run_seed(ctx)
        assert await counts(ctx) == first
        assert any("+84901000001" in line for line in again)

"""Demo data: a published web mini-app owned by the demo developer, created once."""

from __future__ import annotations

from auth.seed import DEMO_LOGINS
from miniapps.platform.seed import seed


class TestSeed:
    async def test_publishes_one_demo_app_once(self, client, ctx, factory):
        phone = next(d.phone for d in DEMO_LOGINS if "developer" in d.roles)
        await factory.account(phone=phone, roles=["developer"])
        async with ctx.sessionmaker() as s:
            first = await seed(ctx, s)
            await s.commit()
        async with ctx.sessionmaker() as s:
            second = await seed(ctx, s)
            await s.commit()
        assert "published" in first[0] and "secret" in first[0]
        assert "secret" not in second[0]
        web = [i for i in (await client.get("/v1/miniapps")).json()["items"] if i["kind"] == "web"]
        assert len(web) == 1 and web[0]["category"] == "education"

    async def test_nothing_without_the_demo_developer(self, client, ctx):
        async with ctx.sessionmaker() as s:
            assert await seed(ctx, s) == []

"""Plugin loading: the example third-party package is found, mounted and migrated; a broken
plugin is logged and skipped; a slug clash is refused."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from hanoi_parking.app import miniapp as parking_miniapp

from auth.models import OAuthClient
from miniapps.sdk import MiniApp
from superapp import plugins
from superapp.app import create_app
from superapp.metadata import load_metadata, migration_locations

GROUP = plugins.ENTRY_POINT_GROUP


def fake_entry_points(*eps: EntryPoint):
    def entry_points(*, group: str):
        return [ep for ep in eps if ep.group == group]

    return entry_points


def ep(name: str, value: str) -> EntryPoint:
    return EntryPoint(name=name, value=value, group=GROUP)


class TestExamplePlugin:
    def test_found_through_its_entry_point(self):
        found = {m.slug: m for m in plugins.discover_miniapps()}
        assert found["parking"] is parking_miniapp
        assert Path(parking_miniapp.migrations).is_dir()

    def test_lives_outside_the_host_packages(self):
        import hanoi_parking

        assert "examples" in Path(hanoi_parking.__file__).resolve().parts
        assert not any(hanoi_parking.__name__.startswith(p) for p in ("superapp", "auth", "miniapps"))

    def test_alembic_sees_its_table_and_migrations(self):
        assert "parking_lots" in load_metadata().tables
        assert parking_miniapp.migrations in migration_locations()

    async def test_mounted_at_its_slug(self, client, ctx):
        from hanoi_parking.seed import seed

        async with ctx.sessionmaker() as session:
            lines = await seed(ctx, session)
            await session.commit()
        assert lines == ["parking: 3 demo lots added"]
        r = await client.get("/v1/parking/lots", params={"district": "HK"})
        assert r.status_code == 200
        assert [lot["code"] for lot in r.json()["items"]] == ["HK-001"]

    async def test_its_errors_use_its_own_messages(self, client):
        r = await client.get("/v1/parking/lots/NOPE", headers={"Accept-Language": "en"})
        assert r.status_code == 404
        assert r.json()["code"] == "parking.lot_not_found"
        assert r.json()["detail"] == "There is no parking lot with code NOPE."

    async def test_gets_its_first_party_client_on_start(self, client, ctx):
        async with ctx.sessionmaker() as s:
            row = await s.get(OAuthClient, "miniapp-parking")
        assert row is not None and row.first_party and row.redirect_uris == ["https://parking.example.vn/callback"]

    async def test_its_notification_category_is_offered_to_citizens(self, client, citizen, factory):
        headers = await factory.headers(citizen.account, ["notifications"])
        r = await client.get("/v1/notifications/preferences", headers=headers)
        assert r.status_code == 200 and "parking.expiring" in r.json()

    async def test_listed_in_the_catalogue(self, client):
        entry = (await client.get("/v1/miniapps/parking", headers={"Accept-Language": "en"})).json()
        assert entry["name"] == "Parking" and entry["kind"] == "builtin"

    async def test_the_installed_set_mounts_it_with_no_host_change(self, ctx):
        application = create_app(ctx.settings, ctx=ctx, run_background_workers=False)  # entry points only
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                r = await c.get("/v1/parking/lots")
        assert r.status_code == 200 and r.json() == {"items": [], "next_cursor": None}


class TestBrokenPlugin:
    def test_logged_and_skipped(self, monkeypatch, caplog):
        monkeypatch.setattr(
            plugins,
            "entry_points",
            fake_entry_points(
                ep("broken", "tests.miniapps.platform.broken_plugin:miniapp"),
                ep("parking", "hanoi_parking.app:miniapp"),
                ep("missing", "no_such_package.app:miniapp"),
            ),
        )
        with caplog.at_level(logging.ERROR, logger="superapp.plugins"):
            found = plugins.discover_miniapps()
        assert [m.slug for m in found] == ["parking"]
        failed = {r.args[0] for r in caplog.records if "failed to load" in r.getMessage()}
        assert failed == {"broken", "missing"}

    async def test_the_host_still_starts(self, monkeypatch, ctx):
        monkeypatch.setattr(
            plugins,
            "entry_points",
            fake_entry_points(
                ep("broken", "tests.miniapps.platform.broken_plugin:miniapp"),
                ep("parking", "hanoi_parking.app:miniapp"),
            ),
        )
        application = create_app(ctx.settings, ctx=ctx, run_background_workers=False)
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                assert (await c.get("/healthz")).status_code == 200
                assert (await c.get("/v1/parking/lots")).status_code == 200
        assert [m.slug for m in application.state.miniapps] == ["parking"]


def impostor(slug: str) -> MiniApp:
    return MiniApp(name=f"impostor-{slug}", slug=slug, title={"en": "Impostor"})


class TestSlugClash:
    def test_second_plugin_with_the_same_slug_is_refused(self, caplog):
        with caplog.at_level(logging.ERROR, logger="superapp.plugins"):
            accepted = plugins.validate_miniapps([parking_miniapp, impostor("parking")])
        assert accepted == [parking_miniapp]
        assert any("already taken" in r.getMessage() and "impostor-parking" in r.getMessage() for r in caplog.records)

    def test_reserved_host_paths_are_refused(self, caplog):
        with caplog.at_level(logging.ERROR, logger="superapp.plugins"):
            accepted = plugins.validate_miniapps([impostor("admin"), impostor("miniapps"), impostor("Bad Slug")])
        assert accepted == []
        assert len([r for r in caplog.records if "refused" in r.getMessage()]) == 3

    def test_clash_through_entry_points(self, monkeypatch, caplog):
        import tests.miniapps.platform.conftest as fixtures

        monkeypatch.setattr(fixtures, "IMPOSTOR", impostor("parking"), raising=False)
        monkeypatch.setattr(
            plugins,
            "entry_points",
            fake_entry_points(
                ep("a-parking", "hanoi_parking.app:miniapp"),
                ep("z-impostor", "tests.miniapps.platform.conftest:IMPOSTOR"),
            ),
        )
        with caplog.at_level(logging.ERROR, logger="superapp.plugins"):
            found = plugins.discover_miniapps()
        assert found == [parking_miniapp]
        assert any("already taken" in r.getMessage() for r in caplog.records)


class TestPluginMigrations:
    def test_its_alembic_branch_runs_with_the_host_config(self, tmp_path):
        """``superapp db upgrade`` finds the plugin's own migrations (an extra version location)."""
        import sqlalchemy as sa

        from alembic import command
        from superapp.migrations import alembic_config
        from superapp.settings import Settings

        db = tmp_path / "plugin-branch.db"
        settings = Settings(environment="test", data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{db}")
        command.upgrade(alembic_config(settings), "parking@head")
        engine = sa.create_engine(f"sqlite:///{db}")
        try:
            with engine.connect() as conn:
                tables = set(sa.inspect(conn).get_table_names())
                versions = {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
        finally:
            engine.dispose()
        assert "parking_lots" in tables and versions == {"parking_0001"}

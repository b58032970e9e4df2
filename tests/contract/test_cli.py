"""The CLI words of CONTRACT.md ("Running it"): `users create` and `clients create` print
exactly the contract's JSON; `seed demo` on a fresh data directory gives logins that work
through the first-party challenge endpoint; the SMS outbox lines carry the contract's fields."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import anyio
import httpx
import pytest
import typer
from asgi_lifespan import LifespanManager
from typer.testing import CliRunner

from superapp import plugins
from superapp.settings import Settings
from tests.contract.conftest import native_sign_in, sms_lines

SUPERAPP = str(Path(sys.executable).with_name("superapp"))


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    """The modules' command groups mounted as ``superapp.cli.main`` mounts them."""
    root = typer.Typer()
    for module in [*plugins.load_core_modules(), *plugins.discover_miniapps()]:
        for name, group in module.cli:
            root.add_typer(group, name=name)
    return root


@pytest.fixture
def run_cli(cli, settings, monkeypatch):
    """Invoke the ``superapp`` command line in-process against the test's database."""
    monkeypatch.setenv("SUPERAPP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SUPERAPP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SUPERAPP_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("SUPERAPP_PAIRWISE_SECRET", settings.pairwise_secret)
    monkeypatch.setenv("SUPERAPP_ENVIRONMENT", "test")
    if settings.redis_url:
        monkeypatch.setenv("SUPERAPP_REDIS_URL", settings.redis_url)

    def run(*args: str):
        result = CliRunner().invoke(cli, list(args))
        return result

    return run


class TestUsersCreate:
    def test_prints_exactly_the_contract_fields(self, run_cli):
        r = run_cli("users", "create", "--phone", "0912345678", "--password", "Thu-Do-Ha-Noi-1010",
                    "--name", "Phạm Văn Bình", "--role", "moderator")
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert set(out) == {"id", "phone", "roles", "identity_level"}
        assert out["phone"] == "+84912345678"
        assert set(out["roles"]) == {"citizen", "moderator"}
        assert out["identity_level"] == 1

    @pytest.mark.parametrize("written,stored", [("+84912340001", "+84912340001"), ("84912340011", "+84912340011")])
    def test_accepts_every_phone_form_and_stores_e164(self, run_cli, written, stored):
        r = run_cli("users", "create", "--phone", written, "--password", "Thu-Do-Ha-Noi-1010")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["phone"] == stored

    def test_national_id_and_birth_date_start_at_level_two(self, run_cli):
        r = run_cli("users", "create", "--phone", "0912340002", "--password", "Thu-Do-Ha-Noi-1010",
                    "--national-id", "001092005530", "--birth-date", "1992-12-01")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["identity_level"] == 2


class TestClientsCreate:
    def test_confidential_client_prints_id_and_secret(self, run_cli):
        r = run_cli("clients", "create", "--name", "Bãi đỗ xe", "--redirect-uri", "https://parking.example.vn/cb",
                    "--scope", "openid", "--scope", "profile")
        assert r.exit_code == 0, r.output
        out = json.loads(r.stdout)
        assert set(out) == {"client_id", "client_secret"} and out["client_secret"]

    def test_public_client_prints_only_its_id(self, run_cli):
        r = run_cli("clients", "create", "--name", "Ứng dụng", "--type", "public", "--first-party",
                    "--redirect-uri", "vn.hanoi.app:/cb", "--scope", "openid")
        assert r.exit_code == 0, r.output
        assert set(json.loads(r.stdout)) == {"client_id"}


class TestSmsOutbox:
    async def test_each_text_is_a_json_line_with_the_contract_fields(self, client, ctx):
        r = await client.post("/v1/accounts", json={"phone": "0912340003", "password": "Thu-Do-Ha-Noi-1010",
                                                    "full_name": "Vũ Thị Mai"})
        assert r.status_code == 201, r.text
        lines = sms_lines(ctx.settings)
        assert len(lines) == 1
        assert set(lines[0]) == {"to", "body", "code", "sent_at"}
        assert lines[0]["to"] == "+84912340003"
        assert re.fullmatch(r"\d{6}", lines[0]["code"]) and lines[0]["code"] in lines[0]["body"]
        assert re.search(r"(Z|[+-]\d{2}:\d{2})$", lines[0]["sent_at"])


@pytest.mark.slow
class TestSeedDemo:
    async def test_printed_demo_login_signs_in_through_the_challenge_endpoint(self, tmp_path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUPERAPP_")}
        env["SUPERAPP_DATA_DIR"] = str(tmp_path / "data")
        # `seed demo` applies pending migrations first, so it works on an empty data directory.
        with anyio.fail_after(300):
            done = await anyio.run_process([SUPERAPP, "seed", "demo"], cwd=tmp_path, env=env, check=False)
        assert done.returncode == 0, done.stderr.decode()
        printed = done.stdout.decode()
        phone, password = re.search(r"(\+84\d{9}) / (\S+) \(citizen, level 2\)", printed).groups()
        client_id = re.search(r"OAuth client \(mobile app[^)]*\): (\S+)", printed).group(1)

        from superapp.app import create_app

        settings = Settings(data_dir=tmp_path / "data", workers_enabled=False, issuer="http://testserver")
        application = create_app(settings, run_background_workers=False)
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                tokens = await native_sign_in(c, client_id, phone, "openid profile health.read", password=password)
                me = (await c.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})).json()
        assert (me["phone"], me["identity_level"]) == (phone, 2)

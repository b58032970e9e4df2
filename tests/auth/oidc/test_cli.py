"""``superapp clients create`` and ``superapp keys rotate``."""

from __future__ import annotations

import asyncio
import json

import pytest
import typer
from sqlmodel import SQLModel, select
from typer.testing import CliRunner

from auth.keys import ensure_keys
from auth.models import OAuthClient, SigningKey
from auth.oidc.cli import clients_cli, keys_cli
from superapp.context import AppContext
from superapp.models import AuditEntry

# Mounted the way ``superapp`` mounts module groups.
root = typer.Typer()
root.add_typer(clients_cli, name="clients")
root.add_typer(keys_cli, name="keys")


@pytest.fixture
def cli_env(settings, monkeypatch):
    """The CLI reads its settings from the environment: point it at this test's database."""
    for name in ("database_url", "secret_key", "pairwise_secret", "redis_prefix"):
        monkeypatch.setenv(f"SUPERAPP_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("SUPERAPP_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("SUPERAPP_REDIS_URL", raising=False)

    async def prepare():
        ctx = AppContext.build(settings)
        async with ctx.engine.begin() as conn:
            await conn.run_sync(SQLModel.metadata.create_all)
        await ensure_keys(ctx)
        await ctx.close()

    asyncio.run(prepare())
    return settings


def read(settings, query):
    async def run():
        ctx = AppContext.build(settings)
        try:
            async with ctx.sessionmaker() as s:
                return (await s.exec(query)).all()
        finally:
            await ctx.close()

    return asyncio.run(run())


class TestClientsCreate:
    def test_confidential_client_prints_id_and_secret(self, cli_env):
        result = CliRunner().invoke(root, ["clients", "create", "--name", "Parking", "--redirect-uri",
                                                  "https://parking.example.vn/cb", "--scope", "openid", "--scope", "profile"])
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        assert out.keys() == {"client_id", "client_secret"}
        (row,) = read(cli_env, select(OAuthClient).where(OAuthClient.client_id == out["client_id"]))
        assert row.scopes == ["openid", "profile"] and row.grant_types == ["authorization_code", "refresh_token"]
        assert row.client_type == "confidential" and not row.first_party
        audit = read(cli_env, select(AuditEntry).where(AuditEntry.target_id == out["client_id"]))
        assert [a.action for a in audit] == ["oauth_client.create"]

    def test_public_first_party_client_has_no_secret(self, cli_env):
        result = CliRunner().invoke(root, ["clients", "create", "--name", "Kiosk", "--type", "public", "--first-party",
                                                  "--redirect-uri", "vn.hanoi.kiosk:/cb"])
        out = json.loads(result.output)
        assert out.keys() == {"client_id"}
        (row,) = read(cli_env, select(OAuthClient).where(OAuthClient.client_id == out["client_id"]))
        assert row.first_party and row.token_endpoint_auth_method == "none"

    def test_client_credentials_grant(self, cli_env):
        result = CliRunner().invoke(root, ["clients", "create", "--name", "Validator", "--grant", "client_credentials",
                                                  "--scope", "transit.validate"])
        out = json.loads(result.output)
        (row,) = read(cli_env, select(OAuthClient).where(OAuthClient.client_id == out["client_id"]))
        assert row.grant_types == ["client_credentials"]

    def test_bad_redirect_uri_exits_with_an_error(self, cli_env):
        result = CliRunner().invoke(root, ["clients", "create", "--name", "Bad", "--redirect-uri", "http://evil.example/cb"])
        assert result.exit_code == 2


class TestKeysRotate:
    def test_rotate_promotes_next_and_publishes_a_new_one(self, cli_env):
        before = {k.kid: k.state for k in read(cli_env, select(SigningKey))}
        result = CliRunner().invoke(root, ["keys", "rotate"])
        assert result.exit_code == 0, result.output
        out = json.loads(result.output)
        next_before = next(kid for kid, state in before.items() if state == "next")
        assert out["active"] == next_before
        after = {k.kid: k.state for k in read(cli_env, select(SigningKey))}
        assert after[out["next"]] == "next" and out["next"] not in before

    def test_rs256_is_available(self, cli_env):
        runner = CliRunner()
        assert runner.invoke(root, ["keys", "rotate", "--alg", "RS256"]).exit_code == 0
        out = json.loads(runner.invoke(root, ["keys", "rotate", "--alg", "RS256"]).output)
        (active,) = read(cli_env, select(SigningKey).where(SigningKey.kid == out["active"]))
        assert active.alg == "RS256"

    def test_unknown_algorithm_is_refused(self, cli_env):
        assert CliRunner().invoke(root, ["keys", "rotate", "--alg", "HS256"]).exit_code == 2

"""``superapp users create``: prints {"id", "phone", "roles", "identity_level"}; bad input writes nothing."""

from __future__ import annotations

import asyncio
import json

import pytest
import typer
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel, func, select
from typer.testing import CliRunner

from auth.accounts.cli import users_cli
from auth.models import Account
from auth.passwords import hasher_for
from superapp.settings import Settings

PASSWORD = "Cau-Long-Bien-1902"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """The ``users`` group as mounted under ``superapp``, on a fresh SQLite file."""
    from superapp.metadata import load_metadata

    db = tmp_path / "cli.db"
    monkeypatch.setenv("SUPERAPP_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setenv("SUPERAPP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SUPERAPP_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("SUPERAPP_ARGON2_MEMORY_COST", "1024")
    monkeypatch.delenv("SUPERAPP_REDIS_URL", raising=False)
    engine = create_engine(f"sqlite:///{db}")
    tables = load_metadata().tables
    SQLModel.metadata.create_all(engine, tables=[tables["accounts"], tables["audit_log"]])
    root = typer.Typer()
    root.add_typer(users_cli, name="users")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(root, ["users", "create", *args])

    run.engine = engine
    yield run
    engine.dispose()


def accounts(engine) -> list[Account]:
    with Session(engine) as session:
        return list(session.exec(select(Account)).all())


def count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Account)).one()


class TestCreate:
    def test_prints_the_contract_json(self, cli):
        result = cli("--phone", "0912345678", "--password", PASSWORD, "--name", "Nguyễn Văn An")
        assert result.exit_code == 0, result.output
        printed = json.loads(result.stdout)
        assert set(printed) == {"id", "phone", "roles", "identity_level"}
        assert printed["phone"] == "+84912345678"
        assert printed["roles"] == ["citizen"] and printed["identity_level"] == 1
        [row] = accounts(cli.engine)
        assert str(row.id) == printed["id"] and row.status == "active" and row.full_name == "Nguyễn Văn An"

    def test_audited_as_an_operator_action(self, cli):
        from sqlalchemy import text

        cli("--phone", "0912345678", "--password", PASSWORD, "--role", "admin")
        with cli.engine.connect() as conn:
            rows = conn.execute(text("SELECT action, actor_label FROM audit_log")).all()
        assert [tuple(r) for r in rows] == [("account.created_by_operator", "cli")]

    def test_password_works(self, cli):
        cli("--phone", "84912345678", "--password", PASSWORD)
        [row] = accounts(cli.engine)
        ok, _ = asyncio.run(hasher_for(Settings()).verify(PASSWORD, row.password_hash))
        assert ok

    def test_roles_and_agency(self, cli):
        result = cli(
            "--phone",
            "+84912345678",
            "--password",
            PASSWORD,
            "--role",
            "agency_officer",
            "--role",
            "moderator",
            "--agency",
            "HN-GTVT",
            "--email",
            "Officer@HaNoi.gov.vn",
        )
        assert json.loads(result.stdout)["roles"] == ["agency_officer", "citizen", "moderator"]
        [row] = accounts(cli.engine)
        assert row.agency_code == "HN-GTVT" and row.email == "officer@hanoi.gov.vn"

    def test_national_id_gives_level_2(self, cli):
        result = cli(
            "--phone",
            "0912345678",
            "--password",
            PASSWORD,
            "--national-id",
            "001188004512",
            "--birth-date",
            "1988-03-14",
        )
        assert json.loads(result.stdout)["identity_level"] == 2
        [row] = accounts(cli.engine)
        assert row.national_id == "001188004512" and str(row.birth_date) == "1988-03-14"


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--phone", "12345", "--password", PASSWORD), "account.invalid_phone"),
            (("--phone", "0912345678", "--password", "password"), "account.password_too_common"),
            (("--phone", "0912345678", "--password", "short"), "account.password_too_short"),
            (("--phone", "0912345678", "--password", PASSWORD, "--role", "mayor"), "account.invalid_role"),
            (("--phone", "0912345678", "--password", PASSWORD, "--role", "agency_officer"), "account.agency_required"),
            (
                (
                    "--phone",
                    "0912345678",
                    "--password",
                    PASSWORD,
                    "--national-id",
                    "001288004512",
                    "--birth-date",
                    "1988-03-14",
                ),
                "account.invalid_cccd",
            ),
            (
                ("--phone", "0912345678", "--password", PASSWORD, "--national-id", "001188004512"),
                "account.identity_incomplete",
            ),
            (
                (
                    "--phone",
                    "0912345678",
                    "--password",
                    PASSWORD,
                    "--national-id",
                    "001188004512",
                    "--birth-date",
                    "14/03/1988",
                ),
                "--birth-date must be YYYY-MM-DD",
            ),
        ],
    )
    def test_refused_and_nothing_written(self, cli, args, message):
        result = cli(*args)
        assert result.exit_code != 0
        assert message in result.output
        assert count(cli.engine) == 0

    def test_duplicate_phone(self, cli):
        assert cli("--phone", "0912345678", "--password", PASSWORD).exit_code == 0
        again = cli("--phone", "+84912345678", "--password", PASSWORD)
        assert again.exit_code == 1 and "account.phone_taken" in again.output
        assert count(cli.engine) == 1

    def test_message_is_readable(self, cli):
        result = cli("--phone", "12345", "--password", PASSWORD)
        assert "The phone number is not a valid Vietnamese number." in result.output

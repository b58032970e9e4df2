"""``superapp users …``: accounts created by an operator (staff, or citizens vouched for in person)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Annotated, Any

import typer

from superapp.errors import AppError
from superapp.settings import Settings

users_cli = typer.Typer(no_args_is_help=True, help="Citizen and staff accounts.")


class UsageProblem(Exception):
    """Bad input found before touching the database."""


def _parse_birth_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise UsageProblem(f"--birth-date must be YYYY-MM-DD, not {value!r}") from exc


async def create_user(
    settings: Settings,
    *,
    phone: str,
    password: str,
    full_name: str | None = None,
    email: str | None = None,
    roles: list[str] | None = None,
    agency_code: str | None = None,
    national_id: str | None = None,
    birth_date: date | None = None,
) -> dict[str, Any]:
    """Create an active account (no OTP) in one transaction; the contract's JSON answer."""
    from auth.accounts.service import create_account
    from superapp.audit import record
    from superapp.context import AppContext
    from superapp.db import unit_of_work

    ctx = AppContext.build(settings)
    try:
        async with unit_of_work(ctx.sessionmaker) as session:
            account = await create_account(
                session,
                settings,
                phone=phone,
                password=password,
                full_name=full_name,
                email=email,
                roles=roles or (),
                agency_code=agency_code,
                national_id=national_id,
                birth_date=birth_date,
            )
            await record(
                session,
                action="account.created_by_operator",
                target_type="account",
                target_id=account.id,
                actor_label="cli",
                detail={"roles": list(account.roles), "identity_level": account.identity_level},
            )
            result = {
                "id": str(account.id),
                "phone": account.phone,
                "roles": list(account.roles),
                "identity_level": account.identity_level,
            }
    finally:
        await ctx.close()
    return result


def _explain(error: AppError) -> str:
    from superapp import i18n

    i18n.load_package("superapp")
    i18n.load_package("auth")
    return f"{i18n.t(error.message_key, 'en', **error.params)} ({error.code})"


@users_cli.command("create")
def create(
    phone: Annotated[str, typer.Option("--phone", help="0912345678, +84912345678 or 84912345678")],
    password: Annotated[str, typer.Option("--password", help="At least 8 characters, not a common one")],
    name: Annotated[str | None, typer.Option("--name", help="Full name")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="Repeat for several roles")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Agency code of an agency officer")] = None,
    national_id: Annotated[str | None, typer.Option("--national-id", help="CCCD, 12 digits")] = None,
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="YYYY-MM-DD")] = None,
) -> None:
    """Create an active account at once (no OTP) and print {"id", "phone", "roles", "identity_level"}.

    With --national-id and --birth-date the account starts at identity level 2: the operator
    vouches for the person, the registry is not consulted.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        result = asyncio.run(
            create_user(
                Settings(),
                phone=phone,
                password=password,
                full_name=name,
                email=email,
                roles=role,
                agency_code=agency,
                national_id=national_id,
                birth_date=_parse_birth_date(birth_date),
            )
        )
    except UsageProblem as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except AppError as exc:
        typer.echo(f"error: {_explain(exc)}", err=True)
        raise typer.Exit(1) from exc
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(f"error: the database is not ready ({exc.orig}); run `superapp db upgrade` first", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(result, ensure_ascii=False))

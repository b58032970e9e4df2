"""``superapp users …`` (filled in by the accounts work)."""

import typer

users_cli = typer.Typer(no_args_is_help=True, help="Citizen and staff accounts.")

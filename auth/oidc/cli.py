"""``superapp clients …`` and ``superapp keys …`` (filled in by the OIDC work)."""

import typer

clients_cli = typer.Typer(no_args_is_help=True, help="OAuth clients.")
keys_cli = typer.Typer(no_args_is_help=True, help="Token-signing keys.")

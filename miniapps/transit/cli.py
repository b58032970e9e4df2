"""``superapp transit …``: operator commands."""

from __future__ import annotations

import typer

transit_cli = typer.Typer(no_args_is_help=True, help="Transit tickets.")


@transit_cli.callback()
def transit() -> None:
    """Transit tickets: operator commands."""


@transit_cli.command("rotate-key")
def rotate_key() -> None:
    """Promote the next transit key to active and publish a new next key."""
    from superapp.cli import echo_json, run_async
    from superapp.context import AppContext
    from superapp.db import unit_of_work
    from superapp.metadata import load_metadata
    from superapp.settings import Settings

    async def main() -> dict:
        load_metadata()
        from miniapps.transit import operations

        ctx = AppContext.build(Settings())
        try:
            async with unit_of_work(ctx.sessionmaker) as session:
                return await operations.rotate_key(ctx, session, None)
        finally:
            await ctx.close()

    echo_json(run_async(main()))

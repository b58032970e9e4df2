"""``superapp health …``: ``import BUNDLE.json`` loads a FHIR R4 Bundle into the local store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

health_cli = typer.Typer(no_args_is_help=True, help="Health record (FHIR R4).")
MAX_BUNDLE_BYTES = 100 * 1024 * 1024


@health_cli.callback()
def health_group() -> None:
    """Health record (FHIR R4)."""


async def run_import(settings, data) -> dict:
    """Import ``data`` in one transaction; raises ``BundleRejected`` (nothing written)."""
    from miniapps.health.importer import import_bundle
    from superapp import plugins
    from superapp.audit import record
    from superapp.context import AppContext
    from superapp.db import unit_of_work

    plugins.import_models([*plugins.load_core_modules(), *plugins.discover_miniapps()])
    ctx = AppContext.build(settings)
    try:
        async with unit_of_work(ctx.sessionmaker) as session:
            result = await import_bundle(session, data)
            await record(session, action="health.bundle_imported", target_type="fhir_bundle",
                         target_id=str(data.get("id") or "-")[:100], actor_label="cli", detail={"by_type": result.by_type})
    finally:
        await ctx.close()
    return {"imported": result.total, "by_type": result.by_type}


@health_cli.command("import")
def import_command(
    bundle: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle (JSON)", exists=True, dir_okay=False)],
) -> None:
    """Validate a FHIR Bundle and load it; a bad Bundle is refused whole with its reasons."""
    from miniapps.health.errors import BundleRejected
    from superapp.cli import echo_json, run_async
    from superapp.settings import Settings

    if bundle.stat().st_size > MAX_BUNDLE_BYTES:
        typer.echo(f"refused: the file is larger than {MAX_BUNDLE_BYTES} bytes", err=True)
        raise typer.Exit(2)
    try:
        data = json.loads(bundle.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        typer.echo(f"refused: not valid JSON ({exc})", err=True)
        raise typer.Exit(2) from exc
    try:
        echo_json(run_async(run_import(Settings(), data)))
    except BundleRejected as exc:
        typer.echo(f"refused: {len(exc.reasons)} problem(s), nothing was imported", err=True)
        for reason in exc.reasons:
            typer.echo(f"- {reason}", err=True)
        raise typer.Exit(1) from exc

"""The ``superapp`` command line: serve, worker, db, seed, and every module's own groups."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated

import typer

from superapp import plugins
from superapp.settings import Settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Hanoi citizen super-app backend.")
db_app = typer.Typer(no_args_is_help=True, help="Database migrations.")
seed_app = typer.Typer(no_args_is_help=True, help="Demo data.")
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")


def echo_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind")] = 8000,
    workers: Annotated[bool, typer.Option(help="Run background workers in this process")] = True,
) -> None:
    """Apply pending migrations, then serve the API, pages and background workers."""
    import uvicorn

    from superapp.app import create_app
    from superapp.middleware import configure_logging
    from superapp.migrations import upgrade

    settings = Settings(host=host, port=port)
    configure_logging(settings.log_level, settings.log_json)
    upgrade(settings)
    application = create_app(settings, run_background_workers=workers and settings.workers_enabled)
    uvicorn.run(application, host=host, port=port, log_config=None, proxy_headers=True, access_log=False)


@app.command()
def worker(once: Annotated[bool, typer.Option(help="Drain due jobs once and exit")] = False) -> None:
    """Run the background workers alone (outbox delivery and periodic jobs)."""
    from superapp.context import AppContext
    from superapp.middleware import configure_logging
    from superapp.workers import run_workers

    settings = Settings()
    configure_logging(settings.log_level, settings.log_json)

    async def main() -> None:
        modules = plugins.load_core_modules()
        minis = plugins.discover_miniapps()
        plugins.import_models([*modules, *minis])
        ctx = AppContext.build(settings)
        try:
            if once:
                from superapp.outbox import drain

                typer.echo(f"ran {await drain(ctx)} jobs")
                return
            stop = asyncio.Event()
            import signal

            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await run_workers(ctx, stop)
        finally:
            await ctx.close()

    asyncio.run(main())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "heads") -> None:
    """Apply pending migrations."""
    from superapp.migrations import upgrade

    upgrade(Settings(), revision)
    typer.echo("database is up to date")


@seed_app.command("demo")
def seed_demo() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from superapp.seeding import run_seed

    for line in asyncio.run(run_seed(Settings())):
        typer.echo(line)


def _install_module_clis() -> None:
    try:
        modules = [*plugins.load_core_modules(), *plugins.discover_miniapps()]
    except Exception:  # noqa: BLE001 - the base commands must work even if a module is broken
        logging.getLogger(__name__).exception("cannot load module CLIs")
        return
    for m in modules:
        for name, group in m.cli:
            app.add_typer(group, name=name)


def run_async(coro):
    """Helper for module CLIs: run a coroutine to completion."""
    return asyncio.run(coro)


def main() -> None:
    _install_module_clis()
    app()

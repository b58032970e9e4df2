"""``superapp clients …`` and ``superapp keys …``."""

from __future__ import annotations

from typing import Annotated

import typer

clients_cli = typer.Typer(no_args_is_help=True, help="OAuth clients.")
keys_cli = typer.Typer(no_args_is_help=True, help="Token-signing keys.")


def _context():
    from superapp import plugins
    from superapp.context import AppContext
    from superapp.settings import Settings

    plugins.import_models(plugins.load_core_modules())
    return AppContext.build(Settings())


@clients_cli.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Display name")],
    redirect_uri: Annotated[list[str] | None, typer.Option("--redirect-uri", help="Registered redirect URI")] = None,
    client_type: Annotated[str, typer.Option("--type", help="public | confidential")] = "confidential",
    scope: Annotated[list[str] | None, typer.Option("--scope", help="A scope the client may be granted")] = None,
    grant: Annotated[list[str] | None, typer.Option("--grant", help="Grant type")] = None,
    first_party: Annotated[bool, typer.Option("--first-party", help="Account-id sub, no consent page")] = False,
    post_logout_redirect_uri: Annotated[list[str] | None, typer.Option("--post-logout-redirect-uri")] = None,
    backchannel_logout_uri: Annotated[str | None, typer.Option("--backchannel-logout-uri")] = None,
) -> None:
    """Register a client; prints {"client_id", "client_secret"?} (the secret is shown once)."""
    from auth.oidc.clients import InvalidClientMetadata, create_client
    from superapp.audit import record
    from superapp.cli import echo_json, run_async
    from superapp.db import unit_of_work

    async def main() -> dict:
        ctx = _context()
        try:
            async with unit_of_work(ctx.sessionmaker) as session:
                created = await create_client(
                    session,
                    name=name,
                    redirect_uris=redirect_uri or [],
                    client_type=client_type,
                    scopes=[s for item in (scope or []) for s in item.split()],
                    grant_types=[g for item in (grant or []) for g in item.split()] or None,
                    first_party=first_party,
                    post_logout_redirect_uris=post_logout_redirect_uri or [],
                    backchannel_logout_uri=backchannel_logout_uri,
                )
                await record(
                    session, action="oauth_client.create", target_type="oauth_client",
                    target_id=created.client.client_id, actor_label="cli",
                    detail={"type": client_type, "first_party": first_party, "scopes": created.client.scopes},
                )
            return created.as_output()
        finally:
            await ctx.close()

    try:
        echo_json(run_async(main()))
    except InvalidClientMetadata as exc:
        typer.echo(f"invalid client metadata: {exc.extra}", err=True)
        raise typer.Exit(2) from exc


@keys_cli.command("rotate")
def rotate(alg: Annotated[str, typer.Option("--alg", help="ES256 (default) or RS256")] = "ES256") -> None:
    """Promote the published next key to signing, retire the old one, publish a new next key."""
    from auth.keys import ALLOWED_ALGS
    from auth.keys import rotate as rotate_keys
    from superapp.audit import record
    from superapp.cli import echo_json, run_async
    from superapp.db import unit_of_work

    if alg not in ALLOWED_ALGS:
        typer.echo(f"--alg must be one of {', '.join(ALLOWED_ALGS)}", err=True)
        raise typer.Exit(2)

    async def main() -> dict:
        ctx = _context()
        try:
            async with unit_of_work(ctx.sessionmaker) as session:
                result = await rotate_keys(session, ctx.settings.secrets["secret_key"], alg)
                await record(session, action="signing_key.rotate", target_type="signing_key",
                             target_id=result["active"], actor_label="cli", detail=result)
            return result
        finally:
            await ctx.close()

    echo_json(run_async(main()))

"""The identity module as the host sees it."""

from auth.accounts.cli import users_cli
from auth.client_invalidation import start_listener
from auth.accounts.endpoints import router as accounts_router
from auth.accounts.privacy import erase_auth, export_auth
from auth.oidc.cli import clients_cli, keys_cli
from auth.oidc.endpoints import router as oidc_router
from auth.oidc.token_endpoint import hot_route as token_route
from auth.seed import seed
from miniapps.sdk import Module

module = Module(
    name="auth",
    routers=[accounts_router, oidc_router],
    models=["auth.models", "auth.oidc.models", "auth.oidc.backchannel", "auth.accounts.models"],
    locales_package="auth",
    seed=seed,
    seed_order=10,
    cli=[("users", users_cli), ("clients", clients_cli), ("keys", keys_cli)],
    export=export_auth,
    erase=erase_auth,
    hot_routes=[token_route],
    startup=[start_listener],
)

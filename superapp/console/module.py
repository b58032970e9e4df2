"""The admin console at ``/admin``: server-rendered pages driving the staff JSON APIs."""

from miniapps.sdk import Module
from superapp.console.pages import agency, auth, broadcasts, home, media, miniapps, moderation, stats, transit
from superapp.console.registration import ensure_console_client, seed

module = Module(
    name="console",
    routers=[
        auth.router,
        home.router,
        media.router,
        moderation.router,
        agency.router,
        stats.router,
        miniapps.router,
        broadcasts.router,
        transit.router,
    ],
    locales_package="superapp.console",
    startup=[ensure_console_client],
    seed=seed,
    seed_order=90,
)

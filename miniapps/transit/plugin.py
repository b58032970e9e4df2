"""The transit mini-app as the host sees it (entry point ``superapp.miniapps: transit``)."""

from __future__ import annotations

from miniapps.sdk import MiniApp
from miniapps.transit import personal_data, tasks  # noqa: F401 - registers the periodic job
from miniapps.transit.admin_endpoints import router as admin_router
from miniapps.transit.cli import transit_cli
from miniapps.transit.endpoints import router
from miniapps.transit.keys import ensure_keys
from miniapps.transit.notifier import CATEGORIES
from miniapps.transit.seed import seed

miniapp = MiniApp(
    name="transit",
    slug="transit",
    title={"vi": "Vé xe buýt", "en": "Bus tickets"},
    description={"vi": "Mua vé, xuất trình mã QR động.", "en": "Buy passes and show a dynamic QR."},
    category="transport",
    scopes=["openid", "transit"],
    router=router,
    routers=[admin_router],
    models=["miniapps.transit.models"],
    notification_categories=CATEGORIES,
    locales_package="miniapps.transit",
    seed=seed,
    seed_order=200,
    cli=[("transit", transit_cli)],
    startup=[ensure_keys],
    export=personal_data.export,
    erase=personal_data.erase,
)

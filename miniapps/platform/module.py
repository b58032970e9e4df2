"""The mini-app platform as the host sees it: catalogue, silent SSO, consent ledger,
developer lifecycle, admin review and webhooks."""

from miniapps.platform import webhooks  # noqa: F401 - registers the outbox handler
from miniapps.platform.api.admin import router as admin_router
from miniapps.platform.api.catalogue import router as catalogue_router
from miniapps.platform.api.consents import router as consents_router
from miniapps.platform.api.developer import router as developer_router
from miniapps.platform.notices import CATEGORY as REVIEW_CATEGORY
from miniapps.platform.privacy import erase, export
from miniapps.platform.seed import seed
from miniapps.sdk import Module

module = Module(
    name="miniapps",
    routers=[catalogue_router, consents_router, developer_router, admin_router],
    models=["miniapps.platform.models"],
    notification_categories=[REVIEW_CATEGORY],
    locales_package="miniapps",
    seed=seed,
    seed_order=50,
    export=export,
    erase=erase,
)

"""The notification hub as the host sees it."""

from miniapps.sdk import Module
from notifications import tasks  # noqa: F401 - registers the outbox handlers
from notifications.categories import BUILTIN
from notifications.endpoints import router as citizen_router
from notifications.personal_data import erase, export
from notifications.publish_endpoints import router as publish_router

module = Module(
    name="notifications",
    routers=[citizen_router, publish_router],
    models=["notifications.models"],
    notification_categories=list(BUILTIN),
    locales_package="notifications",
    seed_order=30,
    export=export,
    erase=erase,
)

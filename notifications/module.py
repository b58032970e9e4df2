"""The notification hub as the host sees it."""

from miniapps.sdk import Module
from notifications.categories import BUILTIN

module = Module(
    name="notifications",
    models=["notifications.models"],
    notification_categories=list(BUILTIN),
    locales_package="notifications",
    seed_order=30,
)

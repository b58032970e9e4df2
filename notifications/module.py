"""The notification hub as the host sees it (filled in by the notifications work)."""

from miniapps.sdk import Module

module = Module(name="notifications", locales_package="notifications", seed_order=30)

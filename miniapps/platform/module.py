"""The mini-app platform as the host sees it (filled in by the platform work)."""

from miniapps.sdk import Module

module = Module(name="miniapps", locales_package="miniapps", seed_order=50)

"""The feedback module as the host sees it (filled in by the feedback work)."""

from miniapps.sdk import Module

module = Module(name="feedback", locales_package="feedback", seed_order=40)

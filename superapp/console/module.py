"""The admin console (filled in by the console work)."""

from miniapps.sdk import Module

module = Module(name="console", seed_order=90)

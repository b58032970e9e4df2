"""The mini-app SDK (:mod:`miniapps.sdk`), the platform (catalogue, SSO, developer lifecycle)
and the built-in mini-apps (``transit``, ``health``), each plugged in by entry point."""

from miniapps.sdk import MiniApp, Module, NotificationCategory

__all__ = ["MiniApp", "Module", "NotificationCategory"]

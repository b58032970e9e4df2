"""Notification categories: the hub's own plus those every module and mini-app declares.

Categories are static declarations (like outbox handlers), so the registry is the union of:
the hub's built-ins, the core modules and installed mini-apps (found the same way the host finds
them), and whatever an app built with an explicit module list registers through
:func:`register_from_app`. A category is never removed at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from miniapps.sdk import NotificationCategory

log = logging.getLogger(__name__)

SYSTEM = "system"
ACCOUNT_SECURITY = "account.security"
BROADCAST = "broadcast"
EMERGENCY = "broadcast.emergency"
MINIAPP = "miniapp"

BUILTIN: tuple[NotificationCategory, ...] = (
    NotificationCategory(SYSTEM, {"vi": "Thông báo hệ thống", "en": "System notices"}),
    NotificationCategory(ACCOUNT_SECURITY, {"vi": "Bảo mật tài khoản", "en": "Account security"}, critical=True),
    NotificationCategory(BROADCAST, {"vi": "Tin từ thành phố", "en": "News from the city"}),
    NotificationCategory(EMERGENCY, {"vi": "Cảnh báo khẩn cấp", "en": "Emergency alerts"}, critical=True),
    NotificationCategory(MINIAPP, {"vi": "Tin từ ứng dụng nhỏ", "en": "Mini-app messages"}),
)

_registered: dict[str, NotificationCategory] = {}
_discovered = False


def _add(categories: Iterable[NotificationCategory]) -> None:
    for cat in categories:
        known = _registered.get(cat.code)
        if known is not None and known != cat:
            log.warning("notification category %r declared twice; keeping the first", cat.code)
            continue
        _registered[cat.code] = cat


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    _add(BUILTIN)
    from superapp import plugins

    try:
        modules: list[Any] = [*plugins.load_core_modules(), *plugins.discover_miniapps()]
    except Exception:  # noqa: BLE001 - a broken plugin must not hide the other categories
        log.exception("could not list modules for notification categories")
        modules = []
    for m in modules:
        _add(getattr(m, "notification_categories", []) or [])


def register(categories: Iterable[NotificationCategory]) -> None:
    """Add categories declared outside the discovered modules (e.g. a test's own module)."""
    _discover()
    _add(categories)


def register_from_app(app: Any) -> None:
    """Add the categories of the modules and mini-apps mounted in ``app``."""
    state = app.state
    for m in [*getattr(state, "modules", []), *getattr(state, "miniapps", [])]:
        register(getattr(m, "notification_categories", []) or [])


def get(code: str) -> NotificationCategory | None:
    _discover()
    return _registered.get(code)


def all_categories() -> list[NotificationCategory]:
    _discover()
    return sorted(_registered.values(), key=lambda c: c.code)

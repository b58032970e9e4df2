"""Finding modules and mini-apps.

Core modules come from a fixed list of packages (``<package>.module:module``); mini-apps from the
entry-point group ``superapp.miniapps``. Each plugin is loaded on its own: a broken one is logged
and skipped, a slug that clashes with a reserved path or another plugin is refused.
"""

from __future__ import annotations

import importlib
import logging
import re
from importlib.metadata import entry_points

from miniapps.sdk import MiniApp, Module

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "superapp.miniapps"
CORE_MODULES = ("auth", "notifications", "feedback", "miniapps.platform", "superapp.console")
RESERVED_SLUGS = frozenset(
    {"auth", "accounts", "me", "miniapps", "developer", "admin", "agency", "feedback", "notifications",
     "devices", "oauth", "openid", "open311", "healthz", "readyz", "docs", "static", "console", "metrics"}
)
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


def load_core_modules(names: tuple[str, ...] = CORE_MODULES) -> list[Module]:
    modules = []
    for name in names:
        try:
            mod = importlib.import_module(f"{name}.module")
        except ModuleNotFoundError as exc:
            if exc.name in (name, f"{name}.module"):
                continue
            raise
        modules.append(mod.module)
    return modules


def validate_miniapps(candidates: list[MiniApp]) -> list[MiniApp]:
    accepted: dict[str, MiniApp] = {}
    for app in candidates:
        if not isinstance(app, MiniApp):
            log.error("plugin %r is not a MiniApp; skipped", app)
            continue
        if not SLUG_RE.match(app.slug or ""):
            log.error("mini-app %r: slug %r is not valid; refused", app.name, app.slug)
            continue
        if app.slug in RESERVED_SLUGS:
            log.error("mini-app %r: slug %r is reserved by the host; refused", app.name, app.slug)
            continue
        if app.slug in accepted:
            log.error("mini-app %r: slug %r already taken by %r; refused", app.name, app.slug, accepted[app.slug].name)
            continue
        accepted[app.slug] = app
    return list(accepted.values())


def discover_miniapps(group: str = ENTRY_POINT_GROUP) -> list[MiniApp]:
    """Load every installed mini-app, each on its own."""
    found: list[MiniApp] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, MiniApp):
                obj = obj()
            found.append(obj)
        except Exception:  # noqa: BLE001 - one broken plugin never takes the host down
            log.exception("mini-app plugin %r (%s) failed to load; skipped", ep.name, ep.value)
    return validate_miniapps(found)


def import_models(modules: list[Module]) -> None:
    for m in modules:
        for path in m.models:
            importlib.import_module(path)

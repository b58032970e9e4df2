"""What a module or a mini-app declares to the host.

A first-class module (``auth``, ``feedback``, ``notifications``, the mini-app platform) exposes
a :class:`Module` as ``<package>.module:module``. A mini-app is a :class:`MiniApp` found through
the entry-point group ``superapp.miniapps``; the host mounts its ``router`` at ``/v1/{slug}``,
its ``routers`` as they are (e.g. ``/v1/admin/...``), imports its ``models`` so that Alembic and
the tables see them, registers its notification categories, loads its ``locales/``, adds its
CLI group, runs its startup hooks, and creates its first-party OAuth client if missing.

Example (``pyproject.toml`` of a plugin package)::

    [project.entry-points."superapp.miniapps"]
    parking = "hanoi_parking.app:miniapp"
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uuid

    import typer
    from fastapi import APIRouter
    from sqlmodel.ext.asyncio.session import AsyncSession
    from starlette.routing import BaseRoute

    from superapp.context import AppContext

SeedFn = Callable[["AppContext", "AsyncSession"], Awaitable[list[str]]]
# Personal data: ``export`` returns this module's data about an account (JSON-able);
# ``erase`` removes or anonymises it, in the caller's transaction.
ExportFn = Callable[["AppContext", "AsyncSession", "uuid.UUID"], Awaitable[dict[str, Any]]]
EraseFn = Callable[["AppContext", "AsyncSession", "uuid.UUID"], Awaitable[None]]
StartupFn = Callable[["AppContext"], Awaitable[None]]


@dataclass(frozen=True)
class NotificationCategory:
    """A kind of notification a module sends; citizens set inbox/push preferences per category.

    ``critical`` categories ignore preferences (e.g. a revoked ticket, an account security alert).
    """

    code: str
    name: dict[str, str]
    critical: bool = False
    default_push: bool = True


@dataclass
class Module:
    name: str
    routers: list[APIRouter] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    notification_categories: list[NotificationCategory] = field(default_factory=list)
    locales_package: str | None = None
    seed: SeedFn | None = None
    seed_order: int = 100
    # CLI groups added to ``superapp``: e.g. ``[("health", health_cli)]`` → ``superapp health …``.
    cli: list[tuple[str, typer.Typer]] = field(default_factory=list)
    startup: list[StartupFn] = field(default_factory=list)
    # Alembic: a folder of this package's own migrations (third-party plugins).
    migrations: str | None = None
    export: ExportFn | None = None
    erase: EraseFn | None = None
    # Plain Starlette routes matched before every router, for the few endpoints every app start
    # hits (the token endpoint): no router walk, no dependency solving. The same endpoint is
    # also declared in ``routers`` as usual, which documents it in the OpenAPI.
    hot_routes: list[BaseRoute] = field(default_factory=list)


@dataclass
class MiniApp(Module):
    """A mini-app: a module that also has a slug, a catalogue entry and a first-party client."""

    slug: str = ""
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    category: str = "utilities"
    icon_url: str | None = None
    scopes: list[str] = field(default_factory=list)
    router: APIRouter | None = None
    client_redirect_uris: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def client_id(self) -> str:
        return f"miniapp-{self.slug}"

    @property
    def launch_url(self) -> str:
        return f"/v1/{self.slug}"

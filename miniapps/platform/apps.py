"""One view of a mini-app, built-in (a ``MiniApp`` plugin) or web (a ``WebMiniApp`` row).

Catalogue ids: a built-in app is known by its slug, a web app by its UUID.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.platform import repository
from miniapps.platform.errors import MiniAppNotFound
from miniapps.platform.models import WebMiniApp
from miniapps.sdk import MiniApp


def pick(texts: dict[str, str] | None, lang: str) -> str:
    """The text in ``lang``, else Vietnamese, else English, else any."""
    texts = texts or {}
    return texts.get(lang) or texts.get("vi") or texts.get("en") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class AppView:
    id: str
    client_id: str
    name: dict[str, str]
    description: dict[str, str]
    icon_url: str | None
    category: str
    kind: str  # builtin | web
    launch_url: str
    scopes: tuple[str, ...]
    status: str  # built-ins are always "published"
    first_party: bool
    web: WebMiniApp | None = None

    @property
    def is_published(self) -> bool:
        return self.status == "published"


def from_builtin(mini: MiniApp) -> AppView:
    return AppView(
        id=mini.slug,
        client_id=mini.client_id,
        name=dict(mini.title) or {"vi": mini.name},
        description=dict(mini.description),
        icon_url=mini.icon_url,
        category=mini.category,
        kind="builtin",
        launch_url=str(mini.extra.get("launch_url") or mini.launch_url),
        scopes=tuple(mini.scopes),
        status="published",
        first_party=True,
    )


def from_web(app: WebMiniApp) -> AppView:
    return AppView(
        id=str(app.id),
        client_id=app.client_id,
        name=dict(app.name),
        description=dict(app.description),
        icon_url=app.icon_url,
        category=app.category,
        kind="web",
        launch_url=app.home_url,
        scopes=tuple(app.scopes),
        status=app.status,
        first_party=False,
        web=app,
    )


async def resolve(session: AsyncSession, builtins: list[MiniApp], app_id: str) -> AppView:
    """The app behind a catalogue id, whatever its status (404 if there is none)."""
    for mini in builtins:
        if mini.slug == app_id:
            return from_builtin(mini)
    uid = repository.parse_uuid(app_id)
    web = await repository.get(session, uid) if uid is not None else None
    if web is None:
        raise MiniAppNotFound()
    return from_web(web)


async def resolve_client(session: AsyncSession, builtins: list[MiniApp], client_id: str) -> AppView | None:
    """The app owning OAuth client ``client_id`` (None for clients that are not mini-apps)."""
    for mini in builtins:
        if mini.client_id == client_id:
            return from_builtin(mini)
    web = await repository.get_by_client_id(session, client_id)
    return from_web(web) if web is not None else None

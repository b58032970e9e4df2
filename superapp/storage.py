"""Media storage: an interface with a local-directory implementation.

Objects are addressed by a key such as ``feedback/2026/11/<uuid>.jpg``. The default store
writes under ``SUPERAPP_DATA_DIR/media``; an S3-compatible store implements the same
:class:`Storage` protocol and is installed with :func:`use_storage` (``ctx.cache`` holds it, so
tests and deployments can swap it without a module-level singleton).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import anyio

if TYPE_CHECKING:
    from superapp.context import AppContext

KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
CACHE_KEY = "storage"


class InvalidKey(ValueError):
    """A key that could escape the store's root or holds characters the store refuses."""


def check_key(key: str) -> str:
    if len(key) > 512 or not KEY_RE.match(key) or ".." in key.split("/"):
        raise InvalidKey(key)
    return key


@runtime_checkable
class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes | None:
        """The object's bytes, or ``None`` if there is no such object."""

    async def delete(self, key: str) -> None: ...


class LocalStorage:
    """Objects as files under ``root``; writes go to a temporary file renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)

        await anyio.to_thread.run_sync(write)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)

        def read() -> bytes | None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(read)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


def storage_for(ctx: AppContext) -> Storage:
    """The context's media store (a :class:`LocalStorage` under the data directory by default)."""
    store = ctx.cache.get(CACHE_KEY)
    if store is None:
        store = LocalStorage(ctx.settings.data_dir / "media")
        ctx.cache[CACHE_KEY] = store
    return store


def use_storage(ctx: AppContext, store: Storage) -> None:
    """Install another implementation (e.g. an S3-compatible store) on this context."""
    ctx.cache[CACHE_KEY] = store

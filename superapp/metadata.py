"""All tables of the host, its modules and installed mini-apps, in one SQLModel metadata."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from superapp import plugins


def load_metadata(miniapps=None) -> MetaData:
    import superapp.models  # noqa: F401

    modules = plugins.load_core_modules()
    minis = plugins.discover_miniapps() if miniapps is None else miniapps
    plugins.import_models([*modules, *minis])
    return SQLModel.metadata


def host_table_names(miniapps=None) -> set[str]:
    """Tables whose migrations live in the host's ``alembic/`` history: every table except
    those of installed plugins that ship their own migrations (``MiniApp.migrations``)."""
    metadata = load_metadata(miniapps)
    minis = plugins.discover_miniapps() if miniapps is None else miniapps
    own_history = [m for m in minis if m.migrations]
    foreign: set[str] = set()
    for mini in own_history:
        for path in mini.models:
            module = importlib.import_module(path)
            for value in vars(module).values():
                table = getattr(value, "__table__", None)
                if table is not None and getattr(value, "__module__", None) == module.__name__:
                    foreign.add(table.name)
    return set(metadata.tables) - foreign


def migration_locations(miniapps=None) -> list[str]:
    """Extra Alembic version locations declared by installed mini-apps."""
    minis = plugins.discover_miniapps() if miniapps is None else miniapps
    return [m.migrations for m in minis if m.migrations]

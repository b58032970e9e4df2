"""All tables of the host, its modules and installed mini-apps, in one SQLModel metadata."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from superapp import plugins


def load_metadata(miniapps=None) -> MetaData:
    import superapp.models  # noqa: F401

    modules = plugins.load_core_modules()
    minis = plugins.discover_miniapps() if miniapps is None else miniapps
    plugins.import_models([*modules, *minis])
    return SQLModel.metadata


def migration_locations(miniapps=None) -> list[str]:
    """Extra Alembic version locations declared by installed mini-apps."""
    minis = plugins.discover_miniapps() if miniapps is None else miniapps
    return [m.migrations for m in minis if m.migrations]

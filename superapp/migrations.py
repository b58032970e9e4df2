"""Running Alembic from the code (``superapp db upgrade``, ``superapp serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from superapp.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(settings: Settings) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    from superapp.metadata import migration_locations

    locations = [str(ROOT / "alembic" / "versions"), *migration_locations()]
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.attributes["settings"] = settings
    return cfg


def upgrade(settings: Settings, revision: str = "heads") -> None:
    if settings.is_sqlite:
        settings.ensure_data_dir()
    command.upgrade(alembic_config(settings), revision)

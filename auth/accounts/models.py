"""Tables of the accounts package: the demo population registry read by the default adapter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from superapp.db import utcnow
from superapp.models import tz_column


class RegistryPerson(SQLModel, table=True):
    """One person as the national population registry (*Cơ sở dữ liệu quốc gia về dân cư*) knows them.

    Read by :class:`auth.registry.DatabaseRegistry`, the default adapter; filled by
    ``superapp seed demo`` or by an import from the real registry's extract.
    """

    __tablename__ = "population_registry"

    national_id: str = Field(primary_key=True, max_length=12)
    full_name: str = Field(max_length=200)
    birth_date: date
    sex: str = Field(max_length=8)  # male | female
    district_code: str | None = Field(default=None, max_length=20)
    # National IDs of the parents or legal guardians on record.
    guardian_national_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))

"""The plugin's own table. Names are prefixed with the slug so they never clash with the host's."""

from __future__ import annotations

import uuid

from sqlmodel import Field, SQLModel

from superapp.ids import new_id


class ParkingLot(SQLModel, table=True):
    __tablename__ = "parking_lots"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    district_code: str = Field(max_length=20, index=True)
    capacity: int = Field(ge=0)
    free_spaces: int = Field(ge=0)
    price_vnd_per_hour: int = Field(ge=0)

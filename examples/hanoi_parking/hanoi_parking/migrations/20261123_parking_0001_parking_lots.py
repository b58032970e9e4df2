"""parking_lots

The plugin's own Alembic branch (label ``parking``), found by the host through
``MiniApp.migrations`` and run by ``superapp db upgrade`` with the host's history.

Revision ID: parking_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "parking_0001"
down_revision = None
branch_labels = ("parking",)
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("parking_lots"):
        return  # already created by a host history that included this plugin's tables
    op.create_table(
        "parking_lots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("district_code", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("free_spaces", sa.Integer(), nullable=False),
        sa.Column("price_vnd_per_hour", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_parking_lots_district_code", "parking_lots", ["district_code"])


def downgrade() -> None:
    op.drop_index("ix_parking_lots_district_code", table_name="parking_lots")
    op.drop_table("parking_lots")

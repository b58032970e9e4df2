"""feedback photos: kind (report | resolution) and the timeline entry they belong to

Revision ID: c2f1e07d9b3a
Revises: a48583bff94c
Create Date: 2026-11-23 09:45:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'c2f1e07d9b3a'
down_revision = 'a48583bff94c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='report'))
        batch_op.add_column(sa.Column('event_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feedback_photos', schema=None) as batch_op:
        batch_op.drop_column('event_id')
        batch_op.drop_column('kind')

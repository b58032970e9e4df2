"""transit validations: index for the operators' list, newest first

Revision ID: d7a4c93e5b10
Revises: c2f1e07d9b3a
Create Date: 2026-11-23 10:00:00.000000
"""
from __future__ import annotations

from alembic import op


revision = 'd7a4c93e5b10'
down_revision = 'c2f1e07d9b3a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('transit_validations', schema=None) as batch_op:
        batch_op.create_index('ix_transit_validations_recent', ['tapped_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('transit_validations', schema=None) as batch_op:
        batch_op.drop_index('ix_transit_validations_recent')

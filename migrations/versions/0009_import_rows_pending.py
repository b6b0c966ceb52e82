"""import_rows: an index of the rows still to be planned, so each chunk finds its rows at once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PENDING = sa.text('outcome IS NULL')


def upgrade() -> None:
    # Without it, each chunk walks past every row already planned: quadratic in the file's rows.
    op.create_index('ix_import_rows_pending', 'import_rows', ['import_id', 'number'],
                    sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    op.drop_index('ix_import_rows_pending', 'import_rows')

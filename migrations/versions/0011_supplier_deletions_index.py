"""supplier_changes: a partial index of the deletions by time, for a rebuild's catch-up

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

DELETED = sa.text("action = 'deleted'")


def upgrade() -> None:
    op.create_index('ix_supplier_changes_deleted_at', 'supplier_changes', ['changed_at'],
                    sqlite_where=DELETED, postgresql_where=DELETED)


def downgrade() -> None:
    op.drop_index('ix_supplier_changes_deleted_at', table_name='supplier_changes')

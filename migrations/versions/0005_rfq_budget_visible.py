"""rfqs: budget_visible (the budget is the buyer's unless shared)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rfqs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_visible', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('rfqs', schema=None) as batch_op:
        batch_op.drop_column('budget_visible')

"""rfqs, invitations, quotes, event recipients

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_recipients',
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'organisation_id')
    )
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_recipients_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('rfqs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('buyer_organisation_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('required_capabilities', sa.JSON(), nullable=False),
    sa.Column('required_certifications', sa.JSON(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=False),
    sa.Column('delivery_place', sa.String(length=200), nullable=True),
    sa.Column('delivery_latitude', sa.Float(), nullable=False),
    sa.Column('delivery_longitude', sa.Float(), nullable=False),
    sa.Column('max_distance_km', sa.Float(), nullable=True),
    sa.Column('response_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('sealed', sa.Boolean(), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('awarded_quote_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['buyer_organisation_id'], ['organisations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rfqs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfqs_buyer_organisation_id'), ['buyer_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rfqs_state'), ['state'], unique=False)

    op.create_table('rfq_invitations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rfq_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=20), nullable=True),
    sa.Column('decline_comment', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['rfq_id'], ['rfqs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rfq_id', 'supplier_id', name='one_invitation_per_supplier')
    )
    with op.batch_alter_table('rfq_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfq_invitations_rfq_id'), ['rfq_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rfq_invitations_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('rfq_quotes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('rfq_id', sa.String(length=36), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['rfq_id'], ['rfqs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rfq_id', 'supplier_id', name='one_quote_per_supplier')
    )
    with op.batch_alter_table('rfq_quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rfq_quotes_rfq_id'), ['rfq_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rfq_quotes_supplier_id'), ['supplier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rfq_quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rfq_quotes_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_rfq_quotes_rfq_id'))

    op.drop_table('rfq_quotes')
    with op.batch_alter_table('rfq_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rfq_invitations_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_rfq_invitations_rfq_id'))

    op.drop_table('rfq_invitations')
    with op.batch_alter_table('rfqs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rfqs_state'))
        batch_op.drop_index(batch_op.f('ix_rfqs_buyer_organisation_id'))

    op.drop_table('rfqs')
    with op.batch_alter_table('event_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_recipients_organisation_id'))

    op.drop_table('event_recipients')

"""accounts, suppliers, events and search outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('type', sa.String(length=50), nullable=False),
    sa.Column('entity_type', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_key_id', sa.String(length=36), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('actor_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_entity_id'), ['entity_id'], unique=False)

    op.create_table('organisations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('buyer', 'supplier')", name='organisation_kind'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('search_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entity_type', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_entity_id'), ['entity_id'], unique=False)

    op.create_table('supplier_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_key_id', sa.String(length=36), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=True),
    sa.Column('actor_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_changes_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('admin', 'buyer', 'supplier')", name='api_key_role'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('suppliers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('legal_name', sa.String(length=200), nullable=False),
    sa.Column('trade_name', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('vat_number', sa.String(length=20), nullable=True),
    sa.Column('naf_code', sa.String(length=10), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('digital', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id'),
    sa.UniqueConstraint('siret'),
    sa.UniqueConstraint('vat_number')
    )
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppliers_siren'), ['siren'], unique=False)
        batch_op.create_index(batch_op.f('ix_suppliers_updated_at'), ['updated_at'], unique=False)

    op.create_table('supplier_capabilities',
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('max_part_size', sa.String(length=100), nullable=True),
    sa.Column('tolerance', sa.String(length=100), nullable=True),
    sa.Column('capacity', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_capabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_capabilities_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('supplier_certifications',
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=50), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=True),
    sa.Column('issuing_body', sa.String(length=200), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_certifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_certifications_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('supplier_contacts',
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_contacts_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('supplier_sites',
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('postal_code', sa.String(length=16), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('department', sa.String(length=3), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('supplier_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_sites_supplier_id'), ['supplier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('supplier_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_sites_supplier_id'))

    op.drop_table('supplier_sites')
    with op.batch_alter_table('supplier_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_contacts_supplier_id'))

    op.drop_table('supplier_contacts')
    with op.batch_alter_table('supplier_certifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_certifications_supplier_id'))

    op.drop_table('supplier_certifications')
    with op.batch_alter_table('supplier_capabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_capabilities_supplier_id'))

    op.drop_table('supplier_capabilities')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppliers_updated_at'))
        batch_op.drop_index(batch_op.f('ix_suppliers_siren'))

    op.drop_table('suppliers')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_organisation_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('supplier_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_changes_supplier_id'))

    op.drop_table('supplier_changes')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_entity_id'))

    op.drop_table('search_outbox')
    op.drop_table('organisations')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_entity_id'))

    op.drop_table('events')

"""import_files: an upload stored as it is, for the worker to read; import_rows: the identifier keys
that find a supplier's second row in the file with the database, not an index in memory

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

KEYS = ('id_key', 'siret_key', 'vat_key', 'name_key')


def upgrade() -> None:
    op.create_table('import_files',
    sa.Column('import_id', sa.String(length=36), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('import_id', 'part')
    )
    if op.get_bind().dialect.name == 'postgresql':
        # Stored as sent: a spreadsheet is compressed already (XLSX) or read once (CSV), and
        # compressing it would keep the upload's request waiting.
        op.execute('ALTER TABLE import_files ALTER COLUMN data SET STORAGE EXTERNAL')
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        for key in KEYS:
            batch_op.add_column(sa.Column(key, sa.String(length=40), nullable=True))
    for key in KEYS:
        given = sa.text(f'{key} IS NOT NULL')
        op.create_index(f'ix_import_rows_{key}', 'import_rows', ['import_id', key],
                        sqlite_where=given, postgresql_where=given)


def downgrade() -> None:
    for key in KEYS:
        op.drop_index(f'ix_import_rows_{key}', 'import_rows')
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        for key in KEYS:
            batch_op.drop_column(key)
    op.drop_table('import_files')

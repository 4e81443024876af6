"""files imported into each round, by the SHA-256 of their bytes

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-10 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_import_files_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_files')),
    sa.UniqueConstraint('round_id', 'sha256', name='uq_import_files_round_sha256')
    )


def downgrade() -> None:
    op.drop_table('import_files')

"""members' drafts: answers kept on the server as a member goes, until they are sent

Revision ID: 0009
Revises: 0008
Create Date: 2027-03-01 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_drafts_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('code_hash', 'round_id', 'device', name='uq_drafts_code_round_device')
    )
    op.create_index(op.f('ix_drafts_round_id'), 'drafts', ['round_id'])
    op.create_index(op.f('ix_drafts_updated_at'), 'drafts', ['updated_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_drafts_updated_at'), table_name='drafts')
    op.drop_index(op.f('ix_drafts_round_id'), table_name='drafts')
    op.drop_table('drafts')

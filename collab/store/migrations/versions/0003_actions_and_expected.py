"""agreed actions and expected participation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('learning_point', sa.String(length=50), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('lead_organisation_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('agreed', 'in_progress', 'done', 'dropped')", name=op.f('ck_actions_status_known')),
    sa.ForeignKeyConstraint(['lead_organisation_id'], ['organisations.id'], name=op.f('fk_actions_lead_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_actions_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_round_id'), ['round_id'], unique=False)

    op.create_table('expected_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('stakeholder_group', sa.String(length=50), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.CheckConstraint('expected >= 0', name=op.f('ck_expected_participation_expected_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_expected_participation_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expected_participation')),
    sa.UniqueConstraint('organisation_id', 'stakeholder_group', name='uq_expected_participation_organisation_group')
    )


def downgrade() -> None:
    op.drop_table('expected_participation')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_round_id'))

    op.drop_table('actions')

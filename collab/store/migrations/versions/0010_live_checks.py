"""live checks in meetings: checks and their answers

- a check is one learning point (or every point) that members score on their phones
  during a meeting, in a first pass and a re-score after discussion;
- each answer names the invite code (and, for a shared code, the hash of the phone's
  seat token) it came through, never the code, and the publication that put it into
  the figures shown.

Only new tables: nothing else changes.

Revision ID: 0010
Revises: 0009
Create Date: 2027-03-01 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('learning_point', sa.String(length=50), nullable=True),
    sa.Column('short_code', sa.String(length=8), nullable=False),
    sa.Column('passes', sa.SmallInteger(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('published_seq', sa.Integer(), nullable=False),
    sa.Column('rescore_from', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('passes IN (1, 2)', name=op.f('ck_checks_passes_known')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_checks_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checks')),
    sa.UniqueConstraint('short_code', name=op.f('uq_checks_short_code'))
    )
    op.create_index(op.f('ix_checks_round_id'), 'checks', ['round_id'])
    op.create_table('check_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('pass_number', sa.SmallInteger(), nullable=False),
    sa.Column('invite_code_id', sa.Integer(), nullable=False),
    sa.Column('seat', sa.String(length=64), nullable=False),
    sa.Column('learning_point', sa.String(length=50), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=True),
    sa.Column('dont_know', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.Column('published_in', sa.Integer(), nullable=True),
    sa.CheckConstraint('pass_number IN (1, 2)', name=op.f('ck_check_answers_pass_known')),
    sa.CheckConstraint('(score IS NULL) OR (score BETWEEN 1 AND 9 AND NOT dont_know)', name=op.f('ck_check_answers_score_or_dk')),
    sa.ForeignKeyConstraint(['check_id'], ['checks.id'], name=op.f('fk_check_answers_check_id_checks')),
    sa.ForeignKeyConstraint(['invite_code_id'], ['invite_codes.id'], name=op.f('fk_check_answers_invite_code_id_invite_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_answers')),
    sa.UniqueConstraint('check_id', 'pass_number', 'invite_code_id', 'seat', 'learning_point', name='uq_check_answers_person_pass_point')
    )
    op.create_index(op.f('ix_check_answers_invite_code_id'), 'check_answers', ['invite_code_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_check_answers_invite_code_id'), table_name='check_answers')
    op.drop_table('check_answers')
    op.drop_index(op.f('ix_checks_round_id'), table_name='checks')
    op.drop_table('checks')

"""personal and capped invite codes, published snapshots of rounds, the data version

- invite codes are personal (one person's, one response per round) or shared with a cap
  on responses per round;
- a round's results are read from its published snapshot: the revisions that counted
  when it was last published. Rounds already closed, or showing live results, are
  published as they stand;
- one row counts every write, so cached reads on every replica know when to refresh;
- the key that turns a form's one-time key into its receipt code.

Revision ID: 0008
Revises: 0007
Create Date: 2027-02-01 10:00:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'invite_codes',
        sa.Column('personal', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column('invite_codes', sa.Column('response_cap', sa.Integer(), nullable=True))
    op.add_column('rounds', sa.Column('published_snapshot_id', sa.Integer(), nullable=True))
    op.create_table('published_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_published_snapshots_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_snapshots'))
    )
    op.create_index(op.f('ix_published_snapshots_round_id'), 'published_snapshots', ['round_id'])
    op.create_table('snapshot_revisions',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['published_snapshots.id'], name=op.f('fk_snapshot_revisions_snapshot_id_published_snapshots')),
    sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'], name=op.f('fk_snapshot_revisions_revision_id_revisions')),
    sa.PrimaryKeyConstraint('snapshot_id', 'revision_id', name=op.f('pk_snapshot_revisions'))
    )
    op.create_table('data_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('any_change', sa.BigInteger(), nullable=False),
    sa.Column('results_change', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_versions'))
    )
    op.execute("INSERT INTO data_versions (id, any_change, results_change) VALUES (1, 1, 1)")
    # A literal, not a parameter: hexadecimal digits only.
    op.execute(
        "INSERT INTO alliance_settings (key, value) "
        f"VALUES ('receipt_key', '{secrets.token_hex(32)}')"
    )
    # Rounds whose results can already be seen are published as they stand.
    op.execute(
        "INSERT INTO published_snapshots (round_id, published_at, people) "
        "SELECT rounds.id, CURRENT_TIMESTAMP, "
        "(SELECT count(*) FROM submissions WHERE submissions.round_id = rounds.id) "
        "FROM rounds WHERE (NOT rounds.is_open AND rounds.opened_at IS NOT NULL) "
        "OR (rounds.is_open AND rounds.live_results)"
    )
    op.execute(
        "INSERT INTO snapshot_revisions (snapshot_id, revision_id) "
        "SELECT published_snapshots.id, revisions.id FROM published_snapshots "
        "JOIN submissions ON submissions.round_id = published_snapshots.round_id "
        "JOIN revisions ON revisions.submission_id = submissions.id "
        "AND revisions.number = submissions.current_revision"
    )
    op.execute(
        "UPDATE rounds SET published_snapshot_id = (SELECT max(published_snapshots.id) "
        "FROM published_snapshots WHERE published_snapshots.round_id = rounds.id)"
    )


def downgrade() -> None:
    op.execute("DELETE FROM alliance_settings WHERE key = 'receipt_key'")
    op.drop_table('data_versions')
    op.drop_table('snapshot_revisions')
    op.drop_index(op.f('ix_published_snapshots_round_id'), table_name='published_snapshots')
    op.drop_table('published_snapshots')
    op.drop_column('rounds', 'published_snapshot_id')
    op.drop_column('invite_codes', 'response_cap')
    op.drop_column('invite_codes', 'personal')

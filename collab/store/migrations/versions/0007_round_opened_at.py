"""rounds record when they were first opened; a round never opened is "not yet opened"

Rounds already open, or already holding answers, count as opened when they were created.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-20 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: a SQLite batch copy of the table would be
    # refused while submissions and import files refer to its rows.
    op.add_column('rounds', sa.Column('opened_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE rounds SET opened_at = created_at WHERE is_open OR EXISTS "
        "(SELECT 1 FROM submissions WHERE submissions.round_id = rounds.id)"
    )


def downgrade() -> None:
    op.drop_column('rounds', 'opened_at')

"""audit entries name their actor (a role, or the command line)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00.000000
"""

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch_op:
        batch_op.alter_column('role', new_column_name='actor')


def downgrade() -> None:
    with op.batch_alter_table('audit_entries') as batch_op:
        batch_op.alter_column('actor', new_column_name='role')

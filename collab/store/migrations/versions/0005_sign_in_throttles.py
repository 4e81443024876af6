"""wrong passcodes counted per role and per client address

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_throttles',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_failed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('role', 'client')", name=op.f('ck_sign_in_throttles_kind_known')),
    sa.PrimaryKeyConstraint('kind', 'name', name=op.f('pk_sign_in_throttles'))
    )


def downgrade() -> None:
    op.drop_table('sign_in_throttles')

"""Where a runner is in the first-run flow (issue 14 §1): NULL until the web app has shown it
(athletes that existed before this migration are marked done, so
nobody already training is sent through it); then intro, week, tests:N, done.

Revision ID: 0011
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.add_column(sa.Column("onboarding", sa.String(16), nullable=True))
    op.execute("UPDATE athletes SET onboarding = 'done'")


def downgrade() -> None:
    with op.batch_alter_table("athletes") as batch:
        batch.drop_column("onboarding")

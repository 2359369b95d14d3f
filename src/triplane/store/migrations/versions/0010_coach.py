"""A coach who can coach (issue 14 §6): who made each settings entry, and comments on days and
snacks.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("settings_entries") as batch:
        batch.add_column(sa.Column("author", sa.String(100), nullable=True))
        batch.add_column(sa.Column("author_role", sa.String(16), nullable=True))
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "athlete_id",
            sa.Integer,
            sa.ForeignKey("athletes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("drill", sa.String(64), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("author_role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_comments_athlete", "comments", ["athlete_id", "date"])


def downgrade() -> None:
    op.drop_index("ix_comments_athlete", "comments")
    op.drop_table("comments")
    with op.batch_alter_table("settings_entries") as batch:
        batch.drop_column("author_role")
        batch.drop_column("author")

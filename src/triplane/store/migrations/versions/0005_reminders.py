"""Reminders (preferences, Web Push subscriptions, deliveries), per-installation keys and
password-reset links (issue 15). Additive: new tables only.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _athlete_fk() -> sa.Column[int]:
    return sa.Column(
        "athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "reminder_prefs",
        sa.Column(
            "athlete_id",
            sa.Integer,
            sa.ForeignKey("athletes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("channels", sa.String(64), nullable=False, server_default=""),
        sa.Column("lead_minutes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quiet_start", sa.String(5), nullable=True),
        sa.Column("quiet_end", sa.String(5), nullable=True),
        sa.Column("digest", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("digest_time", sa.String(5), nullable=True),
        sa.Column("paused_until", sa.Date, nullable=True),
        sa.Column("weekly_review", sa.Boolean, nullable=False, server_default="1"),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("ntfy_topic", sa.String(64), nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        _athlete_fk(),
        sa.Column("endpoint", sa.Text, nullable=False),
        sa.Column("endpoint_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("p256dh", sa.String(200), nullable=False),
        sa.Column("auth", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        _athlete_fk(),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("athlete_id", "key", "channel", name="uq_reminder_deliveries"),
    )
    op.create_table(
        "app_keys",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    for name in (
        "password_resets",
        "app_keys",
        "reminder_deliveries",
        "push_subscriptions",
        "reminder_prefs",
    ):
        op.drop_table(name)

"""The first tables: athletes, dated settings, measurements, logs, check-ins, away days,
events and activities.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _owner() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "athlete_id", sa.Integer, sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
    )


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime, nullable=False)


def upgrade() -> None:
    op.create_table(
        "athletes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("tz", sa.String(64), nullable=False, server_default="UTC"),
        _created(),
    )
    op.create_table(
        "settings_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("effective", sa.Date, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        _created(),
    )
    op.create_index(
        "ix_settings_athlete_effective", "settings_entries", ["athlete_id", "effective"]
    )
    op.create_table(
        "measurements",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("test", sa.String(64), nullable=False),
        sa.Column("motion", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("painful", sa.Boolean, nullable=False),
        sa.Column("device", sa.String(32), nullable=False),
        sa.Column("position", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        _created(),
        sa.UniqueConstraint("athlete_id", "client_id", name="uq_measurements_client"),
    )
    op.create_index("ix_measurements_athlete", "measurements", ["athlete_id", "date"])
    op.create_table(
        "drill_logs",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("drill", sa.String(64), nullable=False),
        sa.Column("motions", sa.String(200), nullable=False),
        sa.Column("minutes", sa.Float, nullable=False),
        sa.Column("discomfort", sa.Integer, nullable=True),
        sa.Column("skipped", sa.Boolean, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        _created(),
        sa.UniqueConstraint("athlete_id", "client_id", name="uq_drill_logs_client"),
    )
    op.create_index("ix_drill_logs_athlete", "drill_logs", ["athlete_id", "date"])
    op.create_table(
        "lunge_logs",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("direction", sa.String(32), nullable=False),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("discomfort", sa.Integer, nullable=False),
        sa.Column("balance_ok", sa.Boolean, nullable=False),
        sa.Column("sharp_pain", sa.Boolean, nullable=False),
        sa.Column("load", sa.String(32), nullable=True),
        sa.Column("prescription", sa.Text, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        _created(),
        sa.UniqueConstraint("athlete_id", "client_id", name="uq_lunge_logs_client"),
    )
    op.create_index("ix_lunge_logs_athlete", "lunge_logs", ["athlete_id", "date"])
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("flags", sa.String(400), nullable=False),
        sa.Column("cleared_by_clinician", sa.Boolean, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        _created(),
        sa.UniqueConstraint("athlete_id", "client_id", name="uq_check_ins_client"),
    )
    op.create_index("ix_check_ins_athlete", "check_ins", ["athlete_id", "date"])
    op.create_table(
        "away_periods",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        _created(),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("time", sa.String(5), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _created(),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer, primary_key=True),
        _owner(),
        sa.Column("fingerprint", sa.String(80), nullable=False),
        sa.Column("sport", sa.String(32), nullable=False),
        sa.Column("is_run", sa.Boolean, nullable=False),
        sa.Column("start_utc", sa.DateTime, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("distance_m", sa.Float, nullable=True),
        sa.Column("elevation_gain_m", sa.Float, nullable=True),
        sa.Column("device", sa.String(100), nullable=True),
        sa.Column("source_file", sa.String(300), nullable=False),
        _created(),
        sa.UniqueConstraint("athlete_id", "fingerprint", name="uq_activities_fingerprint"),
    )
    op.create_index("ix_activities_athlete", "activities", ["athlete_id", "start_utc"])


def downgrade() -> None:
    for table in (
        "activities",
        "events",
        "away_periods",
        "check_ins",
        "lunge_logs",
        "drill_logs",
        "measurements",
        "settings_entries",
        "athletes",
    ):
        op.drop_table(table)

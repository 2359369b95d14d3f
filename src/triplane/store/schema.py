"""The tables. Everything an athlete owns hangs off athletes.id; logs are append-only rows.

Alembic migrations in migrations/versions create these; a test checks they agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import CursorResult

metadata = MetaData()

athletes = Table(
    "athletes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("tz", String(64), nullable=False, server_default="UTC"),
    Column("created_at", DateTime, nullable=False),
    # the web's first-run flow (usecases/onboarding.py): NULL = not shown yet
    Column("onboarding", String(16), nullable=True),
)

# Settings are dated entries: the one in force on a day is the latest whose date is not after it,
# so changing the budget today does not rewrite last week.
settings_entries = Table(
    "settings_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("effective", Date, nullable=False),
    Column("data", Text, nullable=False),  # JSON of the full settings snapshot
    Column("created_at", DateTime, nullable=False),
    # who made the entry (a name as it was then, and athlete | coach); None: the CLI or before
    # issue 14, when nobody was recorded
    Column("author", String(100), nullable=True),
    Column("author_role", String(16), nullable=True),
    Index("ix_settings_athlete_effective", "athlete_id", "effective"),
)

measurements = Table(
    "measurements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("test", String(64), nullable=False),
    Column("motion", String(32), nullable=False),
    Column("side", String(8), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("painful", Boolean, nullable=False, default=False),
    Column("device", String(32), nullable=False),
    Column("position", String(32), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("confidence", Float, nullable=True),  # video measurements
    Column("client_id", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_measurements_athlete", "athlete_id", "date"),
    UniqueConstraint("athlete_id", "client_id", name="uq_measurements_client"),
)

drill_logs = Table(
    "drill_logs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("drill", String(64), nullable=False),
    Column("motions", String(200), nullable=False),  # comma-separated, as planned
    Column("minutes", Float, nullable=False),
    Column("discomfort", Integer, nullable=True),
    Column("skipped", Boolean, nullable=False, default=False),
    Column("client_id", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_drill_logs_athlete", "athlete_id", "date"),
    UniqueConstraint("athlete_id", "client_id", name="uq_drill_logs_client"),
)

lunge_logs = Table(
    "lunge_logs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("direction", String(32), nullable=False),
    Column("reps", Integer, nullable=False),
    Column("discomfort", Integer, nullable=False),
    Column("balance_ok", Boolean, nullable=False),
    Column("sharp_pain", Boolean, nullable=False, default=False),
    Column("load", String(32), nullable=True),
    Column("prescription", Text, nullable=False),  # JSON: what was prescribed when it was done
    Column("client_id", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_lunge_logs_athlete", "athlete_id", "date"),
    UniqueConstraint("athlete_id", "client_id", name="uq_lunge_logs_client"),
)

check_ins = Table(
    "check_ins",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("pain", Integer, nullable=False),
    Column("flags", String(400), nullable=False, default=""),  # comma-separated flag ids
    Column("cleared_by_clinician", Boolean, nullable=False, default=False),
    Column("client_id", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_check_ins_athlete", "athlete_id", "date"),
    UniqueConstraint("athlete_id", "client_id", name="uq_check_ins_client"),
)

away_periods = Table(
    "away_periods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("reason", String(64), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("time", String(5), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(200), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("duration_min", Integer, nullable=True),  # None: the kind's default (race 4 h)
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("fingerprint", String(80), nullable=False),
    Column("sport", String(32), nullable=False),
    Column("is_run", Boolean, nullable=False),
    Column("start_utc", DateTime, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("distance_m", Float, nullable=True),
    Column("elevation_gain_m", Float, nullable=True),
    Column("device", String(100), nullable=True),
    Column("source_file", String(300), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("file_sha256", String(64), nullable=True),  # the same file imported twice
    UniqueConstraint("athlete_id", "fingerprint", name="uq_activities_fingerprint"),
    Index("ix_activities_athlete", "athlete_id", "start_utc"),
)

# A coach's comment on an athlete's day, or on one snack of it (the drill planned that day);
# the athlete sees it on Today. Names, not user ids, so exports and restores keep them whole.
comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("date", Date, nullable=False),
    Column("drill", String(64), nullable=True),  # None: the day
    Column("text", Text, nullable=False),
    Column("author", String(100), nullable=False),
    Column("author_role", String(16), nullable=False),  # coach | athlete
    Column("created_at", DateTime, nullable=False),
    Index("ix_comments_athlete", "athlete_id", "date"),
)

# What belongs to an athlete, in the order export writes and import restores it.
ATHLETE_TABLES = (
    settings_entries,
    measurements,
    drill_logs,
    lunge_logs,
    check_ins,
    away_periods,
    events,
    activities,
    comments,
)
# The log tables `triplane log list | delete` can correct, by the kind shown to people.
LOG_KINDS = {
    "measurement": measurements,
    "drill": drill_logs,
    "lunge": lunge_logs,
    "check_in": check_ins,
    "away": away_periods,
    "event": events,
}

# ---- accounts (the web app): users, their athlete, sessions and tokens, coach links, invites ----

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-case
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),  # athlete | coach
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("created_at", DateTime, nullable=False),
)

# An athlete user's own athlete row (athletes is left as it is; one athlete per user).
user_athletes = Table(
    "user_athletes",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "athlete_id",
        Integer,
        ForeignKey("athletes.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
)

# Browser sessions and API bearer tokens: only a SHA-256 of the secret is stored.
auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # session | api
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Index("ix_auth_tokens_user", "user_id"),
)

coach_links = Table(
    "coach_links",
    metadata,
    Column("coach_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", DateTime, nullable=False),
)

# A coach's invite code; the athlete who accepts it becomes linked to the coach.
invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("coach_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime, nullable=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="SET NULL"), nullable=True),
)

# Failed logins, for rate limiting across worker processes (by e-mail and by client address).
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

# Atomic login limits: one counter per key (e-mail, client address, e-mail + address pair,
# sign-up address), incremented with a conditional UPDATE *before* a password is checked, so
# parallel attempts can't evaluate more guesses than the limit. "known:" rows mark a pair
# that logged in successfully (the owner's usual address is not locked out by an attacker).
login_limits = Table(
    "login_limits",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
)

# The one row /healthz writes, so "healthy" means a write reached the disk.
health_checks = Table(
    "health_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checked_at", DateTime, nullable=False),
)

# A private calendar subscription: the token is in the URL, only its SHA-256 is stored, and a
# revoked token stops working at once.
calendar_tokens = Table(
    "calendar_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)

# Background jobs (video analysis): claimed by workers with SELECT ... FOR UPDATE SKIP LOCKED on
# PostgreSQL, run in-process on SQLite.
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # queued | running | done | failed
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=True),
    Column("payload", Text, nullable=False),  # JSON
    Column("result", Text, nullable=True),  # JSON
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime, nullable=True),
    Column("finished_at", DateTime, nullable=True),
    Index("ix_jobs_status", "status", "id"),
)

# ---- reminders (issue 15) ---------------------------------------------------------------------

# An athlete's reminder preferences (one row; none = no reminders).
reminder_prefs = Table(
    "reminder_prefs",
    metadata,
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), primary_key=True),
    Column("channels", String(64), nullable=False, server_default=""),  # push,email,ntfy
    Column("lead_minutes", Integer, nullable=False, server_default="0"),
    Column("quiet_start", String(5), nullable=True),  # HH:MM
    Column("quiet_end", String(5), nullable=True),
    Column("digest", Boolean, nullable=False, server_default="0"),
    Column("digest_time", String(5), nullable=True),
    Column("paused_until", Date, nullable=True),
    Column("weekly_review", Boolean, nullable=False, server_default="1"),
    Column("email", String(254), nullable=True),  # else the account's e-mail
    Column("ntfy_topic", String(64), nullable=True),
    Column("updated_at", DateTime, nullable=False),
)

# A browser's Web Push subscription (one per device).
push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("endpoint", Text, nullable=False),
    Column("endpoint_hash", String(64), nullable=False, unique=True),
    Column("p256dh", String(200), nullable=False),
    Column("auth", String(64), nullable=False),
    Column("user_agent", String(200), nullable=True),
    Column("created_at", DateTime, nullable=False),
)

# Each reminder on each channel: sending -> sent | failed (with the reason); `attempts` counts
# tries. The unique key is what makes a reminder go out once however many workers run.
reminder_deliveries = Table(
    "reminder_deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("athlete_id", Integer, ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(120), nullable=False),  # snack:<date>:<i>:<drill> | digest:<date> ...
    Column("channel", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # sending | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("detail", Text, nullable=True),  # the failure's reason, or what was reached
    Column("title", String(200), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("athlete_id", "key", "channel", name="uq_reminder_deliveries"),
)

# Per-installation secrets made once (the Web Push VAPID key pair).
app_keys = Table(
    "app_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# A password-reset link: single use, expiring; only the SHA-256 of its token is stored.
password_resets = Table(
    "password_resets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime, nullable=True),
)

# A sign-up waiting for its e-mailed link (only when the server sends e-mail): the account is
# made from this row when the link is used; single use, expiring; the token's SHA-256 only.
signup_requests = Table(
    "signup_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("tz", String(64), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime, nullable=True),
)

# What an athlete's deletion removes besides ATHLETE_TABLES (reminders are not plan data).
REMINDER_TABLES = (reminder_deliveries, push_subscriptions, reminder_prefs)


def inserted_id(result: CursorResult[Any]) -> int:
    """The integer primary key of the one row an INSERT just added."""
    key = result.inserted_primary_key
    if key is None:  # not an INSERT of one row: a programming error, not bad input
        raise RuntimeError("inserted_id() needs the result of an INSERT of one row")
    return int(key[0])

"""The learned run routine as the planner sees it: imported runs -> the routine on any day
(core/routine.py learns it and overlays it on the declared settings)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from triplane.core.records import Settings
from triplane.store import schema as t
from triplane.usecases import planning
from triplane.usecases.athletes import Athlete


def _local(start_utc: datetime, zone: ZoneInfo) -> datetime:
    """A stored (naive UTC) start as naive local time in the athlete's zone."""
    return start_utc.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def runs_of(conn: Connection, athlete: Athlete) -> list[tuple[datetime, float, float | None]]:
    """(local start, duration s, distance m) of every imported run, oldest first."""
    a = t.activities
    rows = conn.execute(
        select(a.c.start_utc, a.c.duration_s, a.c.distance_m)
        .where(a.c.athlete_id == athlete.id, a.c.is_run.is_(True))
        .order_by(a.c.start_utc)
    ).all()
    zone = ZoneInfo(athlete.tz)
    return [(_local(r.start_utc, zone), r.duration_s, r.distance_m) for r in rows]


def with_routine(
    conn: Connection, athlete: Athlete, settings_on: Callable[[date], Settings]
) -> Callable[[date], Settings]:
    """Wrap a settings lookup so it includes the learned routine (one query; memoised)."""
    return planning.with_routine(runs_of(conn, athlete), settings_on)

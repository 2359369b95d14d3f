"""The learned run routine as the planner sees it: imported runs -> the routine on any day
(core/routine.py learns it and overlays it on the declared settings)."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from triplane.core.records import Settings
from triplane.store import schema as t
from triplane.usecases.athletes import Athlete

if TYPE_CHECKING:  # core.routine (and statistics) load only when there are runs
    from triplane.core.routine import LearnedRoutine


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


class Routine:
    """The learned routine as of any day, from one list of runs (memoised per day)."""

    def __init__(self, runs: list[tuple[datetime, float, float | None]]) -> None:
        self.runs = runs
        self.starts = [r[0] for r in runs]
        self._by_day: dict[date, LearnedRoutine] = {}
        self._first: dict[date, time] = {}
        for start, _, _ in runs:
            d = start.date()
            if d not in self._first or start.time() < self._first[d]:
                self._first[d] = start.time().replace(second=0, microsecond=0)

    def on(self, day: date) -> LearnedRoutine:
        if day not in self._by_day:
            from triplane.core.routine import WINDOW_WEEKS, learn_routine

            lo = bisect.bisect_left(
                self.starts, datetime.combine(day - timedelta(weeks=WINDOW_WEEKS), time())
            )
            hi = bisect.bisect_left(self.starts, datetime.combine(day, time()))
            self._by_day[day] = learn_routine(self.runs[lo:hi], day)
        return self._by_day[day]

    def actual_start(self, day: date) -> time | None:
        return self._first.get(day)


def with_routine(
    conn: Connection, athlete: Athlete, settings_on: Callable[[date], Settings]
) -> Callable[[date], Settings]:
    """Wrap a settings lookup so it includes the learned routine (one query; memoised)."""
    runs = runs_of(conn, athlete)
    if not runs:
        return settings_on
    from triplane.core.routine import overlay

    routine = Routine(runs)
    cache: dict[date, Settings] = {}

    def settings_with_routine(day: date) -> Settings:
        if day not in cache:
            cache[day] = overlay(settings_on(day), routine.on(day), day, routine.actual_start(day))
        return cache[day]

    return settings_with_routine

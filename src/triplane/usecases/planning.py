"""The planner's inputs built from stored rows, for the read-only fast path of `triplane plan day
--json` (stdlib sqlite3, store/sqlite_read.py): the same records and the same planner as
`LogCases.planner` (usecases/logs.py), which tests/test_plan_fast_path.py compares.

No SQLAlchemy here (importing it is most of a short command's start-up): a row is anything with
its columns as attributes, typed as SQLAlchemy gives them (dates, datetimes, booleans), and
`PlanRows` is what a store has to answer for one athlete.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from triplane.core.records import (
    AwayPeriod,
    CheckIn,
    DrillLog,
    Event,
    LungeLog,
    Measurement,
    Prescription,
    Settings,
)
from triplane.usecases.parsing import MAX_DATE, MIN_DATE, settings_from_json

if TYPE_CHECKING:
    from triplane.core.catalogue import Catalogue
    from triplane.core.plan import AthleteLog, Planner
    from triplane.core.routine import LearnedRoutine


@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    tz: str

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.tz)).date()


def current_catalogue() -> Catalogue:
    """The catalogue as usecases.athletes.current_catalogue gives it (that module imports
    SQLAlchemy)."""
    from triplane import config
    from triplane.store import catalogue_cache
    from triplane.store.db import data_dir

    coach = config.drills_dir()
    if coach is None:
        folder = data_dir() / "drills"
        coach = folder if folder.is_dir() else None
    return catalogue_cache.catalogue(coach)


# ---- rows -> records ---------------------------------------------------------------------------


def stored_time(value: str) -> time:
    """A time of day as the store keeps it ('HH:MM')."""
    h, m = value.split(":")
    return time(int(h), int(m))


def settings_entries(rows: Sequence[Any]) -> list[tuple[date, Settings]]:
    """Rows of (effective, data) -> dated settings, oldest first as the rows come."""
    return [(r.effective, settings_from_json(json.loads(r.data))) for r in rows]


def settings_lookup(entries: list[tuple[date, Settings]]) -> Callable[[date], Settings]:
    """settings_on(day): the latest entry effective on or before the day (the first otherwise)."""
    cache: dict[date, Settings] = {}

    def settings_on(day: date) -> Settings:
        if day not in cache:
            chosen = entries[0][1] if entries else Settings()
            for effective, s in entries:
                if effective <= day:
                    chosen = s
                else:
                    break
            cache[day] = chosen
        return cache[day]

    return settings_on


def measurement(r: Any) -> Measurement:
    return Measurement(
        date=r.date,
        test=r.test,
        motion=r.motion,
        side=r.side,
        unit=r.unit,
        value=r.value,
        painful=r.painful,
        device=r.device,
        position=r.position,
        active=r.active,
        id=r.id,
    )


def prescription_from_json(d: Mapping[str, Any]) -> Prescription:
    """A stored prescription; an old row may miss a variable (its step reads as '') or carry
    keys no longer used (ignored): replay then treats that session as not counting."""
    from triplane.core.lunge import VARIABLES

    return Prescription(
        direction=d["direction"],
        levels=tuple((v, str(d.get(v) or "")) for v in VARIABLES),
        reps=int(d["reps"]),
    )


def lunge_log(r: Any) -> LungeLog:
    stored = json.loads(r.prescription)
    return LungeLog(
        r.date,
        r.direction,
        r.reps,
        r.discomfort,
        r.balance_ok,
        prescription_from_json(stored),
        r.sharp_pain,
        r.load,
        r.id,
        recorded=r.created_at,
        capped=stored.get("capped"),  # why it was capped; rows before issue 11 have none
    )


class LogRows(Protocol):
    """The stored rows of one athlete's log, each query ordered as named."""

    def drill_log_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def lunge_log_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def check_in_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def away_rows(self, athlete_id: int) -> Sequence[Any]: ...
    def event_rows(self, athlete_id: int) -> Sequence[Any]: ...


class PlanRows(LogRows, Protocol):
    """The stored rows the planner needs for one athlete, each query ordered as named."""

    def settings_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by effective, id
    def measurement_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by date, id
    def created_at(self, athlete_id: int) -> datetime | None: ...
    def run_rows(self, athlete_id: int) -> Sequence[Any]: ...  # runs by start_utc


def athlete_log(rows: LogRows, athlete_id: int) -> AthleteLog:
    from triplane.core.plan import AthleteLog

    return AthleteLog(
        drill_logs=tuple(
            DrillLog(
                r.date,
                r.drill,
                r.minutes,
                r.discomfort,
                r.skipped,
                tuple(m for m in r.motions.split(",") if m),
                r.id,
                r.created_at,
            )
            for r in rows.drill_log_rows(athlete_id)
        ),
        lunge_logs=tuple(lunge_log(r) for r in rows.lunge_log_rows(athlete_id)),
        check_ins=tuple(
            CheckIn(
                r.date,
                r.pain,
                tuple(f for f in r.flags.split(",") if f),
                r.cleared_by_clinician,
                r.id,
                r.created_at,
            )
            for r in rows.check_in_rows(athlete_id)
        ),
        away=tuple(AwayPeriod(r.start, r.end, r.reason) for r in rows.away_rows(athlete_id)),
        events=tuple(
            Event(
                r.date,
                r.kind,
                stored_time(r.time) if r.time else None,
                r.name,
                r.duration_min,
            )
            for r in rows.event_rows(athlete_id)
        ),
    )


# ---- the learned run routine (issue 5) -----------------------------------------------------------


def local_runs(rows: Sequence[Any], tz: str) -> list[tuple[datetime, float, float | None]]:
    """(local start, duration s, distance m) of run rows (start_utc naive UTC), as they come."""
    zone = ZoneInfo(tz)
    return [
        (r.start_utc.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None), r.duration_s,
         r.distance_m)
        for r in rows
    ]  # fmt: skip


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
    runs: list[tuple[datetime, float, float | None]], settings_on: Callable[[date], Settings]
) -> Callable[[date], Settings]:
    """Wrap a settings lookup so it includes the learned routine (memoised)."""
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


# ---- the planner ---------------------------------------------------------------------------------


def planner_from_rows(rows: PlanRows, catalogue: Catalogue, athlete: Athlete) -> Planner:
    """The athlete's planner, from their stored settings, measurements, log and runs."""
    from triplane.core.assess import Profile, build_profile, choose_norm_set
    from triplane.core.plan import Planner

    entries = settings_entries(rows.settings_rows(athlete.id))
    runs = local_runs(rows.run_rows(athlete.id), athlete.tz)
    settings_on = with_routine(runs, settings_lookup(entries))
    measurements = [measurement(r) for r in rows.measurement_rows(athlete.id)]
    profiles: dict[date, Profile] = {}

    def profile_on(day: date) -> Profile:
        if day not in profiles:
            upto = [m for m in measurements if m.date <= day]
            norm_set, why = choose_norm_set(catalogue, settings_on(day), day)
            profiles[day] = build_profile(upto, catalogue, norm_set, why)
        return profiles[day]

    created = rows.created_at(athlete.id)
    first = min([created.date()] + [e for e, _ in entries if e.year > 1970]) if created else None
    return Planner(
        catalogue,
        settings_on,
        profile_on,
        athlete_log(rows, athlete.id),
        seed=athlete.name,
        since=first,
        today=athlete.today(),
    )


# ---- `plan day --json` without SQLAlchemy ------------------------------------------------------


def plan_day_read_only(
    db: str | None, demo: bool, athlete_name: str | None, day: str | None
) -> dict[str, Any] | None:
    """The day's plan as `plan day --json` prints it, read from a SQLite file with sqlite3.

    None whenever this path could differ from the normal one in any way (not a SQLite file, a
    missing database, a schema to upgrade, no such athlete, several athletes, a bad date, any
    error at all): the caller then takes the normal path, which answers or says what is wrong.
    """
    from triplane.store.db import resolve_url
    from triplane.store.sqlite_read import open_read_only

    try:
        on = None if day is None else date.fromisoformat(day)
    except ValueError:
        return None
    if on is not None and not MIN_DATE <= on <= MAX_DATE:
        return None
    try:
        with open_read_only(resolve_url(db, demo)) as reader:
            if reader is None:
                return None
            if athlete_name is None:
                found = reader.athletes()
                row = found[0] if len(found) == 1 else None
            else:
                row = reader.athlete_named(athlete_name)
            if row is None:
                return None
            athlete = Athlete(row.id, row.name, row.tz)
            planner = planner_from_rows(reader, current_catalogue(), athlete)
            return planner.day(on or athlete.today()).as_dict()
    except Exception:  # noqa: BLE001 - the normal path then reports it, in its words
        return None

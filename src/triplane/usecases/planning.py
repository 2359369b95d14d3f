"""The planner's inputs built from stored rows, shared by `Service.planner` (SQLAlchemy) and the
read-only fast path of `triplane plan day --json` (stdlib sqlite3, store/sqlite_read.py), so
both paths plan from the same records in the same way.

No SQLAlchemy here (importing it is most of a short command's start-up): a row is anything with
its columns as attributes, typed as SQLAlchemy gives them (dates, datetimes, booleans), and
`PlanRows` is what a store has to answer for one athlete.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
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

if TYPE_CHECKING:
    from triplane.core.catalogue import Catalogue
    from triplane.core.plan import AthleteLog, Planner
    from triplane.core.routine import LearnedRoutine

# Dates people can give: plans look weeks ahead and months back, which near date.min/max
# would overflow; nobody trains in year 1 or 9999.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    tz: str

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.tz)).date()


def coach_drills_dir() -> Path | None:
    """A coach's own drills: TOML files in $TRIPLANE_DRILLS_DIR, else in the `drills` folder
    of Triplane's user data folder when it exists."""
    import os

    env = os.environ.get("TRIPLANE_DRILLS_DIR")
    if env:
        return Path(env)
    from triplane.store.db import data_dir

    folder = data_dir() / "drills"
    return folder if folder.is_dir() else None


def current_catalogue() -> Catalogue:
    """The packaged catalogue plus the coach's drills, validated."""
    from triplane.core.catalogue import load_catalogue

    return load_catalogue(coach_drills_dir())


# ---- rows -> records ---------------------------------------------------------------------------

TIME_FIELDS = (
    "wake",
    "sleep",
    "run_time",
    "second_run_time",
    "gym_time",
    "work_start",
    "work_end",
)
SET_FIELDS = ("run_days", "gym_days", "work_days")


def stored_time(value: str) -> time:
    """A time of day as the store keeps it ('HH:MM')."""
    h, m = value.split(":")
    return time(int(h), int(m))


def settings_from_json(data: Mapping[str, Any]) -> Settings:
    kw: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}
    for k, v in data.items():
        if k not in names:
            continue
        if k in TIME_FIELDS:
            v = stored_time(v) if v is not None else None
        elif k in SET_FIELDS:
            v = frozenset(v)
        elif k == "run_times":
            v = tuple((d, stored_time(x)) for d, tt in v.items() for x in str(tt).split(","))
        elif k in ("conditions", "ladder_order") and v is not None:
            v = tuple(v)
        kw[k] = v
    return Settings(**kw)


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


class PlanRows(Protocol):
    """The stored rows the planner needs for one athlete, each query ordered as named."""

    def settings_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by effective, id
    def measurement_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by date, id
    def created_at(self, athlete_id: int) -> datetime | None: ...
    def drill_log_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def lunge_log_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def check_in_rows(self, athlete_id: int) -> Sequence[Any]: ...  # by id
    def away_rows(self, athlete_id: int) -> Sequence[Any]: ...
    def event_rows(self, athlete_id: int) -> Sequence[Any]: ...
    def run_rows(self, athlete_id: int) -> Sequence[Any]: ...  # runs by start_utc


def athlete_log(rows: PlanRows, athlete_id: int) -> AthleteLog:
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


def _awake(s: Settings, at: time) -> bool:
    if s.sleep <= s.wake:  # a waking day across midnight
        return at >= s.wake or at < s.sleep
    return s.wake <= at < s.sleep


def overlay(
    s: Settings, learned: LearnedRoutine | None, day: date, actual: time | None
) -> Settings:
    """The settings the planner sees on `day`: the declared ones, with the learned routine
    (when enough weeks) and the actual start of the day's run (when there was one)."""
    from triplane.core.anatomy import WEEKDAYS

    if learned is not None and learned.enough:
        times = tuple(
            (wd, stored_time(hhmm))
            for wd, hhmm in learned.run_days.items()
            if _awake(s, stored_time(hhmm))
        )
        long_run = learned.long_run_day
        if long_run is None and s.long_run_day in learned.run_days:
            long_run = s.long_run_day
        s = replace(
            s, run_days=frozenset(wd for wd, _ in times), run_times=times, long_run_day=long_run
        )
    if actual is not None and _awake(s, actual):
        wd = WEEKDAYS[day.weekday()]
        s = replace(s, run_times=((wd, actual), *((d, tt) for d, tt in s.run_times if d != wd)))
    return s


def with_routine(
    runs: list[tuple[datetime, float, float | None]], settings_on: Callable[[date], Settings]
) -> Callable[[date], Settings]:
    """Wrap a settings lookup so it includes the learned routine (memoised)."""
    if not runs:
        return settings_on
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

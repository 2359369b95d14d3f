"""The log as the core sees it: plain, immutable records that the service builds from the store.

The core never reads the database; it gets these, and derives everything else from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time


@dataclass(frozen=True)
class Measurement:
    date: date
    test: str
    motion: str
    side: str  # left | right
    unit: str  # degrees | cm | score | pass_fail | rating
    value: float  # pass_fail: 1 pass, 0 fail; rating: 0..3
    painful: bool = False
    device: str = "inclinometer_app"
    position: str = ""
    active: bool = True
    id: int | None = None


@dataclass(frozen=True)
class DrillLog:
    date: date
    drill: str
    minutes: float
    discomfort: int | None = None
    skipped: bool = False
    # the motions the snack was planned for, so "owed" minutes stay right if the catalogue changes
    motions: tuple[str, ...] = ()
    id: int | None = None
    recorded: datetime | None = None  # when it was entered: orders a day's logs and check-ins


@dataclass(frozen=True)
class Prescription:
    """One lunge direction's level: a step on each ladder, and reps per side."""

    direction: str
    levels: tuple[tuple[str, str], ...]  # (variable, step id), in ladder order
    reps: int

    def level(self, variable: str) -> str:
        return dict(self.levels)[variable]

    def with_level(self, variable: str, step: str, reps: int | None = None) -> Prescription:
        levels = tuple((v, step if v == variable else s) for v, s in self.levels)
        return Prescription(self.direction, levels, self.reps if reps is None else reps)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"direction": self.direction, "reps": self.reps}
        out.update(dict(self.levels))
        return out


@dataclass(frozen=True)
class LungeLog:
    date: date
    direction: str
    reps: int
    discomfort: int
    balance_ok: bool
    prescription: Prescription  # what was prescribed when it was done
    sharp_pain: bool = False
    load: str | None = None  # what was actually held, e.g. "8kg"
    id: int | None = None
    recorded: datetime | None = None  # when it was entered: orders a day's logs and check-ins
    capped: str | None = None  # why the session was capped (a lighter one), if it was


@dataclass(frozen=True)
class CheckIn:
    date: date
    pain: int
    flags: tuple[str, ...] = ()
    cleared_by_clinician: bool = False
    id: int | None = None
    recorded: datetime | None = None  # when it was entered: orders a day's logs and check-ins


@dataclass(frozen=True)
class AwayPeriod:
    start: date
    end: date
    reason: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Event:
    """A race or long run on the calendar."""

    date: date
    kind: str  # race | long_run
    time: time | None = None
    name: str = ""
    duration_minutes: int | None = None  # expected length; None: the kind's default

    @property
    def expected_minutes(self) -> int:
        if self.duration_minutes is not None:
            return self.duration_minutes
        return EVENT_DEFAULT_MINUTES.get(self.kind, EVENT_DEFAULT_MINUTES["race"])


# an event's expected length when none is given (issue 12 §1): a race 4 h, a long run 2.5 h
EVENT_DEFAULT_MINUTES = {"race": 240, "long_run": 150}


@dataclass(frozen=True)
class Settings:
    """The person's week and preferences in force on a given day (settings are dated entries)."""

    wake: time = time(6, 30)
    sleep: time = time(22, 30)
    run_days: frozenset[str] = frozenset()
    run_time: time | None = None
    gym_days: frozenset[str] = frozenset()
    gym_time: time | None = None
    gym_minutes: int = 60
    work_days: frozenset[str] = frozenset({"mon", "tue", "wed", "thu", "fri"})
    work_start: time | None = None
    work_end: time | None = None
    daily_minutes: int = 15
    kneeling_ok: bool = True
    conditions: tuple[str, ...] = ()
    norm_set: str | None = None  # None: the catalogue's default
    ladder_order: tuple[str, ...] | None = None  # None: the catalogue's default
    lunge_cap: str | None = None  # a coach's cap on the lunge matrix (why); None: no cap
    long_run_day: str | None = None
    # run times per weekday that override run_time (declared with --run-times, or learned from
    # activities); a weekday listed twice has two runs
    run_times: tuple[tuple[str, time], ...] = field(default=())
    # a hip replacement's surgical approach (posterior | anterior | unknown); None: unknown
    hip_approach: str | None = None
    birth_year: int | None = None  # optional: picks age-specific norms where there are any
    sex: str | None = None  # optional: female | male; picks sex-specific norms
    second_run_time: time | None = None  # a second run on every run day (--run-time A,B)
    # a coach's choices (issue 14 §6): drills never planned; drills planned on at least n days
    # a week where conditions and safety allow; lunge directions capped or locked at their level
    banned_drills: tuple[str, ...] = ()
    pinned_drills: tuple[tuple[str, int], ...] = ()  # (drill id, days a week)
    lunge_holds: tuple[tuple[str, str], ...] = ()  # (direction id, "cap" | "lock")

    def run_time_on(self, weekday: str) -> time | None:
        times = self.run_times_on(weekday)
        return times[0] if times else None

    def run_times_on(self, weekday: str) -> tuple[time, ...]:
        """The day's runs in the order of the waking day (one or two)."""
        listed = tuple(t for day, t in self.run_times if day == weekday)
        if listed:
            return listed
        if weekday not in self.run_days or self.run_time is None:
            return ()
        if self.second_run_time is None:
            return (self.run_time,)
        return (self.run_time, self.second_run_time)

    @property
    def crosses_midnight(self) -> bool:
        return self.sleep <= self.wake

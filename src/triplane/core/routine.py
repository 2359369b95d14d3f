"""The athlete's running routine, learned from imported runs (pure: no I/O).

From the runs of the 6 weeks before the day being planned, Triplane learns the usual run days,
the usual start of each, and the long-run day. The rules:

- **Window**: the 42 days before ``as_of`` (``as_of`` itself excluded), cut into six 7-day
  blocks counted back from ``as_of``.
- **Covered weeks**: blocks with at least one run. A week off (holiday, illness) neither counts
  for nor against a weekday.
- **Enough**: at least :data:`MIN_WEEKS` covered weeks. Then the learned routine replaces the
  declared run schedule; with less it is shown but not used.
- **Usual run day**: a weekday the athlete ran on in at least half of the covered weeks
  (``2 * weeks_run_on_that_weekday >= weeks_covered``).
- **Usual start**: of the first run of each such day, the lower median of the local start
  times, so it is a time the athlete really started at (07:00 and 18:30 give 07:00, not 12:45).
- **Long-run day**: the usual run day whose runs are longest (median of each day's total run
  duration), provided that median is at least :data:`LONG_RUN_FACTOR` times the median of the
  other usual days'. No clear long run (or a single usual day) gives ``None``.

Input times are local to the athlete (the caller converts from UTC with the athlete's zone).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from triplane.core.anatomy import WEEKDAYS
from triplane.core.records import Settings

WINDOW_WEEKS = 6
MIN_WEEKS = 3
LONG_RUN_FACTOR = 1.25


@dataclass(frozen=True)
class LearnedRoutine:
    as_of: date
    weeks_covered: int  # 7-day blocks of the window with at least one run
    run_days: dict[str, str]  # weekday ('mon'..'sun') -> usual start 'HH:MM', in week order
    long_run_day: str | None
    enough: bool  # weeks_covered >= MIN_WEEKS: use it instead of the declared schedule
    runs_counted: int = 0
    weeks_by_day: dict[str, int] = field(default_factory=dict)  # weeks run on each weekday

    def start_on(self, weekday: str) -> str | None:
        """The usual start on a weekday, or None if it is not a usual run day."""
        return self.run_days.get(weekday)

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "weeks_covered": self.weeks_covered,
            "run_days": dict(self.run_days),
            "long_run_day": self.long_run_day,
            "enough": self.enough,
            "runs_counted": self.runs_counted,
            "weeks_by_day": dict(self.weeks_by_day),
        }

    def text_repr(self) -> str:
        if not self.run_days:
            return f"No usual run days yet ({self.weeks_covered} of {MIN_WEEKS} weeks of runs)."
        days = ", ".join(f"{d} {t}" for d, t in self.run_days.items())
        long = f"; long run on {self.long_run_day}" if self.long_run_day else ""
        use = "" if self.enough else f" (not used yet: {self.weeks_covered} of {MIN_WEEKS} weeks)"
        return f"Runs {days}{long}{use}."


def learn_routine(
    runs: Iterable[tuple[datetime, float, float | None]], as_of: date
) -> LearnedRoutine:
    """Learn the routine from ``(start_local, duration_s, distance_m)`` of runs (see module doc).

    Runs outside the 6 weeks before ``as_of`` are ignored; non-runs should not be passed.
    """
    first_day = as_of - timedelta(days=7 * WINDOW_WEEKS)
    # per calendar date: the first start (minutes after midnight) and the total duration
    first_start: dict[date, int] = {}
    total_s: dict[date, float] = defaultdict(float)
    counted = 0
    for start, duration_s, _distance in runs:
        d = start.date()
        if not (first_day <= d < as_of):
            continue
        counted += 1
        minute = start.hour * 60 + start.minute
        if d not in first_start or minute < first_start[d]:
            first_start[d] = minute
        total_s[d] += max(float(duration_s or 0.0), 0.0)

    def block(d: date) -> int:
        return ((as_of - d).days - 1) // 7

    weeks = {block(d) for d in first_start}
    weeks_covered = len(weeks)
    weeks_by_day: dict[str, set[int]] = defaultdict(set)
    for d in first_start:
        weeks_by_day[WEEKDAYS[d.weekday()]].add(block(d))

    run_days: dict[str, str] = {}
    for wd in WEEKDAYS:
        n = len(weeks_by_day.get(wd, ()))
        if weeks_covered and n and 2 * n >= weeks_covered:
            starts = sorted(m for d, m in first_start.items() if WEEKDAYS[d.weekday()] == wd)
            m = statistics.median_low(starts)
            run_days[wd] = f"{m // 60:02d}:{m % 60:02d}"

    long_run_day: str | None = None
    if len(run_days) >= 2:
        medians = {
            wd: statistics.median(s for d, s in total_s.items() if WEEKDAYS[d.weekday()] == wd)
            for wd in run_days
        }
        best = max(run_days, key=lambda wd: (medians[wd], -WEEKDAYS.index(wd)))
        others = [v for wd, v in medians.items() if wd != best]
        if medians[best] > 0 and medians[best] >= LONG_RUN_FACTOR * statistics.median(others):
            long_run_day = best

    return LearnedRoutine(
        as_of=as_of,
        weeks_covered=weeks_covered,
        run_days=run_days,
        long_run_day=long_run_day,
        enough=weeks_covered >= MIN_WEEKS,
        runs_counted=counted,
        weeks_by_day={wd: len(weeks_by_day[wd]) for wd in WEEKDAYS if wd in weeks_by_day},
    )


def _awake(s: Settings, at: time) -> bool:
    if s.sleep <= s.wake:  # a waking day across midnight
        return at >= s.wake or at < s.sleep
    return s.wake <= at < s.sleep


def overlay(
    s: Settings, learned: LearnedRoutine | None, day: date, actual: time | None
) -> Settings:
    """The settings the planner sees on `day`: the declared ones, with the learned routine
    (when enough weeks) and the actual start of the day's run (when there was one)."""
    if learned is not None and learned.enough:
        times = tuple(
            (wd, tt)
            for wd, hhmm in learned.run_days.items()
            if _awake(s, tt := time.fromisoformat(hhmm))
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

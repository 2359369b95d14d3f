"""The progress queries behind charts, the weekly review and the report.

Built only on `Service` methods (planner, athlete_log, measurements, profile, settings_on,
lunge_next); the computations themselves are pure and live in `triplane.core.progress`.
Everything is replayed from the log each time; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from triplane.core import progress as core
from triplane.core.assess import Profile, build_profile, choose_norm_set
from triplane.core.lunge import DirectionPlan
from triplane.core.progress import (
    DayAdherence,
    LungeHistory,
    MotionWeek,
    Streaks,
    Trend,
)
from triplane.core.records import Measurement
from triplane.core.safety import SafetyState
from triplane.usecases.service import Athlete, Service

MAX_WEEKS = 26  # history shown: at most half a year


@dataclass(frozen=True)
class Progress:
    athlete: str
    as_of: date
    start: date  # the first day shown (a Monday), or as_of when there is no history
    norm_set: str
    norm_set_name: str
    profile: Profile
    days: tuple[DayAdherence, ...]
    motion_weeks: tuple[MotionWeek, ...]
    streaks: Streaks
    trends: tuple[Trend, ...]
    measurements: tuple[Measurement, ...]
    retest_due: dict[str, date]
    lunge: tuple[LungeHistory, ...]
    lunge_next: tuple[DirectionPlan, ...]
    safety: SafetyState  # the programme's state on as_of
    lunge_sessions: int  # lunge-matrix sessions (direction x day) in the history

    @property
    def has_history(self) -> bool:
        return bool(self.measurements or any(d.done for d in self.days) or self.lunge_sessions)

    @property
    def weeks(self) -> float:
        return ((self.as_of - self.start).days + 1) / 7


def first_day(svc: Service, athlete: Athlete, as_of: date) -> date | None:
    """The first day with anything in the log (a measurement, a drill or a lunge session)."""
    log = svc.athlete_log(athlete)
    dates = [g.date for g in log.drill_logs] + [g.date for g in log.lunge_logs]
    dates += [m.date for m in svc.measurements(athlete, as_of)]
    dates = [d for d in dates if d <= as_of]
    return min(dates) if dates else None


def progress(
    svc: Service, athlete: Athlete, as_of: date | None = None, weeks: int | None = None
) -> Progress:
    """Everything the charts and the review need, as of a day (today by default).

    The history starts on the Monday of the first logged day, or `weeks` weeks back, and is at
    most MAX_WEEKS long.
    """
    as_of = as_of or athlete.today()
    first = first_day(svc, athlete, as_of)
    limit = core.monday(as_of) - timedelta(weeks=(weeks or MAX_WEEKS) - 1)
    if weeks is not None:
        start = limit
    elif first is None:
        start = as_of
    else:
        start = max(core.monday(first), limit)
    cat = svc.catalogue
    planner = svc.planner(athlete)
    log = svc.athlete_log(athlete)
    plans = [planner.day(start + timedelta(days=i)) for i in range((as_of - start).days + 1)]
    window_logs = [g for g in log.drill_logs if start <= g.date <= as_of]
    days = core.day_adherence(plans, window_logs, today=as_of)

    measurements = svc.measurements(athlete, as_of)
    statuses: dict[date, dict[str, str]] = {}
    for w in sorted({core.monday(p.date) for p in plans}):
        # the status the plan worked from that week: the tests up to its Sunday
        upto = [m for m in measurements if m.date <= w + timedelta(days=6)]
        prof = build_profile(upto, cat, *choose_norm_set(cat, svc.settings_on(athlete, w), w))
        statuses[w] = {r.motion: r.status for r in prof.motions}
    weeks_data = core.motion_weeks(plans, window_logs, cat, statuses)

    settings = svc.settings_on(athlete, as_of)
    norm_id = settings.norm_set or cat.default_norm_set
    profile = svc.profile(athlete, as_of)
    trend_list = core.trends(measurements, cat, norm_id)

    state, next_plans = svc.lunge_next(athlete, as_of + timedelta(days=1))
    upcoming = {
        p.prescription.direction: (
            as_of + timedelta(days=1),
            p.prescription.levels,
            p.prescription.reps,
        )
        for p in next_plans
    }
    lunge_logs = [g for g in log.lunge_logs if g.date <= as_of]
    history = core.lunge_history(lunge_logs, cat.lunge, upcoming)
    sessions = len({(g.direction, g.date) for g in lunge_logs})
    return Progress(
        athlete=athlete.name,
        as_of=as_of,
        start=start,
        norm_set=norm_id,
        norm_set_name=cat.norm_sets[norm_id].name,
        profile=profile,
        days=tuple(days),
        motion_weeks=tuple(weeks_data),
        streaks=core.streaks(days),
        trends=tuple(trend_list),
        measurements=tuple(measurements),
        retest_due=core.retest_due(measurements, as_of),
        lunge=tuple(history),
        lunge_next=tuple(next_plans),
        safety=plans[-1].safety if plans else state,
        lunge_sessions=sessions,
    )

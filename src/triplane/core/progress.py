"""Progress derived from the log: adherence, minutes per motion, streaks, trends, lunge levels.

Pure functions over plain records (day plans, drill logs, measurements, lunge logs); the service
layer (`triplane.usecases.progress`) gathers the inputs. Nothing here is stored: it is all replayed.

Honesty rules (domain reference §1c, §5a):
- a change counts as real only when it is larger than the test's measurement error (MDC);
- for a degrees test without a published MDC the largest hip-range MDC in the reference
  (8.6 degrees, GRA) is assumed, and said to be assumed;
- gains usually show after 4-6 weeks of consistent work, so "no change yet" before then is normal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from triplane.core.anatomy import MOTIONS
from triplane.core.catalogue.model import Catalogue, LungeMatrix
from triplane.core.measurement_error import mdc_for
from triplane.core.plan import DayPlan
from triplane.core.records import DrillLog, LungeLog, Measurement
from triplane.core.safety import ACCEPTABLE_MAX, SAFE_MAX

ASSUMED_MDC_DEGREES = 8.6  # GRA's upper end; used, and labelled, where a test has none
RETEST_AFTER_DAYS = 21
GAINS_EXPECTED_WEEKS = 4  # gains appear by 4-6 weeks (BAN, AYA10)
REFER_AFTER_WEEKS = 8  # no gain beyond the MDC after this long: suggest a physiotherapist
CONSISTENT_SHARE = 0.6  # done / planned minutes that counts as consistent work
TREND_UNITS = ("degrees", "cm", "score")


@dataclass(frozen=True)
class DayAdherence:
    date: date
    planned: float  # minutes the plan asked for that day
    done: float  # minutes logged as done
    state: str  # planned | away | paused | today

    @property
    def share(self) -> float | None:
        return None if self.planned <= 0 else self.done / self.planned

    @property
    def active(self) -> bool:
        return self.done >= 1.0


@dataclass(frozen=True)
class MotionWeek:
    week: date  # the Monday
    motion: str
    planned: float
    done: float
    status: str  # the motion's status in the profile that week: restricted | borderline | ...


@dataclass(frozen=True)
class Streaks:
    current: int  # days in a row with some mobility work, up to today (away/paused days neutral)
    longest: int
    active_days: int  # days with some work
    planned_days: int  # days that had a plan (not away, not paused)


@dataclass(frozen=True)
class TrendPoint:
    date: date
    value: float
    painful: bool = False


@dataclass(frozen=True)
class Trend:
    motion: str
    side: str
    test: str
    test_name: str
    unit: str
    mdc: float | None
    mdc_assumed: bool  # True when the test has no published MDC and ASSUMED_MDC_DEGREES is used
    norm: float | None  # the norm's low end, for degrees tests with a norm
    higher_is_better: bool
    points: tuple[TrendPoint, ...]

    @property
    def change(self) -> float | None:
        """Latest minus first value, signed so that positive is better."""
        if len(self.points) < 2:
            return None
        delta = self.points[-1].value - self.points[0].value
        return delta if self.higher_is_better else -delta

    @property
    def weeks(self) -> float:
        if len(self.points) < 2:
            return 0.0
        return (self.points[-1].date - self.points[0].date).days / 7

    @property
    def beyond_error(self) -> bool:
        """The change is larger than the test's measurement error (or the assumed one). The
        change is compared as it is shown, to a tenth of a unit: "5.4 vs MDC 5.4" is not beyond."""
        c = self.change
        return c is not None and self.mdc is not None and round(abs(c), 1) > self.mdc

    @property
    def last_date(self) -> date | None:
        return self.points[-1].date if self.points else None


@dataclass(frozen=True)
class LungePoint:
    date: date
    levels: tuple[tuple[str, int], ...]  # (variable, step index from 0), in VARIABLES order
    reps: int
    outcome: str  # ok | balance | hold | stop | next


@dataclass(frozen=True)
class LungeHistory:
    direction: str
    name: str
    points: tuple[LungePoint, ...]


# ---- adherence ----------------------------------------------------------------------------------


def snack_states(
    drills: Sequence[str], drill_logs: Iterable[DrillLog], day: date
) -> list[str | None]:
    """Which of a day's snacks (their drill ids, in the plan's order) are logged: "done",
    "skipped" or None. Each log of the day marks the first snack of its drill not yet marked,
    so a drill planned twice and logged once is done once."""
    logged = [g for g in drill_logs if g.date == day]
    used: set[int] = set()
    states: list[str | None] = []
    for drill in drills:
        match = next((j for j, g in enumerate(logged) if j not in used and g.drill == drill), None)
        if match is None:
            states.append(None)
            continue
        used.add(match)
        states.append("skipped" if logged[match].skipped else "done")
    return states


def done_minutes(drill_logs: Iterable[DrillLog]) -> dict[date, float]:
    out: dict[date, float] = {}
    for g in drill_logs:
        if not g.skipped:
            out[g.date] = out.get(g.date, 0.0) + g.minutes
    return out


def day_adherence(
    plans: Sequence[DayPlan], drill_logs: Iterable[DrillLog], today: date | None = None
) -> list[DayAdherence]:
    """Minutes done against minutes planned, one entry per planned day (in the plans' order)."""
    done = done_minutes(drill_logs)
    out: list[DayAdherence] = []
    for p in plans:
        if p.away is not None:
            state = "away"
        elif p.safety.paused:
            state = "paused"
        elif today is not None and p.date == today:
            state = "today"
        else:
            state = "planned"
        planned = float(p.total_minutes) if state in ("planned", "today") else 0.0
        out.append(DayAdherence(p.date, planned, done.get(p.date, 0.0), state))
    return out


def streaks(days: Sequence[DayAdherence]) -> Streaks:
    """Runs of days with some mobility work. Away and paused days neither break nor extend a run;
    today does not break it before it is over."""
    current = longest = 0
    active = planned = 0
    for d in sorted(days, key=lambda d: d.date):
        if d.active:
            current += 1
            active += 1
        elif d.state == "planned" and d.planned > 0:
            current = 0
        longest = max(longest, current)
        if d.state == "planned" and d.planned > 0:
            planned += 1
    return Streaks(current=current, longest=longest, active_days=active, planned_days=planned)


def _motions_of(g: DrillLog, catalogue: Catalogue) -> tuple[str, ...]:
    if g.motions:
        return g.motions
    drill = catalogue.drills.get(g.drill)
    return drill.motions if drill is not None else ()


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def motion_weeks(
    plans: Sequence[DayPlan],
    drill_logs: Iterable[DrillLog],
    catalogue: Catalogue,
    statuses: Mapping[date, Mapping[str, str]],
) -> list[MotionWeek]:
    """Minutes per motion per week, planned and done. A drill's minutes are shared equally among
    its motions (as the planner counts them). `statuses` maps a Monday to each motion's status."""
    planned: dict[tuple[date, str], float] = {}
    done: dict[tuple[date, str], float] = {}
    weeks: list[date] = []
    days = {p.date for p in plans}
    for p in plans:
        w = monday(p.date)
        if w not in weeks:
            weeks.append(w)
        for sl in p.slots:
            for m in sl.drill.motions:
                key = (w, m)
                planned[key] = planned.get(key, 0.0) + sl.minutes / len(sl.drill.motions)
    for g in drill_logs:
        if g.skipped or g.date not in days:
            continue
        motions = _motions_of(g, catalogue)
        for m in motions:
            key = (monday(g.date), m)
            done[key] = done.get(key, 0.0) + g.minutes / len(motions)
    out: list[MotionWeek] = []
    for w in sorted(weeks):
        status = statuses.get(w, {})
        for m in MOTIONS:
            out.append(
                MotionWeek(
                    w,
                    m,
                    round(planned.get((w, m), 0.0), 2),
                    round(done.get((w, m), 0.0), 2),
                    status.get(m, "unknown"),
                )
            )
    return out


def consistent(days: Sequence[DayAdherence], since: date | None = None) -> bool:
    """Done at least CONSISTENT_SHARE of the planned minutes (since a date)."""
    chosen = [d for d in days if since is None or d.date >= since]
    planned = sum(d.planned for d in chosen if d.state == "planned")
    done = sum(d.done for d in chosen if d.state == "planned")
    return planned > 0 and done / planned >= CONSISTENT_SHARE


def recent_days(days: Sequence[DayAdherence], today: date, window: int = 7) -> tuple[int, int]:
    """Consistency, not a streak: (days with some mobility work, days counted) over the last
    `window` days up to today. Away and paused days are not counted (nothing was owed)."""
    start = today - timedelta(days=window - 1)
    counted = [d for d in days if start <= d.date <= today and d.state in ("planned", "today")]
    return sum(1 for d in counted if d.active), len(counted)


# ---- measurements -------------------------------------------------------------------------------


def trends(
    measurements: Iterable[Measurement], catalogue: Catalogue, norm_set: str | None = None
) -> list[Trend]:
    """One trend per motion and side: the history of the test used most recently for it
    (different tests are not comparable, so they are never joined into one line)."""
    norms = catalogue.norm_sets[norm_set or catalogue.default_norm_set]
    by_key: dict[tuple[str, str, str], list[Measurement]] = {}
    latest_test: dict[tuple[str, str], tuple[date, int, str]] = {}
    for m in sorted(measurements, key=lambda m: (m.date, m.id or 0)):
        if m.unit not in TREND_UNITS:
            continue
        by_key.setdefault((m.motion, m.side, m.test), []).append(m)
        latest_test[(m.motion, m.side)] = (m.date, m.id or 0, m.test)
    out: list[Trend] = []
    for motion in MOTIONS:
        for side in ("left", "right"):
            if (motion, side) not in latest_test:
                continue
            test_id = latest_test[(motion, side)][2]
            test = catalogue.tests[test_id]
            history = by_key[(motion, side, test_id)]
            # A line of phone-inclinometer readings only uses the inclinometer's MDC; a line
            # that mixes methods keeps the test's (the larger error of the two).
            own = {mdc_for(m.device, test_id, test.mdc) for m in history}
            mdc = own.pop()[0] if len(own) == 1 else test.mdc
            assumed = False
            if mdc is None and test.unit == "degrees":
                mdc, assumed = ASSUMED_MDC_DEGREES, True
            norm = norms.norm_for(test_id, motion) if test.unit == "degrees" else None
            out.append(
                Trend(
                    motion=motion,
                    side=side,
                    test=test_id,
                    test_name=test.name,
                    unit=test.unit,
                    mdc=mdc,
                    mdc_assumed=assumed,
                    norm=None if norm is None else norm.value,
                    higher_is_better=test.higher_is_better,
                    points=tuple(TrendPoint(m.date, m.value, m.painful) for m in history),
                )
            )
    return out


def retest_due(
    measurements: Iterable[Measurement], as_of: date, days: int = RETEST_AFTER_DAYS
) -> dict[str, date]:
    """Motions whose last test (either side) is more than `days` old -> the date of that test."""
    last: dict[str, date] = {}
    for m in measurements:
        if m.date <= as_of and (m.motion not in last or m.date > last[m.motion]):
            last[m.motion] = m.date
    return {
        motion: last[motion]
        for motion in MOTIONS
        if motion in last and (as_of - last[motion]).days > days
    }


# ---- lunge matrix -------------------------------------------------------------------------------


def _outcome(logs: Sequence[LungeLog]) -> str:
    if any(g.sharp_pain or g.discomfort > ACCEPTABLE_MAX for g in logs):
        return "stop"
    if any(not g.balance_ok for g in logs):
        return "balance"
    if (
        min(g.reps for g in logs) < logs[-1].prescription.reps
        or max(g.discomfort for g in logs) > SAFE_MAX
    ):
        return "hold"
    return "ok"


def lunge_history(
    lunge_logs: Iterable[LungeLog],
    matrix: LungeMatrix,
    upcoming: Mapping[str, tuple[date, Sequence[tuple[str, str]], int]] | None = None,
) -> list[LungeHistory]:
    """Per direction: the level of each variable at every session (what was prescribed that day),
    and, when given, the next prescription as a last point with outcome `next`."""
    from triplane.core.lunge import VARIABLES

    sessions: dict[str, dict[date, list[LungeLog]]] = {}
    for g in sorted(lunge_logs, key=lambda g: (g.date, g.id or 0)):
        sessions.setdefault(g.direction, {}).setdefault(g.date, []).append(g)

    def indexes(levels: Iterable[tuple[str, str]]) -> tuple[tuple[str, int], ...]:
        given = dict(levels)
        out: list[tuple[str, int]] = []
        for v in VARIABLES:
            ladder = matrix.ladders[v]
            try:
                out.append((v, ladder.index(given[v])))
            except KeyError:
                out.append((v, 0))
        return tuple(out)

    result: list[LungeHistory] = []
    for direction in matrix.directions:
        points = [
            LungePoint(
                day,
                indexes(logs[-1].prescription.levels),
                logs[-1].prescription.reps,
                _outcome(logs),
            )
            for day, logs in sorted(sessions.get(direction.id, {}).items())
        ]
        if upcoming and direction.id in upcoming and points:
            day, levels, reps = upcoming[direction.id]
            points.append(LungePoint(day, indexes(levels), reps, "next"))
        result.append(LungeHistory(direction.id, direction.name, tuple(points)))
    return result


def steps_above_start(point: LungePoint) -> int:
    return sum(i for _, i in point.levels)

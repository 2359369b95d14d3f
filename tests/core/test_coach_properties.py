"""A coach's bans, pins and lunge holds (issue 14 §6), over generated athletes (hypothesis).

Each example is a week of settings (run and gym days, budget, kneeling, conditions), a profile,
a log (drills that hurt, check-ins that pause, away days, a race), and the coach's choices: a
few banned drills, a few pinned ones. Over three weeks of plans:
- a banned drill never appears, on any day, in any snack (base week, swaps, catch-ups);
- a pin never overrides a condition (every drill is allowed by the conditions), a safety pause
  (a paused day has no snack) or an away day; with nothing in its way a pin is met;
- a locked lunge direction's prescription never moves while locked (and never goes up, even
  when pain pauses the matrix: safety may only bring it down).
"""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core.anatomy import WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.conditions import drill_allowed, restrictions_for
from triplane.core.lunge import HOLD_WHY, easier_or_same, plan_direction
from triplane.core.plan import AthleteLog, Planner
from triplane.core.records import AwayPeriod, CheckIn, DrillLog, Event, LungeLog, Settings
from triplane.core.safety import lunge_state, pause_periods

CAT = load_catalogue()
M = CAT.lunge
MONDAY = date(2026, 11, 30)
DRILLS = sorted(CAT.drills)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def athletes(draw: st.DrawFn) -> tuple[Settings, AthleteLog]:
    run_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=5)))
    gym_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=2)))
    s = Settings(
        run_days=run_days,
        run_time=time(draw(st.integers(7, 19)), 0) if run_days else None,
        gym_days=gym_days,
        gym_time=time(18, 0) if gym_days else None,
        daily_minutes=draw(st.sampled_from([5, 10, 15, 20, 30])),
        kneeling_ok=draw(st.booleans()),
        conditions=tuple(
            draw(
                st.sets(
                    st.sampled_from(["hip_replacement", "knee_pain", "hip_impingement"]), max_size=2
                )
            )
        ),  # fmt: skip
        work_start=time(9, 0) if draw(st.booleans()) else None,
        banned_drills=tuple(sorted(draw(st.sets(st.sampled_from(DRILLS), max_size=12)))),
        pinned_drills=tuple(
            sorted(
                draw(
                    st.dictionaries(st.sampled_from(DRILLS), st.integers(1, 7), max_size=3)
                ).items()
            )
        ),
    )
    if s.work_start is not None:
        s = Settings(**{**s.__dict__, "work_end": time(17, 0)})
    days = [MONDAY + timedelta(days=i) for i in range(21)]
    drill_logs = tuple(
        DrillLog(draw(st.sampled_from(days)), draw(st.sampled_from(DRILLS)), 2.0,
                 discomfort=draw(st.integers(0, 9)), id=i + 1)
        for i in range(draw(st.integers(0, 6)))
    )  # fmt: skip
    check_ins = tuple(
        CheckIn(draw(st.sampled_from(days)), draw(st.integers(0, 8)), id=i + 1)
        for i in range(draw(st.integers(0, 2)))
    )
    away = ()
    if draw(st.booleans()):
        start = draw(st.sampled_from(days))
        away = (AwayPeriod(start, start + timedelta(days=draw(st.integers(0, 3))), "trip"),)
    events = ()
    if draw(st.booleans()):
        events = (Event(draw(st.sampled_from(days)), "race", time(9, 0), "race"),)
    return s, AthleteLog(drill_logs, (), check_ins, away, events)


def _planner(s: Settings, log: AthleteLog) -> Planner:
    profile = build_profile([], CAT)
    return Planner(CAT, lambda d: s, lambda d: profile, log, seed="c", since=MONDAY, today=MONDAY)


def _days(p: Planner):  # type: ignore[no-untyped-def]
    return [plan for w in range(3) for plan in p.week(MONDAY + timedelta(days=7 * w))]


@SETTINGS
@given(athletes())
def test_a_banned_drill_never_appears(example: tuple[Settings, AthleteLog]) -> None:
    s, log = example
    banned = set(s.banned_drills)
    for day in _days(_planner(s, log)):
        for slot in day.slots:
            assert slot.drill.id not in banned, (day.date, slot.drill.id)


@SETTINGS
@given(athletes())
def test_pins_never_override_conditions_pauses_or_away_days(
    example: tuple[Settings, AthleteLog],
) -> None:
    s, log = example
    p = _planner(s, log)
    r = restrictions_for(CAT, s)
    for day in _days(p):
        if day.safety.paused or day.away:
            assert day.slots == (), day.date
        for slot in day.slots:
            assert drill_allowed(slot.drill, r), (day.date, slot.drill.id)


@SETTINGS
@given(
    st.sampled_from(
        [d for d in DRILLS if drill_allowed(CAT.drills[d], restrictions_for(CAT, Settings()))]
    ),
    st.integers(1, 7),
    st.sampled_from([10, 15, 20, 30]),
)
def test_a_pin_with_nothing_in_its_way_is_met(drill: str, n: int, budget: int) -> None:
    """No conditions, no log, a budget with free snacks every day: the pinned drill is on at
    least n days of the week, as long as its dose fits a free snack."""
    from triplane.core import dose as doses

    s = Settings(daily_minutes=budget, pinned_drills=((drill, n),))
    p = _planner(s, AthleteLog())
    week = p.week(MONDAY)
    fits_a_day = sum(
        any(doses.fits(CAT.drills[drill].dose, sl.minutes) and sl.context not in ("before_run",)
            for sl in day.slots)
        for day in week
    )  # fmt: skip
    days_with = sum(any(sl.drill.id == drill for sl in day.slots) for day in week)
    assert days_with >= min(n, fits_a_day), (drill, n, budget, days_with, fits_a_day)


OUTCOMES = ("clean", "clean", "clean", "reps", "sore", "balance", "pain")


@SETTINGS
@given(st.data())
def test_a_locked_direction_never_moves(data: st.DataObject) -> None:
    """Sessions three times a week for 8 weeks; the coach locks the direction from some day on.
    While locked the prescription is the level at the lock, and never above it even after a
    pause for pain; each locked session is logged as held (counts for nothing)."""
    direction = data.draw(st.sampled_from([d.id for d in M.directions]))
    lock_from = MONDAY + timedelta(days=data.draw(st.integers(0, 40)))
    days = [MONDAY + timedelta(days=7 * w + wd) for w in range(8) for wd in (0, 2, 4)]
    logs: list[LungeLog] = []
    check_ins: list[CheckIn] = []
    at_lock = None
    hurt = False
    for day in days:
        if lunge_state(check_ins, logs, day, CAT.red_flags).paused:
            check_ins.append(CheckIn(day, pain=1, id=len(check_ins) + 1))
            continue
        locked = HOLD_WHY["lock"] if day >= lock_from else None
        plan = plan_direction(M, direction, logs, pause_periods(check_ins, logs), day,
                              lambda _d: M.default_order, None, None, locked)  # fmt: skip
        if locked is not None:
            assert plan.status == "locked" and plan.capped is not None
            if at_lock is None:
                at_lock = plan.prescription
            elif hurt:
                assert easier_or_same(M, plan.prescription, at_lock), (day, plan.prescription)
            else:
                assert plan.prescription == at_lock, (day, plan.prescription, at_lock)
        outcome = data.draw(st.sampled_from(OUTCOMES))
        hurt = hurt or (outcome == "pain" and locked is not None)
        p = plan.prescription
        logs.append(LungeLog(
            day, direction,
            reps=p.reps - 1 if outcome == "reps" else p.reps,
            discomfort={"sore": 5, "pain": 7}.get(outcome, 2),
            balance_ok=outcome != "balance",
            prescription=p,
            id=len(logs) + 1,
            capped=plan.capped,
        ))  # fmt: skip

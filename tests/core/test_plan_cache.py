"""Issue 17: the planner's shared caches change nothing.

`Planner(..., cache=True)` (the default: caches shared between planners, per-catalogue data,
the faster greedy choice) must give exactly what `Planner(..., cache=False)` gives (the planner
as it was before issue 17, kept for this comparison): the same days, slots in the same order,
the same drills, minutes, doses, notes, lunge sessions and safety states. Generated athletes
(day and night schedules, shifts across midnight, two runs a day, gym, long runs, conditions
with a hip approach, no kneeling, assessments), settings that change within the weeks, away
days, races and long runs, drill logs (with pain), lunge logs and check-ins. Several athletes
are planned one after another so that the shared caches are warm with someone else's answers
(and, across examples, with earlier examples'), which is where a key missing an input would
show.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core import plan
from triplane.core.anatomy import MOTIONS, WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.lunge import start_prescription
from triplane.core.plan import AthleteLog, Planner
from triplane.core.records import (
    AwayPeriod,
    CheckIn,
    DrillLog,
    Event,
    LungeLog,
    Measurement,
    Settings,
)

CAT = load_catalogue()
MONDAY = date(2026, 11, 30)
DRILL_IDS = sorted(CAT.drills)
DIRECTIONS = [d.id for d in CAT.lunge.directions]
TEST_FOR = {
    "flexion": ("active_hip_flexion", 110),
    "extension": ("modified_thomas", 10),
    "abduction": ("standing_abduction", 30),
    "adduction": ("standing_adduction", 20),
    "internal_rotation": ("seated_rotation", 30),
    "external_rotation": ("seated_rotation", 40),
}


def hm(draw, hours: list[int]) -> time:  # type: ignore[no-untyped-def]
    return time(draw(st.sampled_from(hours)), draw(st.sampled_from([0, 5, 30, 35])))


@st.composite
def week_settings(draw):  # type: ignore[no-untyped-def]
    night = draw(st.booleans())
    if night:  # a night-shift week: up in the afternoon, shifts across midnight
        wake = time(draw(st.integers(12, 16)), draw(st.sampled_from([0, 30])))
        sleep = time(draw(st.integers(6, 8)), 0)
        work = draw(st.sampled_from([None, (time(21), time(5)), (time(20), time(4))]))
        hours = list(range(wake.hour + 1, 24)) + list(range(0, 5))
    else:
        wake = time(draw(st.integers(5, 8)), draw(st.sampled_from([0, 15, 30])))
        sleep = time(draw(st.integers(21, 23)), draw(st.sampled_from([0, 30])))
        work = draw(st.sampled_from([None, (time(9), time(17)), (time(8), time(12))]))
        hours = list(range(wake.hour + 1, 21))
    run_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=6)))
    gym_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=3)))
    per_day = draw(st.booleans()) and bool(run_days)
    conditions = tuple(sorted(draw(st.sets(st.sampled_from(sorted(CAT.conditions)), max_size=2))))
    return Settings(
        wake=wake,
        sleep=sleep,
        run_days=run_days,
        run_time=hm(draw, hours) if run_days else None,
        second_run_time=draw(st.one_of(st.none(), st.just(time(hours[-1], 15))))
        if run_days
        else None,
        run_times=tuple(sorted((d, hm(draw, hours)) for d in run_days)) if per_day else (),
        gym_days=gym_days,
        gym_time=hm(draw, hours) if gym_days else None,
        gym_minutes=draw(st.sampled_from([30, 45, 60, 90])),
        work_days=frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), min_size=3, max_size=5))),
        work_start=work[0] if work else None,
        work_end=work[1] if work else None,
        daily_minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45])),
        kneeling_ok=draw(st.booleans()),
        conditions=conditions,
        hip_approach=draw(st.sampled_from([None, "posterior", "anterior", "unknown"]))
        if "hip_replacement" in conditions
        else None,
        long_run_day=draw(st.one_of(st.none(), st.sampled_from(WEEKDAYS))),
        ladder_order=draw(st.one_of(st.none(), st.permutations(CAT.lunge.default_order).map(tuple)))
        or None,
        lunge_cap=draw(st.sampled_from([None, None, None, "coach says easy"])),
    )


def day(draw, lo: int, hi: int) -> date:  # type: ignore[no-untyped-def]
    return MONDAY + timedelta(days=draw(st.integers(lo, hi)))


@st.composite
def athletes(draw):  # type: ignore[no-untyped-def]
    first = draw(week_settings())
    # now and then the settings change mid-way (settings are dated entries)
    change = draw(st.one_of(st.none(), st.tuples(st.integers(-7, 13), week_settings())))
    measurements = []
    for motion in MOTIONS:
        factor = draw(st.sampled_from([None, 0.6, 0.92, 1.1]))
        if factor is None:
            continue
        test, norm = TEST_FOR[motion]
        for side in ("left", "right"):
            value = norm * factor * draw(st.sampled_from([0.85, 1.0, 1.15]))
            painful = draw(st.integers(0, 9)) == 0
            measurements.append(
                Measurement(
                    MONDAY - timedelta(days=20), test, motion, side, "degrees", value, painful
                )
            )
    n_logs = draw(st.integers(0, 10))
    drill_logs = tuple(
        DrillLog(
            day(draw, -16, 12),
            draw(st.sampled_from(DRILL_IDS)),
            float(draw(st.integers(1, 5))),
            draw(st.one_of(st.none(), st.integers(0, 10))),
            draw(st.integers(0, 4)) == 0,
            id=i + 1,
        )
        for i in range(n_logs)
    )
    lunge_logs = []
    for i in range(draw(st.integers(0, 6))):
        direction = draw(st.sampled_from(DIRECTIONS))
        p = start_prescription(CAT.lunge, direction)
        lunge_logs.append(
            LungeLog(
                day(draw, -20, 10),
                direction,
                p.reps,
                draw(st.sampled_from([0, 1, 2, 3, 6])),
                draw(st.booleans()),
                p,
                sharp_pain=draw(st.integers(0, 9)) == 0,
                id=i + 1,
            )
        )
    check_ins = tuple(
        CheckIn(day(draw, -10, 12), draw(st.integers(0, 8)), id=i + 1)
        for i in range(draw(st.integers(0, 2)))
    )
    away = tuple(
        AwayPeriod(start, start + timedelta(days=draw(st.integers(0, 3))), "trip")
        for start in [day(draw, -5, 12) for _ in range(draw(st.integers(0, 1)))]
    )
    events = tuple(
        Event(
            day(draw, -3, 13),
            draw(st.sampled_from(["race", "long_run"])),
            draw(st.one_of(st.none(), st.sampled_from([time(6, 30), time(9), time(17, 5)]))),
            draw(st.sampled_from(["", "Trail 50k"])),
            draw(st.sampled_from([None, 90, 240, 600])),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    log = AthleteLog(drill_logs, tuple(lunge_logs), check_ins, away, events)
    seed = draw(st.sampled_from(["a", "b", "Ultra Runner"]))
    return first, change, measurements, log, seed


def planner_for(athlete, cache: bool) -> Planner:  # type: ignore[no-untyped-def]
    first, change, measurements, log, seed = athlete
    profile = build_profile(measurements, CAT)
    before = build_profile([], CAT)

    def settings_on(d: date) -> Settings:
        if change is not None and d >= MONDAY + timedelta(days=change[0]):
            return change[1]
        return first

    def profile_on(d: date):  # type: ignore[no-untyped-def]
        return profile if d >= MONDAY - timedelta(days=20) else before

    today = MONDAY + timedelta(days=2)
    since = MONDAY - timedelta(days=10)
    return Planner(CAT, settings_on, profile_on, log, seed, since, today, cache=cache)


def plans(p: Planner) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for monday in (MONDAY - timedelta(days=7), MONDAY, MONDAY + timedelta(days=7)):
        for d in p.week(monday):
            out.append(d.as_dict())
            out.append({"plan": d})  # the objects too: Slot, Drill, SafetyState, sessions
        out.append({"lunge_days": sorted(p.lunge_days(monday))})
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(athletes(), min_size=1, max_size=3))
def test_shared_caches_plan_exactly_what_the_reference_plans(people):  # type: ignore[no-untyped-def]
    shared = [plans(planner_for(a, cache=True)) for a in people]
    for a, got in zip(people, shared, strict=True):
        assert got == plans(planner_for(a, cache=False))
    # planned again with every cache warm: still the same
    assert plans(planner_for(people[0], cache=True)) == shared[0]


def test_bench_population_plans_the_same():
    """The benchmark's first athletes, one week each: both paths agree (and the reference is
    not trivially empty)."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "plan_many", Path(__file__).parents[2] / "bench" / "plan_many.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["plan_many"] = bench  # its dataclass looks its module up
    spec.loader.exec_module(bench)
    people = bench.athletes(40, CAT)
    new = bench.plan_weeks(CAT, people, cache=True)
    old = bench.plan_weeks(CAT, people, cache=False)
    assert new == old
    assert sum(len(d.slots) for week in old for d in week) > 40 * 7 * 2


def test_clear_caches_empties_the_shared_caches():
    s = Settings(run_days=frozenset({"tue"}), run_time=time(7))
    profile = build_profile([], CAT)
    Planner(CAT, lambda d: s, lambda d: profile, AthleteLog(), "x").week(MONDAY)
    assert len(plan._SKELETONS) > 0
    plan.clear_caches()
    assert len(plan._SKELETONS) == 0
    again = Planner(CAT, lambda d: s, lambda d: profile, AthleteLog(), "x").week(MONDAY)
    ref = Planner(CAT, lambda d: s, lambda d: profile, AthleteLog(), "x", cache=False)
    assert again == ref.week(MONDAY)

"""Contraindications reach every choice, and drill pain rules hold (issue 12 §2, §3).

Property tests over generated athletes (conditions, hip approach, kneeling, assessments) and
drill logs: no day, week, swap, owed-minute drill or lunge direction is ever ruled out for the
person; a drill that hurt is never offered while it rests and never picked by a swap; drill
pain pauses stop drills and lunges. The oracles below are written from the catalogue's data and
the issue's rules, not from the planner's code.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core.anatomy import MOTIONS, WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.catalogue.model import Drill
from triplane.core.conditions import allowed_directions, restrictions_for, standing_twin
from triplane.core.plan import AthleteLog, Planner
from triplane.core.records import CheckIn, DrillLog, Measurement, Settings
from triplane.core.safety import ACCEPTABLE_MAX, DRILL_PAUSE_MAX, SAFE_MAX

CAT = load_catalogue()
MONDAY = date(2026, 11, 30)
DRILL_IDS = sorted(CAT.drills)
TEST_FOR = {
    "flexion": ("active_hip_flexion", 110),
    "extension": ("modified_thomas", 10),
    "abduction": ("standing_abduction", 30),
    "adduction": ("standing_adduction", 20),
    "internal_rotation": ("seated_rotation", 30),
    "external_rotation": ("seated_rotation", 40),
}


def ruled_out_demands(s: Settings) -> set[str]:
    """The oracle: what the person's conditions rule out, read straight from conditions.toml."""
    out: set[str] = set()
    conditions = set(s.conditions) | ({"knee_pain"} if not s.kneeling_ok else set())
    for cid in conditions:
        cond = CAT.conditions[cid]
        variant = s.hip_approach if cid == "hip_replacement" else None
        out |= set(cond.rules_out) | set(dict(cond.variants).get(variant or "unknown", ()))
    return out


def drill_is_ruled_out(d: Drill, s: Settings) -> bool:
    conditions = set(s.conditions) | ({"knee_pain"} if not s.kneeling_ok else set())
    return (
        bool(set(d.demands) & ruled_out_demands(s))
        or bool(set(d.contraindications) & conditions)
        or (not s.kneeling_ok and d.loads_knee)
    )


@st.composite
def athletes(draw):  # type: ignore[no-untyped-def]
    conditions = tuple(sorted(draw(st.sets(st.sampled_from(sorted(CAT.conditions)), max_size=3))))
    approach = draw(st.sampled_from([None, "posterior", "anterior", "unknown"]))
    run_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=5)))
    gym_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=2)))
    s = Settings(
        run_days=run_days,
        run_time=time(draw(st.integers(7, 19)), 0) if run_days else None,
        gym_days=gym_days,
        gym_time=time(draw(st.integers(7, 18)), 30) if gym_days else None,
        daily_minutes=draw(st.integers(5, 40)),
        kneeling_ok=draw(st.booleans()),
        conditions=conditions,
        hip_approach=approach if "hip_replacement" in conditions else None,
        work_start=time(9, 0),
        work_end=time(17, 0),
    )
    measurements = []
    for motion in MOTIONS:
        factor = draw(st.sampled_from([None, 0.6, 0.92, 1.1]))
        if factor is None:
            continue
        test, norm = TEST_FOR[motion]
        for side in ("left", "right"):
            value = round(norm * factor * draw(st.sampled_from([0.9, 1.0, 1.1])), 1)
            measurements.append(
                Measurement(MONDAY - timedelta(days=20), test, motion, side, "degrees", value)
            )
    return s, measurements


@st.composite
def drill_logs(draw, max_size: int = 12):  # type: ignore[no-untyped-def]
    logs = []
    for i in range(draw(st.integers(0, max_size))):
        logs.append(
            DrillLog(
                MONDAY + timedelta(days=draw(st.integers(-16, 6))),
                draw(st.sampled_from(DRILL_IDS)),
                3.0,
                draw(st.integers(0, 10)),
                draw(st.booleans()) and draw(st.booleans()),  # now and then skipped
                id=i + 1,
            )
        )
    return tuple(logs)


def planner_for(
    s: Settings, measurements: list[Measurement], log: AthleteLog, since: date | None = None
) -> Planner:
    profile = build_profile(measurements, CAT)
    since = since or MONDAY - timedelta(30)
    return Planner(CAT, lambda d: s, lambda d: profile, log, seed="p", since=since)


def hurt(g: DrillLog) -> bool:
    return not g.skipped and g.discomfort is not None and g.discomfort > ACCEPTABLE_MAX


def oracle_paused(logs: tuple[DrillLog, ...], d: date) -> bool:
    """With no check-ins nothing clears: paused once any drill went above 7/10, or two above
    5/10 fell within 7 days of each other, on or before the day."""
    bad = sorted(g.date for g in logs if hurt(g) and g.date <= d)
    if any(hurt(g) and g.discomfort > DRILL_PAUSE_MAX and g.date <= d for g in logs):  # type: ignore[operator]
        return True
    return any((b - a).days < 7 for a, b in zip(bad, bad[1:], strict=False))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes(), drill_logs())
def test_no_plan_ever_holds_a_ruled_out_drill_or_direction_or_a_hurt_drill(athlete, logs):  # type: ignore[no-untyped-def]
    s, measurements = athlete
    planner = planner_for(s, measurements, AthleteLog(drill_logs=logs))
    out = ruled_out_demands(s)
    for day in planner.week(MONDAY):
        d = day.date
        paused = oracle_paused(logs, d)
        assert day.safety.paused == paused, (d, logs)
        state, plans = planner.lunge_next(d)
        if paused:
            assert day.slots == () and day.lunge_session is None
            assert state.paused, "a drill-pain pause stops the lunge matrix too"
            assert day.safety.level in ("routine", "urgent")
            assert "clinician" in " ".join(day.safety.advice)
            continue
        # lunge directions: the session's and `lunge next`'s
        directions = [p.prescription.direction for p in plans]
        if day.lunge_session is not None:
            directions += [p.prescription.direction for p in day.lunge_session.directions]
        for direction in directions:
            assert not set(CAT.lunge.direction(direction).demands) & out, (direction, s)
        recent = {g.drill for g in logs if hurt(g) and d - timedelta(days=14) <= g.date < d}
        base = {sl.start: sl.drill.id for sl in planner._base_day(d).slots}
        for sl in day.slots:
            assert not drill_is_ruled_out(sl.drill, s), (sl.drill.id, s)
            twin = standing_twin(CAT, sl.drill, planner.restrictions(s))
            assert twin is None or not drill_is_ruled_out(twin, s)
            # a drill logged above 5 rests 14 days unless logged at 3 or less since
            last_bad = max(
                (g.date for g in logs if g.drill == sl.drill.id and hurt(g) and g.date < d),
                default=None,
            )
            if last_bad is not None and d - last_bad <= timedelta(days=14):
                assert any(
                    g.drill == sl.drill.id
                    and not g.skipped
                    and g.discomfort is not None
                    and g.discomfort <= SAFE_MAX
                    and last_bad < g.date < d
                    for g in logs
                ), (sl.drill.id, d, logs)
            # a swap (for a hurt drill, or for owed minutes) never picks a recently hurt drill
            if "swapped" in sl.note or base.get(sl.start) != sl.drill.id:
                assert sl.drill.id not in recent, (sl.drill.id, sl.note, d)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes())
def test_allowed_directions_follow_the_data(athlete):  # type: ignore[no-untyped-def]
    s, _ = athlete
    allowed = {d.id for d in allowed_directions(CAT.lunge, restrictions_for(CAT, s))}
    for d in CAT.lunge.directions:
        assert (d.id in allowed) == (not set(d.demands) & ruled_out_demands(s)), (d.id, s)


def test_hip_replacement_story_from_the_issue():
    """Crossover and drop-step lunges, side-to-side swings and standing IR lift-offs used to
    reach an athlete with a hip replacement; with the approach unknown none of them does."""
    s = Settings(
        run_days=frozenset({"tue", "thu", "sat"}),
        run_time=time(7, 0),
        conditions=("hip_replacement",),
    )
    planner = planner_for(s, [], AthleteLog())
    seen_drills: set[str] = set()
    seen_directions: set[str] = set()
    for week in range(3):
        for day in planner.week(MONDAY + timedelta(days=7 * week)):
            seen_drills |= {sl.drill.id for sl in day.slots}
            for sl in day.slots:  # a flexion drill left in says how far
                assert ("under 90 degrees" in sl.note) == ("flexion" in sl.drill.motions)
            if day.lunge_session:
                assert "under 90 degrees" in day.lunge_session.note
                seen_directions |= {p.prescription.direction for p in day.lunge_session.directions}
    assert not seen_drills & {"side_to_side_leg_swings", "standing_ir_lift_off", "pigeon"}
    assert seen_directions == {"anterior", "lateral", "posterior"}
    # the approach matters: a posterior approach keeps the rotational lunge, an anterior one
    # keeps the crossover
    for approach, direction in (("posterior", "transverse"), ("anterior", "crossover")):
        r = restrictions_for(CAT, Settings(conditions=("hip_replacement",), hip_approach=approach))
        assert direction in {d.id for d in allowed_directions(CAT.lunge, r)}


def test_no_kneeling_leaves_out_floor_pigeon_and_the_deep_squat():
    s = Settings(kneeling_ok=False)
    planner = planner_for(s, [], AthleteLog())
    seen = {
        sl.drill.id
        for w in range(3)
        for day in planner.week(MONDAY + timedelta(days=7 * w))
        for sl in day.slots
    }
    assert seen and not seen & {"pigeon", "deep_squat_hold"}
    assert not any(CAT.drills[i].loads_knee for i in seen)


def test_an_easier_drill_swap_never_picks_a_drill_that_hurt():
    """The issue's story: the swap picked a drill that itself hurt two days before."""
    s = Settings()
    planner = planner_for(s, [], AthleteLog())
    d = MONDAY + timedelta(days=3)
    target = next(sl for sl in planner.day(d).slots if sl.drill.easier)
    easier = target.drill.easier
    assert easier is not None
    logs = (
        DrillLog(d - timedelta(days=12), easier, 3, 6),  # 10 days apart: no pause
        DrillLog(d - timedelta(days=2), target.drill.id, 3, 6),
    )
    again = planner_for(s, [], AthleteLog(drill_logs=logs), since=d)  # nothing owed
    day = again.day(d)
    assert not day.safety.paused
    slot = next(sl for sl in day.slots if sl.start == target.start)
    assert slot.drill.id not in (target.drill.id, easier)
    assert "uncomfortable" in slot.note
    assert all(sl.drill.id not in (target.drill.id, easier) for sl in day.slots)
    # logged at 3/10 or less since: offered again
    fine = logs + (DrillLog(d - timedelta(days=1), target.drill.id, 3, 2),)
    back = planner_for(s, [], AthleteLog(drill_logs=fine), since=d).day(d)
    assert target.drill.id in {sl.drill.id for sl in back.slots}


def test_four_logs_above_five_pause_drills_and_lunges():
    s = Settings(run_days=frozenset({"mon", "wed", "fri"}), run_time=time(17, 0))
    logs = tuple(DrillLog(MONDAY + timedelta(days=i), "pigeon", 3, 6) for i in range(4))
    planner = planner_for(s, [], AthleteLog(drill_logs=logs))
    day = planner.day(MONDAY + timedelta(days=4))
    assert day.safety.paused and day.safety.level == "routine"
    assert day.slots == () and day.lunge_session is None
    assert planner.lunge_next(MONDAY + timedelta(days=4))[0].paused
    urgent = planner_for(s, [], AthleteLog(drill_logs=(DrillLog(MONDAY, "pigeon", 3, 8),)))
    assert urgent.day(MONDAY).safety.level == "urgent"


def test_a_same_day_clearance_ends_a_drill_pain_pause():
    from datetime import datetime

    at = datetime(2026, 12, 1, 9, 0)
    pain = DrillLog(MONDAY, "pigeon", 3, 8, recorded=at)
    cleared = CheckIn(MONDAY, 1, (), True, id=1, recorded=at + timedelta(hours=3))
    planner = planner_for(Settings(), [], AthleteLog(drill_logs=(pain,), check_ins=(cleared,)))
    assert not planner.day(MONDAY).safety.paused
    before = CheckIn(MONDAY, 1, (), True, id=1, recorded=at - timedelta(hours=3))
    planner = planner_for(Settings(), [], AthleteLog(drill_logs=(pain,), check_ins=(before,)))
    assert planner.day(MONDAY).safety.paused, "a clearance before the pain does not clear it"


@st.composite
def check_ins(draw):  # type: ignore[no-untyped-def]
    from datetime import datetime

    out = []
    for i in range(draw(st.integers(0, 4))):
        day = MONDAY + timedelta(days=draw(st.integers(-10, 6)))
        out.append(
            CheckIn(
                day,
                draw(st.integers(0, 10)),
                tuple(draw(st.sets(st.sampled_from(["night_pain", "bladder_bowel"]), max_size=1))),
                draw(st.booleans()),
                id=i + 1,
                recorded=datetime(day.year, day.month, day.day, draw(st.integers(6, 22))),
            )
        )
    return tuple(out)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes(), drill_logs(max_size=6), check_ins())
def test_every_pause_stops_drills_and_lunges_and_urgent_drill_pain_needs_a_clinician(  # type: ignore[no-untyped-def]
    athlete, logs, checks
):
    from datetime import datetime

    s, measurements = athlete
    logs = tuple(
        DrillLog(g.date, g.drill, g.minutes, g.discomfort, g.skipped, id=g.id,
                 recorded=datetime(g.date.year, g.date.month, g.date.day, 12))
        for g in logs
    )  # fmt: skip
    planner = planner_for(s, measurements, AthleteLog(drill_logs=logs, check_ins=checks))
    for day in planner.week(MONDAY):
        state, _ = planner.lunge_next(day.date)
        if day.safety.paused:
            assert day.slots == () and day.lunge_session is None and state.paused
        # a drill above 7 stays paused until a clinician's clearance (pain <= 3, no flags)
        # entered after it
        for g in logs:
            if not hurt(g) or g.discomfort <= DRILL_PAUSE_MAX or g.date > day.date:  # type: ignore[operator]
                continue
            cleared = any(
                c.cleared_by_clinician
                and not c.flags
                and c.pain <= SAFE_MAX
                and (c.date, c.recorded) > (g.date, g.recorded)
                and c.date <= day.date
                for c in checks
            )
            if not cleared:
                assert day.safety.paused and day.safety.level == "urgent", (g, checks)

"""The planner's rules, checked on many generated weeks (hypothesis) and on worked examples."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core.anatomy import MOTIONS, WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.conditions import drill_allowed, restrictions_for
from triplane.core.plan import (
    ANCHORED,
    FREE_GAP_FLOOR,
    OWED_SNACK_MAX,
    AthleteLog,
    Planner,
    twin,
)
from triplane.core.records import AwayPeriod, DrillLog, Measurement, Settings

CAT = load_catalogue()
MONDAY = date(2026, 11, 30)
DEFAULT_TEST = {
    "internal_rotation": "seated_rotation",
    "external_rotation": "seated_rotation",
    "flexion": "active_hip_flexion",
    "abduction": "standing_abduction",
    "extension": "modified_thomas",
    "adduction": "standing_adduction",
}
NORM = {
    "flexion": 110,
    "extension": 10,
    "abduction": 30,
    "adduction": 20,
    "internal_rotation": 30,
    "external_rotation": 40,
}


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@st.composite
def weeks(draw):  # type: ignore[no-untyped-def]
    wake = time(draw(st.integers(5, 8)), draw(st.sampled_from([0, 15, 30, 45])))
    sleep = time(draw(st.integers(21, 23)), draw(st.sampled_from([0, 30])))
    run_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=6)))
    gym_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=3)))
    run_time = time(draw(st.integers(wake.hour + 1, 20)), draw(st.sampled_from([0, 30])))
    gym_time = time(draw(st.integers(wake.hour + 1, 19)), 0)
    work = draw(st.booleans())
    s = Settings(
        wake=wake,
        sleep=sleep,
        run_days=run_days,
        run_time=run_time if run_days else None,
        gym_days=gym_days,
        gym_time=gym_time if gym_days else None,
        gym_minutes=draw(st.sampled_from([30, 45, 60, 90])),
        daily_minutes=draw(st.integers(5, 40)),
        kneeling_ok=draw(st.booleans()),
        conditions=tuple(
            draw(
                st.sets(st.sampled_from(["hip_replacement", "knee_pain", "pregnancy"]), max_size=2)
            )
        ),
        work_start=time(9, 0) if work else None,
        work_end=time(17, 0) if work else None,
    )
    statuses = draw(
        st.lists(st.sampled_from(["restricted", "ok", "borderline", None]), min_size=6, max_size=6)
    )
    measurements = []
    for motion, status in zip(MOTIONS, statuses, strict=True):
        if status is None:
            continue
        factor = {"restricted": 0.6, "borderline": 0.92, "ok": 1.1}[status]
        for side in ("left", "right"):
            measurements.append(
                Measurement(
                    MONDAY - timedelta(days=3),
                    DEFAULT_TEST[motion],
                    motion,
                    side,
                    "degrees",
                    NORM[motion] * factor,
                )
            )
    return s, measurements


def make_planner(s: Settings, measurements: list[Measurement], log: AthleteLog = AthleteLog()):
    profile = build_profile(measurements, CAT)
    return Planner(
        CAT, lambda d: s, lambda d: profile, log, seed="t", since=MONDAY, today=MONDAY
    ), profile


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weeks())
def test_every_generated_week_keeps_the_rules(week):  # type: ignore[no-untyped-def]
    check_week(*week)


def check_week(s: Settings, measurements: list[Measurement]) -> None:
    planner, profile = make_planner(s, measurements)
    pool = [d for d in CAT.drills.values() if drill_allowed(d, restrictions_for(CAT, s))]
    # A hip replacement (all four precautions) without kneeling leaves 6 drills: then "no drill
    # on more than 4 days" wins over the number of snacks a day (fewer, not repeated, snacks).
    big_pool = len(pool) >= 12
    days = planner.week(MONDAY)
    snacks_per_day = {}
    motion_minutes = dict.fromkeys(MOTIONS, 0.0)
    drill_days: dict[str, set[date]] = {}
    for day in days:
        slots = day.slots
        assert day.total_minutes <= s.daily_minutes
        free = [sl for sl in slots if sl.context not in ANCHORED]
        for sl in slots:
            assert 1 <= sl.minutes <= 5
            assert s.wake <= sl.start <= s.sleep
            assert sl.side in ("left", "right", "both")
            if not s.kneeling_ok:
                assert not sl.drill.loads_knee
                assert "knee_pain" not in sl.drill.contraindications
            assert not set(sl.drill.contraindications) & set(s.conditions)
            assert drill_allowed(sl.drill, restrictions_for(CAT, s))
            in_work = (
                s.work_start is not None
                and WEEKDAYS[day.date.weekday()] in s.work_days
                and s.work_start <= sl.start < s.work_end
            )
            if in_work and sl.context not in ANCHORED:
                assert sl.drill.position == "standing"
            for mo in sl.drill.motions:
                motion_minutes[mo] += sl.minutes / len(sl.drill.motions)
            drill_days.setdefault(sl.drill.id, set()).add(day.date)
        for a in free:
            for b in free:
                if a is not b:
                    assert abs(minutes(a.start) - minutes(b.start)) >= FREE_GAP_FLOOR
        ids = [twin(sl.drill) for sl in slots]
        assert len(ids) == len(set(ids)), "no drill twice in a day"
        wd = WEEKDAYS[day.date.weekday()]
        if s.run_time is not None and wd in s.run_days:
            before = [sl for sl in slots if sl.context == "before_run"]
            assert len(before) == 1 or (not before and not big_pool)
            for b in before:
                lead = minutes(s.run_time) - minutes(b.start)
                assert 0 < lead <= 30
                assert b.drill.position == "standing" and b.drill.style == "dynamic"
        gym_in_run = (
            s.run_time is not None
            and wd in s.run_days
            and s.gym_time is not None
            and -30 < minutes(s.gym_time) - minutes(s.run_time) < 60
        )
        if s.gym_time is not None and wd in s.gym_days and not gym_in_run and big_pool:
            assert any(sl.context == "before_gym" for sl in slots) or any(
                sl.context == "before_run" for sl in slots
            )
            for sl in slots:
                if sl.context == "between_sets":
                    assert sl.minutes <= 2
                    assert (
                        minutes(s.gym_time)
                        < minutes(sl.start)
                        < minutes(s.gym_time) + s.gym_minutes
                    )
        snacks_per_day[day.date] = (day.day_type, len(slots))
    # the whole budget is used on every day type: always without work hours (12+ hours awake
    # hold 40 minutes); with work hours, minutes go unused only when every free snack is full.
    # A small pool (a hip replacement without kneeling leaves few drills, each at most once a
    # day) cannot fill a large budget: there fewer minutes, never a repeated drill.
    for day in days if big_pool else ():
        if s.work_start is None:
            assert day.total_minutes == s.daily_minutes, (day.date, day.day_type)
        elif day.total_minutes < s.daily_minutes:
            assert all(sl.minutes == 5 for sl in day.slots if sl.context not in ANCHORED)
    # each of the six motions appears at least once a week
    assert all(motion_minutes[mo] > 0 for mo in MOTIONS)
    # variety: at least 10 different drills, or every allowed drill when fewer are allowed
    assert len(drill_days) >= min(10, len(pool)), (s, [len(d.slots) for d in days])
    # no drill on more than 4 days, unless the pool is too small to fill the budget otherwise
    # (a large budget with few drills allowed: the budget wins, the least used drill repeats)
    if len(pool) >= 15 and s.daily_minutes <= 20:
        assert all(len(v) <= 4 for v in drill_days.values())
    # time follows restriction: a restricted motion gets at least twice the minutes of an ok
    # one, for any number of restricted motions, when the whole catalogue is allowed and the
    # budget is 10+ minutes (whole-minute snacks of 1-2 minutes are too coarse below; checked
    # on 1,500 generated weeks). With kneeling ruled out or conditions, few drills are left for
    # some motions and the rule "no drill on more than 4 days" wins (see the issue note): there
    # the restricted motions still get more on average.
    restricted = [r.motion for r in profile.motions if r.status == "restricted"]
    fine = [r.motion for r in profile.motions if r.status == "ok"]
    if not restricted or not fine or s.daily_minutes < 10:
        return
    full_pool = s.kneeling_ok and not s.conditions
    if full_pool:
        for r in restricted:
            for f in fine:
                if any(d.motions == (r,) for d in pool):
                    assert motion_minutes[r] >= 2 * motion_minutes[f] - 1e-6, (r, f)
    if not big_pool:
        return
    mean_r = sum(motion_minutes[m] for m in restricted) / len(restricted)
    mean_f = sum(motion_minutes[m] for m in fine) / len(fine)
    assert (not full_pool and s.daily_minutes > 20) or mean_r > mean_f, (
        restricted,
        fine,
        motion_minutes,
        s.daily_minutes,
    )


def test_same_inputs_same_plan():
    s = Settings(run_days=frozenset({"mon", "thu"}), run_time=time(17, 30))
    a, _ = make_planner(s, [])
    b, _ = make_planner(s, [])
    assert [d.as_dict() for d in a.week(MONDAY)] == [d.as_dict() for d in b.week(MONDAY)]


def test_no_assessment_still_gives_a_plan_with_a_prompt():
    planner, _ = make_planner(Settings(), [])
    day = planner.day(MONDAY)
    assert day.slots
    assert any("assess" in n.lower() for n in day.notes)


def test_skipped_minutes_are_owed_on_top_of_a_full_budget():
    s = Settings(daily_minutes=40)  # the whole budget is used; owed minutes add one snack
    planner, _ = make_planner(s, [])
    base = planner.day(MONDAY + timedelta(days=7))
    assert base.total_minutes == 40
    # nothing done last week: everything planned is owed
    skipped = tuple(
        DrillLog(d.date, sl.drill.id, 0, None, True) for d in planner.week(MONDAY) for sl in d.slots
    )
    owing = Planner(
        CAT,
        lambda d: s,
        lambda d: build_profile([], CAT),
        AthleteLog(drill_logs=skipped),
        seed="t",
        since=MONDAY,
        today=MONDAY + timedelta(days=7),
    )
    today = owing.day(MONDAY + timedelta(days=7))
    assert base.total_minutes <= today.total_minutes <= 40 + OWED_SNACK_MAX
    assert any("Owed" in n for n in today.notes)
    assert any("owed" in sl.note for sl in today.slots)
    # all done: nothing owed
    done = tuple(
        DrillLog(d.date, sl.drill.id, sl.minutes, 2, False, sl.drill.motions)
        for d in planner.week(MONDAY)
        for sl in d.slots
    )
    paid = Planner(
        CAT,
        lambda d: s,
        lambda d: build_profile([], CAT),
        AthleteLog(drill_logs=done),
        seed="t",
        since=MONDAY,
        today=MONDAY + timedelta(days=7),
    )
    assert paid.day(MONDAY + timedelta(days=7)).total_minutes == base.total_minutes


def test_away_days_have_no_plan_and_owe_nothing():
    s = Settings(daily_minutes=20, run_days=frozenset(WEEKDAYS), run_time=time(18, 0))
    away = AwayPeriod(MONDAY, MONDAY + timedelta(days=6), "travel")
    planner, _ = make_planner(s, [], AthleteLog(away=(away,)))
    assert planner.day(MONDAY).slots == () and planner.day(MONDAY).away == "travel"
    plain, _ = make_planner(s, [])
    assert (
        planner.day(MONDAY + timedelta(days=7)).total_minutes
        == plain.day(MONDAY + timedelta(days=7)).total_minutes
    )


def test_a_drill_that_hurt_is_swapped_for_an_easier_one():
    s = Settings()
    planner, _ = make_planner(s, [])
    target = planner.day(MONDAY + timedelta(days=1)).slots[0]
    hurt = DrillLog(MONDAY, target.drill.id, 3, 7, False)
    again, _ = make_planner(s, [], AthleteLog(drill_logs=(hurt,)))
    slot = next(
        sl for sl in again.day(MONDAY + timedelta(days=1)).slots if sl.start == target.start
    )
    assert "uncomfortable" in slot.note
    assert slot.drill.id != target.drill.id  # a drill that hurt is not offered for 14 days
    if target.drill.easier is not None and "easier" in slot.note:
        assert slot.drill.difficulty < target.drill.difficulty


def test_lunge_sessions_two_or_three_a_week_48_hours_apart_not_before_the_long_run():
    s = Settings(
        run_days=frozenset({"tue", "thu", "sun"}),
        run_time=time(7, 0),
        gym_days=frozenset({"mon"}),
        gym_time=time(18, 0),
        long_run_day="sun",
    )
    planner, _ = make_planner(s, [])
    for week in range(4):
        monday = MONDAY + timedelta(weeks=week)
        days = sorted(planner.lunge_days(monday))
        assert 2 <= len(days) <= 3
        for a, b in zip(days, days[1:], strict=False):
            assert (b - a).days >= 2
        assert all(d.weekday() != 5 for d in days)  # Saturday is the day before the long run
        nxt = sorted(planner.lunge_days(monday + timedelta(weeks=1)))
        assert (nxt[0] - days[-1]).days >= 2


def test_the_day_after_a_race_is_a_gentle_rest_day_and_lunges_wait():
    from triplane.core.records import Event

    s = Settings(
        run_days=frozenset(WEEKDAYS),
        run_time=time(7, 0),
        gym_days=frozenset({"sun"}),
        gym_time=time(18, 0),
    )
    race = Event(MONDAY + timedelta(days=5), "race", time(9, 0), "Trail 30k")  # Saturday
    planner, _ = make_planner(s, [], AthleteLog(events=(race,)))
    sunday = planner.day(MONDAY + timedelta(days=6))
    assert sunday.day_type == "rest"
    assert sunday.slots and all(sl.drill.difficulty == 1 for sl in sunday.slots)
    assert sunday.lunge_session is None
    assert any("race" in n for n in sunday.notes)
    # minutes owed from a week of skipped snacks don't bring a harder drill into that day
    skipped = tuple(
        DrillLog(d.date, sl.drill.id, 0, None, True)
        for d in planner.week(MONDAY)[:6]
        for sl in d.slots
    )
    owing = Planner(
        CAT,
        lambda d: s,
        lambda d: build_profile([], CAT),
        AthleteLog(drill_logs=skipped, events=(race,)),
        seed="t",
        since=MONDAY,
        today=MONDAY + timedelta(days=6),
    )
    after = owing.day(MONDAY + timedelta(days=6))
    assert any("Owed" in n for n in after.notes)
    assert all(sl.drill.difficulty == 1 for sl in after.slots)
    # in the 48 hours before the race: no long range, no added load, no progression
    _, plans = planner.lunge_next(MONDAY + timedelta(days=4))
    for p in plans:
        assert p.prescription.level("load") == "bodyweight"
        assert p.prescription.level("range") != "long"
        assert "48 hours" in p.reason

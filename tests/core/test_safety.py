from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from triplane.core.catalogue import load_catalogue
from triplane.core.records import CheckIn, DrillLog, LungeLog, Prescription
from triplane.core.safety import (
    ACCEPTABLE_MAX,
    CLEAR_CHECK_IN_MAX,
    DRILL_PAUSE_MAX,
    clearance_refusals,
    lunge_state,
    pause_periods,
    programme_state,
    recently_hurt,
    resting_drills,
)

FLAGS = load_catalogue().red_flags
D = date(2026, 11, 2)


def state(*checks: CheckIn, on: date = date(2026, 11, 30)):  # type: ignore[no-untyped-def]
    return programme_state(list(checks), on, FLAGS)


def test_required_red_flags_exist():
    for f in (
        "night_pain",
        "numbness_tingling",
        "cannot_bear_weight",
        "groin_pain_with_impact",
        "fever_or_unwell",
        "bladder_bowel",
    ):
        assert f in FLAGS
    for f in ("bladder_bowel", "cannot_bear_weight", "fever_or_unwell"):
        assert FLAGS[f].urgent
    assert FLAGS["groin_pain_with_impact"].stop_running


def test_pain_above_five_pauses_and_a_later_low_check_in_clears():
    s = state(CheckIn(D, 6), on=D)
    assert s.paused and s.level == "routine" and "clinician" in " ".join(s.advice)
    assert not state(CheckIn(D, 6), CheckIn(date(2026, 11, 4), 3)).paused
    assert state(CheckIn(D, 6), CheckIn(date(2026, 11, 4), 4)).paused  # 4 is not clear
    assert state(CheckIn(D, 6), CheckIn(D, 0)).paused  # same day does not clear


def test_urgent_flags_say_urgent_care_and_need_a_clinician_to_clear():
    s = state(CheckIn(D, 2, ("bladder_bowel",)))
    assert s.paused and s.level == "urgent" and "urgent" in " ".join(s.advice).lower()
    assert state(CheckIn(D, 2, ("night_pain",)), CheckIn(date(2026, 11, 5), 0)).paused
    cleared = state(CheckIn(D, 2, ("night_pain",)), CheckIn(date(2026, 11, 5), 0, (), True))
    assert not cleared.paused


def test_groin_pain_with_impact_says_stop_running():
    s = state(CheckIn(D, 3, ("groin_pain_with_impact",)))
    assert s.paused and s.stop_running


# ---- drill pain and clearances (issue 12 §3) ----------------------------------------------------

AT = datetime(2026, 11, 2, 8, 0)


def drill(day: date, discomfort: int, name: str = "pigeon", hour: int = 8) -> DrillLog:
    return DrillLog(day, name, 3, discomfort, recorded=AT.replace(day=day.day, hour=hour))


def clear(day: date, pain: int = 1, clinician: bool = True, hour: int = 12, i: int = 1) -> CheckIn:
    return CheckIn(day, pain, (), clinician, id=i, recorded=AT.replace(day=day.day, hour=hour))


def test_drill_pain_pauses_urgent_above_seven_routine_for_two_above_five_in_a_week():
    one = programme_state([], D, FLAGS, [drill(D, DRILL_PAUSE_MAX + 1)])
    assert one.paused and one.level == "urgent" and "clinician" in " ".join(one.advice)
    assert not programme_state([], D, FLAGS, [drill(D, DRILL_PAUSE_MAX)]).paused
    two = [
        drill(D, ACCEPTABLE_MAX + 1),
        drill(D + timedelta(days=6), ACCEPTABLE_MAX + 1, "frog_rock"),
    ]
    s = programme_state([], D + timedelta(days=6), FLAGS, two)
    assert s.paused and s.level == "routine"
    apart = [drill(D, 6), drill(D + timedelta(days=7), 6, "frog_rock")]
    assert not programme_state([], D + timedelta(days=7), FLAGS, apart).paused


def test_the_pause_stops_the_lunge_matrix_and_it_restarts_after_clearance():
    logs = [drill(D, 8)]
    assert lunge_state([], [], D, FLAGS, logs).paused
    periods = pause_periods([clear(D + timedelta(days=1))], [], logs)
    assert [(p.start, p.end) for p in periods] == [(D, D + timedelta(days=1))]


def test_a_clearance_the_same_day_clears_and_every_refusal_says_why():
    logs = [drill(D, 6), drill(D, 7, "frog_rock", hour=9)]  # two above 5 the same day: routine
    assert not programme_state([clear(D)], D, FLAGS, logs).paused
    assert programme_state([clear(D, clinician=False)], D, FLAGS, logs).paused
    cases = {
        "pain": (clear(D, pain=CLEAR_CHECK_IN_MAX + 1), f"pain {CLEAR_CHECK_IN_MAX + 1}/10"),
        "earlier": (clear(D, hour=7), "no pause to clear"),
        "flag": (
            CheckIn(D, 1, ("night_pain",), True, id=1, recorded=AT.replace(hour=12)),
            "red flag",
        ),
    }
    for name, (c, why) in cases.items():
        refusals = clearance_refusals([c], FLAGS, logs)
        assert refusals[c] is not None and why in refusals[c], name
    ok = clear(D)
    assert clearance_refusals([ok], FLAGS, logs)[ok] is None
    urgent = [drill(D, 9)]
    plain = clear(D + timedelta(days=2), clinician=False)
    assert programme_state([plain], D + timedelta(days=3), FLAGS, urgent).paused
    assert not programme_state(
        [clear(D + timedelta(days=2))], D + timedelta(days=3), FLAGS, urgent
    ).paused


def test_a_red_flag_check_in_still_needs_a_later_or_same_day_clinician_clearance():
    flag = CheckIn(D, 2, ("night_pain",), id=1, recorded=AT)
    same_day = CheckIn(D, 0, (), True, id=2, recorded=AT + timedelta(hours=2))
    assert not state(flag, same_day, on=D).paused  # used to be silently ignored
    lunge = LungeLog(D, "anterior", 5, 8, True, Prescription("anterior", (), 5), recorded=AT)
    assert clearance_refusals([same_day], FLAGS, [], [lunge])[same_day] is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(0, 10), st.sampled_from(["pigeon", "frog_rock"])),
        max_size=10,
    ),
    st.integers(0, 25),
)
def test_resting_and_recently_hurt_follow_the_fourteen_day_rule(raw, offset):  # type: ignore[no-untyped-def]
    logs = [DrillLog(D + timedelta(days=a), name, 3, pain) for a, pain, name in raw]
    day = D + timedelta(days=offset)
    hurt = {g.drill for g in logs if g.discomfort > 5 and day - timedelta(days=14) <= g.date < day}  # type: ignore[operator]
    assert recently_hurt(logs, day) == hurt
    for name, g in resting_drills(logs, day).items():
        assert name in hurt and g.discomfort > 5  # type: ignore[operator]
        assert not any(
            h.drill == name and g.date < h.date < day and h.discomfort <= 3  # type: ignore[operator]
            for h in logs
        )
    for name in hurt - set(resting_drills(logs, day)):
        last = max(g.date for g in logs if g.drill == name and g.discomfort > 5 and g.date < day)  # type: ignore[operator]
        assert any(h.drill == name and last < h.date < day and h.discomfort <= 3 for h in logs)  # type: ignore[operator]

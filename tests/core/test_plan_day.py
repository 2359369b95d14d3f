"""Issue 12 §1 §4 §5: race days, the person's real day, doses that fit (hypothesis).

Generated athletes (day and night schedules, two-run days, per-weekday run times, gym, work
hours across midnight), events and logs; every day of the week must keep each rule."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core import dose as doses
from triplane.core.anatomy import WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.plan import (
    AFTER_EVENT_MINUTES,
    ANCHORED,
    DAY_MIN,
    LONG_RUN_MINUTES,
    NO_D3_AFTER_WAKING,
    OWED_SNACK_MAX,
    RUN_MINUTES,
    AthleteLog,
    DayPlan,
    Planner,
    Slot,
    event_start,
    twin,
)
from triplane.core.records import DrillLog, Event, Settings

CAT = load_catalogue()
MONDAY = date(2026, 11, 30)
PROFILE = build_profile([], CAT)


def m(t: time) -> int:
    return t.hour * 60 + t.minute


def rel(s: Settings, t: time) -> int:
    """A clock time as minutes of the waking day that starts at s.wake."""
    x = m(t)
    return x + DAY_MIN if x < m(s.wake) else x


def waking(s: Settings) -> tuple[int, int]:
    w, z = m(s.wake), m(s.sleep)
    return w, z + DAY_MIN if z <= w else z


def at(sl: Slot) -> int:
    return m(sl.start) + DAY_MIN * sl.day_offset


@st.composite
def athletes(draw):  # type: ignore[no-untyped-def]
    night = draw(st.booleans())
    if night:
        wake = time(draw(st.integers(12, 16)), draw(st.sampled_from([0, 30])))
        sleep = time(draw(st.integers(4, 7)), draw(st.sampled_from([0, 30])))
        work = draw(st.sampled_from([None, (time(21), time(5)), (time(20), time(4))]))
        if work is not None and m(sleep) < m(work[1]) + 30:
            sleep = time(work[1].hour + 1, 0)
        hours = list(range(wake.hour + 1, 24)) + list(range(0, max(sleep.hour - 1, 1)))
    else:
        wake = time(draw(st.integers(5, 8)), draw(st.sampled_from([0, 15, 30, 45])))
        sleep = time(draw(st.integers(21, 23)), draw(st.sampled_from([0, 30])))
        work = draw(st.sampled_from([None, (time(9), time(17)), (time(8), time(12))]))
        hours = list(range(wake.hour + 1, 21))
    run_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=6)))
    run_time = time(draw(st.sampled_from(hours)), draw(st.sampled_from([0, 30, 35])))
    second = draw(st.one_of(st.none(), st.sampled_from(hours)))
    second_t = time(second, 15) if second is not None else None
    if second_t is not None and abs(rel_any(wake, second_t) - rel_any(wake, run_time)) < 120:
        second_t = None
    per_day = draw(st.booleans())
    run_times: tuple[tuple[str, time], ...] = ()
    if per_day and run_days:
        run_times = tuple(
            sorted(
                (d, time(draw(st.sampled_from(hours)), draw(st.sampled_from([0, 5, 10]))))
                for d in run_days
            )
        )
    gym_days = frozenset(draw(st.sets(st.sampled_from(WEEKDAYS), max_size=3)))
    gym_time = time(draw(st.sampled_from(hours)), 0)
    s = Settings(
        wake=wake,
        sleep=sleep,
        run_days=run_days,
        run_time=run_time if run_days else None,
        second_run_time=second_t if run_days else None,
        run_times=run_times,
        gym_days=gym_days,
        gym_time=gym_time if gym_days else None,
        gym_minutes=draw(st.sampled_from([30, 45, 60, 90])),
        daily_minutes=draw(st.integers(5, 60)),
        kneeling_ok=draw(st.booleans()),
        work_start=work[0] if work else None,
        work_end=work[1] if work else None,
        long_run_day=draw(st.one_of(st.none(), st.sampled_from(WEEKDAYS))),
    )
    events = tuple(
        Event(
            MONDAY + timedelta(days=draw(st.integers(0, 6))),
            draw(st.sampled_from(["race", "long_run"])),
            time(draw(st.sampled_from(hours)), draw(st.sampled_from([0, 3, 30])))
            if draw(st.booleans())
            else None,
            "e",
            draw(st.sampled_from([None, 90, 240, 480, 600])),
        )
        for _ in range(draw(st.integers(0, 2)))
    )
    drill_ids = sorted(CAT.drills)
    logs = tuple(
        DrillLog(
            MONDAY - timedelta(days=draw(st.integers(1, 7))),
            draw(st.sampled_from(drill_ids)),
            draw(st.integers(1, 5)),
            draw(st.integers(0, 3)),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 12)))
    )
    return s, events, logs


def rel_any(wake: time, t: time) -> int:
    x = m(t)
    return x + DAY_MIN if x < m(wake) else x


def planner_for(
    s: Settings, events: tuple[Event, ...], logs: tuple[DrillLog, ...], owing: bool = True
) -> Planner:
    """owing: the athlete started a week ago (what they did not log is owed)."""
    log = AthleteLog(drill_logs=logs, events=events)
    since = MONDAY - timedelta(days=7) if owing else MONDAY
    return Planner(CAT, lambda d: s, lambda d: PROFILE, log, seed="p", since=since, today=MONDAY)


def run_windows(s: Settings, d: date, events: tuple[Event, ...]) -> list[tuple[int, int, bool]]:
    today = [e for e in events if e.date == d]
    if today:
        out = []
        for e in today:
            start = event_start(s, d, e)
            out.append((start, start + e.expected_minutes + AFTER_EVENT_MINUTES, True))
        return out
    wd = WEEKDAYS[d.weekday()]
    out = []
    races = {e.date for e in events if e.kind == "race"}
    long_races = {e.date for e in events if e.kind == "race" and e.expected_minutes >= 240}
    if d - timedelta(days=1) in races or d - timedelta(days=2) in long_races:
        return []  # recovery days are rest days
    for i, t in enumerate(s.run_times_on(wd)):
        r = rel(s, t)
        length = LONG_RUN_MINUTES if s.long_run_day == wd and i == 0 else RUN_MINUTES
        out.append((r, r + length, False))
    return out


def work_windows(s: Settings, d: date) -> list[tuple[int, int]]:
    if s.work_start is None or s.work_end is None:
        return []
    a, b = m(s.work_start), m(s.work_end)
    if b <= a:
        b += DAY_MIN
    return [
        (a + k * DAY_MIN, b + k * DAY_MIN)
        for k in (-1, 0, 1)
        if WEEKDAYS[(d + timedelta(days=k)).weekday()] in s.work_days
    ]


def overlaps(a: int, b: int, windows: list[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in windows)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes())
def test_every_generated_day_keeps_the_rules(case):  # type: ignore[no-untyped-def]
    s, events, logs = case
    planner = planner_for(s, events, logs)
    known = {g.drill for g in logs if not g.skipped}
    races = {e.date for e in events if e.kind == "race"}
    long_races = {e.date for e in events if e.kind == "race" and e.expected_minutes >= 240}
    for day in planner.week(MONDAY):
        check_day(s, day, events, known, races, long_races)


def check_day(  # noqa: C901 - one rule per block, read top to bottom
    s: Settings,
    day: DayPlan,
    events: tuple[Event, ...],
    known: set[str],
    races: set[date],
    long_races: set[date],
) -> None:
    d = day.date
    wake, sleep = waking(s)
    runs = run_windows(s, d, events)
    today_events = [e for e in events if e.date == d]
    if today_events:  # up early for an early start
        wake = min([wake] + [a - 30 for a, _, _ in runs])
    work = work_windows(s, d)
    gym = None
    recovery = (
        d - timedelta(days=1) in races or d - timedelta(days=2) in long_races
    ) and not today_events
    if s.gym_time is not None and WEEKDAYS[d.weekday()] in s.gym_days and not recovery:
        g = rel(s, s.gym_time)
        gym = (g, g + s.gym_minutes)
    catch_up = sum(sl.minutes for sl in day.slots if sl.context == "catch_up")
    # the budget: all of it counted, lunge included; a catch-up snack for owed minutes on top
    assert day.total_minutes - catch_up <= s.daily_minutes
    assert catch_up <= OWED_SNACK_MAX
    seen: set[str] = set()
    for sl in day.slots:
        start, end = at(sl), at(sl) + sl.minutes
        # 5-minute marks, inside the waking day
        assert start % 5 == 0, sl.start
        assert wake <= start and end <= sleep, (sl.start, sl.day_offset)
        # never during a run, a race window or work (gym snacks at a lunchtime gym excepted)
        assert not overlaps(start, end, [(a, b) for a, b, _ in runs]), (sl.context, sl.start)
        at_gym = gym is not None and sl.context in ("before_gym", "between_sets")
        if not at_gym and sl.context != "before_run":
            assert not overlaps(start, end, work), (sl.context, sl.start)
        # the dose fits the slot, and the text shown is that dose
        assert doses.seconds(sl.prescribed) <= sl.minutes * 60
        assert sl.dose == doses.text(sl.prescribed)
        # no demanding drill in the first 30 minutes awake
        if start < m(s.wake) + NO_D3_AFTER_WAKING:
            assert sl.drill.difficulty < 3, (sl.start, sl.drill.id)
        # the same drill, or its standing/kneeling twin, once a day
        assert twin(sl.drill) not in seen, sl.drill.id
        seen.add(twin(sl.drill))
        # 48 hours before a race: nothing demanding, nothing new
        if any(d + timedelta(days=i) in races for i in range(3)):
            assert sl.drill.difficulty < 3
            if known:
                assert sl.drill.id in known, sl.drill.id
            else:
                assert sl.drill.difficulty == 1
    # race and event days: one short dynamic snack ending 10-20 minutes before the start,
    # nothing until an hour after the expected end, gentle drills for the rest of the day
    if today_events:
        assert day.day_type in ("race", "run", "run_gym")
        if any(e.kind == "race" for e in today_events) and gym is None:
            assert day.day_type == "race"
        assert all(sl.drill.difficulty == 1 for sl in day.slots)
        first = min(a for a, _, _ in runs)
        before = [sl for sl in day.slots if sl.context == "before_run"]
        # (the warm-up needs a gentle standing dynamic drill the athlete has done before)
        warm_ups = [
            dr
            for dr in CAT.drills.values()
            if dr.difficulty == 1
            and dr.is_standing
            and dr.style == "dynamic"
            and (dr.id in known or not known)
            and (s.kneeling_ok or not dr.loads_knee)
        ]
        if first - 23 >= wake and warm_ups:
            near = [sl for sl in before if 10 <= first - (at(sl) + sl.minutes) <= 20]
            assert len(near) >= 1
            assert all(sl.drill.style == "dynamic" for sl in near)
            assert all(sl.minutes <= 3 for sl in near)
    # after a race: gentle; after a long race, two gentle days without lunges
    if d - timedelta(days=1) in races or any(d - timedelta(days=i) in long_races for i in (1, 2)):
        assert all(sl.drill.difficulty == 1 for sl in day.slots)
        assert day.lunge_session is None
    ls = day.lunge_session
    if ls is not None:
        start = m(ls.start) + DAY_MIN * ls.day_offset
        end = start + ls.minutes
        assert ls.minutes >= 1 and start % 5 == 0
        assert wake <= start and end <= sleep
        assert not overlaps(start, end, [(a, b) for a, b, _ in runs])
        in_gym = gym is not None and gym[0] <= start and end <= gym[1]
        if not in_gym:
            assert not overlaps(start, end, work)
        for a, b, _ in runs:
            assert end <= a or start >= b  # after the run, or ending before it starts
        for sl in day.slots:
            assert at(sl) + sl.minutes <= start or at(sl) >= end, "a snack inside the session"


def test_a_night_shift_day_crosses_midnight_and_keeps_snacks_out_of_the_shift() -> None:
    s = Settings(
        wake=time(14, 0),
        sleep=time(6, 0),
        work_start=time(21, 0),
        work_end=time(5, 0),
        daily_minutes=20,
    )
    day = planner_for(s, (), (), owing=False).day(MONDAY)
    starts = [at(sl) for sl in day.slots]
    assert day.total_minutes == 20
    assert all(14 * 60 <= x <= 29 * 60 for x in starts)
    assert not any(21 * 60 <= x < 29 * 60 for x in starts)  # none during the 21:00-05:00 shift
    assert any(sl.day_offset == 1 for sl in day.slots)  # the 05:00 snack after the shift


def test_two_runs_a_day_get_a_warm_up_snack_each() -> None:
    s = Settings(
        run_days=frozenset({"mon"}),
        run_time=time(6, 50),
        second_run_time=time(18, 0),
        daily_minutes=15,
    )
    day = planner_for(s, (), (), owing=False).day(MONDAY)
    before = sorted(at(sl) for sl in day.slots if sl.context == "before_run")
    assert before == [6 * 60 + 35, 17 * 60 + 45]
    assert day.total_minutes == 15


def test_training_days_use_the_whole_budget() -> None:
    """Issue story: a run day with 60 minutes stopped at 13; a gym day at 8 of 15."""
    run = Settings(run_days=frozenset({"mon"}), run_time=time(17, 30), daily_minutes=60)
    gym = Settings(
        gym_days=frozenset({"mon"}), gym_time=time(12, 0), daily_minutes=15,
        work_start=time(9), work_end=time(17),
    )  # fmt: skip
    assert planner_for(run, (), (), owing=False).day(MONDAY).total_minutes == 60
    g = planner_for(gym, (), (), owing=False).day(MONDAY)
    assert g.total_minutes == 15
    assert any(sl.context not in ANCHORED for sl in g.slots)


def test_owed_minutes_make_a_new_snack_on_a_gym_day() -> None:
    """Issue story: a gym day after a skipped Monday was identical to one after a done Monday."""
    s = Settings(
        gym_days=frozenset({"tue"}), gym_time=time(12, 0), gym_minutes=60, daily_minutes=20,
        work_start=time(9), work_end=time(17),
    )  # fmt: skip
    base = Planner(CAT, lambda d: s, lambda d: PROFILE, AthleteLog(), seed="o", since=MONDAY,
                   today=MONDAY + timedelta(days=1))  # fmt: skip
    monday = base.day(MONDAY)
    skipped = tuple(DrillLog(MONDAY, sl.drill.id, 0, None, True) for sl in monday.slots)
    done = tuple(DrillLog(MONDAY, sl.drill.id, sl.minutes, 1, False) for sl in monday.slots)

    def tuesday(logs: tuple[DrillLog, ...]) -> DayPlan:
        return Planner(CAT, lambda d: s, lambda d: PROFILE, AthleteLog(drill_logs=logs),
                       seed="o", since=MONDAY, today=MONDAY + timedelta(days=1),
                       ).day(MONDAY + timedelta(days=1))  # fmt: skip

    after_done, after_skip = tuesday(done), tuesday(skipped)
    assert after_done.slots != after_skip.slots
    assert "catch_up" in [sl.context for sl in after_skip.slots] or any(
        "owed" in sl.note for sl in after_skip.slots
    )


def test_a_race_at_five_is_a_race_day_not_a_rest_day() -> None:
    """Issue story: a 05:00 race planned as a rest day with snacks 05:25-20:57."""
    s = Settings(daily_minutes=15)
    race = Event(MONDAY + timedelta(days=5), "race", time(5, 0), "Ultra", 480)
    day = planner_for(s, (race,), ()).day(race.date)
    assert day.day_type == "race"
    before = [sl for sl in day.slots if sl.context == "before_run"]
    assert len(before) == 1 and 10 <= 5 * 60 - (at(before[0]) + before[0].minutes) <= 20
    rest = [sl for sl in day.slots if sl.context != "before_run"]
    assert rest and all(at(sl) >= 5 * 60 + 480 + 60 for sl in rest)
    assert all(sl.drill.difficulty == 1 for sl in day.slots)


def test_lunge_session_on_a_run_day_is_after_the_run_or_ends_before_it() -> None:
    """Issue story: a 06:45 "warm-up before the run" for a 06:35 run."""
    s = Settings(
        run_days=frozenset(WEEKDAYS), run_time=time(6, 35), daily_minutes=20, wake=time(6, 0)
    )
    planner = planner_for(s, (), ())
    sessions = [p.lunge_session for p in planner.week(MONDAY) if p.lunge_session]
    assert sessions
    for ls in sessions:
        start = m(ls.start)
        assert start >= 6 * 60 + 35 + RUN_MINUTES or start + ls.minutes <= 6 * 60 + 35


def test_dose_never_exceeds_its_slot_and_the_timer_runs_it() -> None:
    """Issue story: '4 x 8 per side at 6 s a rep' in a 4-minute slot."""
    for drill in CAT.drills.values():
        for minutes in range(1, 11):
            fitted = doses.fit(drill.dose, minutes)
            if doses.fits(drill.dose, minutes):
                assert doses.seconds(fitted) <= minutes * 60, (drill.id, minutes)
            # the timer's phases are the dose: same sets, reps, holds, and the same total
            ph = doses.phases(fitted)
            assert sum(p.seconds for p in ph) == doses.seconds(fitted)
            holds = [p for p in ph if p.label.startswith(("Rep", "Hold"))]
            sides = 2 if fitted.per_side else 1
            assert len(holds) == fitted.sets * sides * (fitted.reps or 1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes(), st.data())
def test_a_snack_logged_today_stays_on_today_however_it_felt(case, data):  # type: ignore[no-untyped-def]
    """Logging a snack never makes it vanish from the day: it stays a done card, whatever the
    discomfort. A drill that hurt (> 5/10) is not offered again in the day's other snacks."""
    from triplane.core.progress import snack_states

    s, events, logs = case
    before = planner_for(s, events, logs).day(MONDAY)
    if not before.slots:
        return
    done = before.slots[data.draw(st.integers(0, len(before.slots) - 1))]
    pain = data.draw(st.integers(0, 10))
    today = DrillLog(MONDAY, done.drill.id, float(done.minutes), pain)
    after = planner_for(s, events, logs + (today,)).day(MONDAY)
    ids = [sl.drill.id for sl in after.slots]
    states = snack_states(ids, [today], MONDAY)
    if after.safety.paused:  # a pain that pauses the programme: no snacks at all, by design
        assert not after.slots
        return
    assert "done" in states, (done.drill.id, pain, ids, [sl.drill.id for sl in before.slots])
    if pain > 5:
        again = [i for i, st_ in zip(ids, states, strict=True) if st_ is None]
        assert done.drill.id not in again, (done.drill.id, ids)

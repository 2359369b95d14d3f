"""The three stories of issue 11, end to end through the CLI on a real SQLite file, with the
exact prescriptions a coach would expect.

1. A weekly long run: the lighter session 48 h before it is never history.
2. Lost balance steps back; 6/10 pain pauses, and the restart is two steps below what hurt.
3. Ten clean weeks without a long run: one load mode, no fast step before the slow one, a
   footer that does not contradict the prescription.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

D0 = date(2026, 3, 2)  # a Monday
DIRECTION = "crossover"
STEPS = ("load", "range", "environment", "speed", "stability", "duration")


def add(cli: Any, *extra: str) -> None:
    r = cli("athlete", "add", "Sam", "--run-days", "tue,thu,sun", "--tz", "UTC", *extra)
    assert r.code == 0, r.err


def nxt(cli: Any, day: date) -> dict[str, Any]:
    r = cli("lunge", "next", "--date", day.isoformat(), "--json")
    assert r.code == 0, r.err
    return next(d for d in r.json()["directions"] if d["direction"] == DIRECTION)


def log(cli: Any, day: date, reps: int, discomfort: int = 2, balance: str = "ok") -> None:
    r = cli("lunge", "log", "--direction", DIRECTION, "--reps", str(reps), "--discomfort",
            str(discomfort), "--balance", balance, "--date", day.isoformat())  # fmt: skip
    assert r.code == 0, r.err


def mwf(weeks: int) -> list[date]:
    return [D0 + timedelta(days=7 * w + d) for w in range(weeks) for d in (0, 2, 4)]


def steps(d: dict[str, Any]) -> tuple[str | int, ...]:
    return (*(d[v] for v in STEPS), d["reps"])


def test_a_weekly_long_run_caps_the_session_before_it_without_making_it_history(cli) -> None:  # type: ignore[no-untyped-def]
    add(cli, "--long-run-day", "sun")
    seen = []
    for day in mwf(4):  # 12 sessions, every one clean
        d = nxt(cli, day)
        seen.append((day.strftime("%a"), d["range"], d["reps"], d["capped"], d["clean_sessions"]))
        log(cli, day, d["reps"])
    assert seen == [
        ("Mon", "short", 5, False, 0),
        ("Wed", "short", 5, False, 1),
        ("Fri", "short", 3, True, 0),  # level: medium; the lighter session goes below it
        ("Mon", "medium", 5, False, 0),
        ("Wed", "medium", 5, False, 1),
        ("Fri", "medium", 3, True, 0),  # level: long
        ("Mon", "long", 5, False, 0),
        ("Wed", "long", 5, False, 1),
        ("Fri", "medium", 5, True, 0),  # level: long, 8 reps
        ("Mon", "long", 8, False, 0),
        ("Wed", "long", 8, False, 1),
        ("Fri", "medium", 8, True, 0),  # level: long, 10 reps
    ]
    after = nxt(cli, D0 + timedelta(weeks=4))
    assert steps(after) == ("bodyweight", "long", "flat", "slow", "stable", "high", 10)
    assert after["level"] == {"load": 0, "range": 2, "environment": 0, "speed": 0,
                              "stability": 1, "duration": 3}  # fmt: skip
    assert after["status"] == "progress" and after["capped"] is False
    assert after["why"].startswith("Two clean sessions: duration goes from 8 reps to 10 reps.")
    assert "does not count" in after["why"]  # and says the Friday session did not
    friday = nxt(cli, D0 + timedelta(weeks=4, days=4))
    assert friday["capped"] and friday["capped_why"] == "Long run on Sunday, within 48 hours"
    assert friday["why"].startswith("Long run on Sunday, within 48 hours: a lighter session")


def test_lost_balance_steps_back_and_pain_restarts_two_steps_below_what_hurt(cli) -> None:  # type: ignore[no-untyped-def]
    add(cli)
    days = iter(mwf(4))
    for _ in range(4):  # four clean sessions: range short -> medium -> long
        day = next(days)
        log(cli, day, nxt(cli, day)["reps"])
    wed = next(days)
    failed = nxt(cli, wed)
    assert steps(failed) == ("bodyweight", "long", "flat", "slow", "stable", "low", 5)
    log(cli, wed, 5, balance="lost")
    fri = next(days)
    back = nxt(cli, fri)
    assert steps(back) == ("bodyweight", "medium", "flat", "slow", "stable", "low", 5)
    assert back["status"] == "regress"
    assert back["why"] == "Step back: balance was lost, so range long to medium."
    for _ in range(2):  # two clean at medium: range goes back up
        log(cli, fri, 5)
        fri = next(days)
    for _ in range(2):  # two clean at long: 8 reps
        assert nxt(cli, fri)["range"] == "long"
        log(cli, fri, 5)
        fri = next(days)
    hurt = nxt(cli, fri)
    assert steps(hurt) == ("bodyweight", "long", "flat", "slow", "stable", "moderate", 8)
    log(cli, fri, 8, discomfort=6)
    assert cli("lunge", "next", "--date", (fri + timedelta(days=2)).isoformat(),
               "--json").json()["paused"]  # fmt: skip
    assert cli("check-in", "--pain", "1", "--date", (fri + timedelta(days=3)).isoformat()).code == 0
    resumed = nxt(cli, fri + timedelta(days=4))
    assert steps(resumed) == ("bodyweight", "medium", "flat", "slow", "stable", "low", 5)
    assert resumed["status"] == "restart"
    assert resumed["why"] == (
        "Cleared after the pause: restart two steps below the level that hurt: "
        "range long to medium, duration 8 reps to 5 reps."
    )


def test_ten_clean_weeks_never_stack_loads_or_go_fast_off_a_step_first(cli) -> None:  # type: ignore[no-untyped-def]
    add(cli)
    history = []
    for day in mwf(10):
        d = nxt(cli, day)
        history.append(steps(d))
        log(cli, day, d["reps"])
    final = nxt(cli, D0 + timedelta(weeks=10))
    assert steps(final) == (
        "bodyweight", "long", "step_down", "fast", "single_arm_overhead", "very_high", 12
    )  # fmt: skip
    assert final["why"] == "Two clean sessions: speed goes from self selected to fast."
    # one weight at a time: the overhead weight only ever at body weight
    one_hand = ("offset_load", "single_arm_overhead")
    assert all(h[0] == "bodyweight" for h in history if h[4] in one_hand)
    # off or onto a step, fast only after the slow version at that range was done
    for h in history + [steps(final)]:
        if h[2] != "flat" and h[3] == "fast":
            assert (h[0], h[1], h[2], "slow", *h[4:]) in history
    # the order: range, duration, speed, stability, environment; a new step starts slow
    assert history[20][2:4] == ("step_up", "slow")
    human = cli("lunge", "next", "--date", (D0 + timedelta(weeks=10)).isoformat()).out
    assert "Slow and controlled" not in human  # the footer no longer contradicts "fast"
    for ident in ("anterior", "lateral", "transverse", "posterior", "posterolateral",
                  "crossover"):  # fmt: skip
        assert f"│ {ident} " in human  # each id in full, beside the name
    assert "Crossover lunge (crossover): Two clean sessions" in human.replace("\n", " ")


def test_ten_clean_weeks_reach_maintenance_and_say_so(cli) -> None:  # type: ignore[no-untyped-def]
    add(cli)
    order = "range,duration,environment,speed,stability,load"  # a coach's order
    r = cli("athlete", "edit", "--ladder-order", order, "--from", D0.isoformat())
    assert r.code == 0, r.err
    day = D0
    for _ in range(80):
        d = nxt(cli, day)
        if d["status"] == "maintenance":
            break
        log(cli, day, d["reps"])
        day += timedelta(days=2)
    assert d["status"] == "maintenance"
    assert "Maintenance: keep it crisp, or retest your hips." in d["why"]
    # more load took speed back to slow and put the weight in both hands; faster then needs a
    # light load, and a one-handed weight cannot go with two: every variable is at its ceiling
    assert steps(d) == ("front_rack", "long", "step_down", "slow", "stable", "very_high", 12)
    assert d["clean_sessions"] == 2


def test_older_stored_lunge_logs_stay_readable(cli, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Rows written before issue 11 store no cap, may hold combinations the rules now refuse
    (front rack with a weight overhead) or steps no longer in the catalogue: replay reads them,
    never treats them as a new level, and the log, the charts and `lunge next` all work."""
    import json
    from datetime import datetime

    from sqlalchemy import select

    from triplane.store import schema as t
    from triplane.usecases.service import open_service

    add(cli)
    start = (DIRECTION, "bodyweight", "short", "flat", "slow", "stable", "low", 5)
    lighter = dict(zip(("direction", *STEPS, "reps"), start, strict=True))
    old = {**lighter, "load": "front_rack", "range": "long", "environment": "step_down",
           "speed": "fast", "stability": "single_arm_overhead"}  # fmt: skip
    gone = {**lighter, "load": "kettlebell_swing"}
    with open_service(db_url) as svc:
        aid = svc.conn.execute(select(t.athletes.c.id)).scalar_one()
        for i, presc in enumerate([lighter, lighter, old, old, gone, gone]):
            svc.conn.execute(t.lunge_logs.insert().values(
                athlete_id=aid, date=D0 + timedelta(days=2 * i), direction=DIRECTION,
                reps=presc["reps"], discomfort=1, balance_ok=True, sharp_pain=False,
                prescription=json.dumps(presc), created_at=datetime(2026, 1, 1)))  # fmt: skip
    d = nxt(cli, D0 + timedelta(days=12))
    # two clean sessions at the start: range up; the old combinations did not count
    assert steps(d) == ("bodyweight", "medium", "flat", "slow", "stable", "low", 5)
    assert "no longer" in d["why"]
    assert len(cli("log", "list", "--json").json()) == 6
    r = cli("report", "--out", str(tmp_path / "r.html"), "--date", "2026-03-13")
    assert r.code == 0, r.err
    assert "Lunge matrix" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_coachs_cap_and_the_day_after_a_race_are_lighter_and_never_history(cli) -> None:  # type: ignore[no-untyped-def]
    add(cli)
    for day in (D0, D0 + timedelta(days=2)):  # two clean sessions: range goes to medium
        log(cli, day, 5)
    r = cli("athlete", "edit", "--lunge-cap", "sore calf", "--from", "2026-03-06")
    assert r.code == 0, r.err
    capped = nxt(cli, date(2026, 3, 6))
    assert capped["capped"] and capped["capped_why"] == "Your coach's cap (sore calf)"
    assert steps(capped) == ("bodyweight", "short", "flat", "slow", "stable", "intro", 3)
    assert capped["level"]["range"] == 1  # the level stays medium
    log(cli, date(2026, 3, 6), 3, balance="lost")  # under the cap: not a failure either
    assert cli("athlete", "edit", "--lunge-cap", "off", "--from", "2026-03-09").code == 0
    back = nxt(cli, date(2026, 3, 9))
    assert steps(back) == ("bodyweight", "medium", "flat", "slow", "stable", "low", 5)
    assert not back["capped"] and back["clean_sessions"] == 0
    assert "does not count" in back["why"]
    assert "lunge matrix capped by the coach" not in cli("athlete", "show").out
    assert cli("athlete", "edit", "--lunge-cap", "x" * 81).code == 1

    r = cli("event", "add", "--date", "2026-03-14", "--kind", "race", "--name", "Trail 30k")
    assert r.code == 0, r.err
    before = nxt(cli, date(2026, 3, 12))["capped_why"]
    assert before == "Race (Trail 30k) on Saturday, within 48 hours"
    after = nxt(cli, date(2026, 3, 15))
    assert after["capped_why"] == "The day after your race"
    assert steps(after) == ("bodyweight", "short", "flat", "slow", "stable", "intro", 3)
    assert not nxt(cli, date(2026, 3, 16))["capped"]


def test_a_hip_that_must_stay_under_90_degrees_never_gets_a_long_lunge_or_a_step(cli) -> None:  # type: ignore[no-untyped-def]
    """Conditions reach the ladders too: with a hip replacement (every precaution), ten clean
    weeks never bring a long, deep lunge or a lunge onto a step; without it they do."""

    def ten_clean_weeks(name: str) -> tuple[set[str], set[str], str]:
        ranges, places, why = set(), set(), ""
        for day in mwf(10):
            r = cli("lunge", "next", "--athlete", name, "--date", day.isoformat(), "--json")
            assert r.code == 0, r.err
            d = next(x for x in r.json()["directions"] if x["direction"] == "anterior")
            ranges.add(d["range"])
            places.add(d["environment"])
            why = d["why"]
            r = cli("lunge", "log", "--athlete", name, "--direction", "anterior", "--reps",
                    str(d["reps"]), "--discomfort", "2", "--balance", "ok",
                    "--date", day.isoformat())  # fmt: skip
            assert r.code == 0, r.err
        return ranges, places, why

    add(cli, "--condition", "hip_replacement")
    assert cli("athlete", "add", "Kit", "--run-days", "tue,thu,sun", "--tz", "UTC").code == 0
    ranges, places, why = ten_clean_weeks("Sam")
    assert ranges == {"short", "medium"} and places == {"flat"}, (ranges, places)
    assert "Range stays at 'Medium step' (hip replacement" in why, why
    ranges, places, _ = ten_clean_weeks("Kit")  # no condition: the same weeks go further
    assert "long" in ranges and places - {"flat"}, (ranges, places)

"""Issue 12 §1 §4 §5 stories through the CLI, on a real SQLite file per test."""

from __future__ import annotations

from datetime import date, timedelta

from triplane.core import dose as doses
from triplane.core.catalogue import load_catalogue

MONDAY = "2026-11-30"
SATURDAY = "2026-12-05"


def minute(slot: dict) -> int:  # type: ignore[type-arg]
    h, m = slot["start"].split(":")
    return int(h) * 60 + int(m) + 1440 * int(slot.get("day_offset") or 0)


def test_a_night_shift_nurse_is_accepted_and_snacks_miss_the_shift(cli):  # type: ignore[no-untyped-def]
    r = cli(
        "athlete", "add", "Nurse", "--wake", "14:00", "--sleep", "06:00",
        "--work-hours", "21:00-05:00", "--work-days", "mon,tue,wed,thu",
        "--run-days", "tue,sat", "--run-time", "15:30", "--daily-minutes", "20", "--tz", "UTC",
    )  # fmt: skip
    assert r.code == 0, r.err
    week = cli("plan", "week", "--start", MONDAY, "--json").json()["days"]
    for d in week:
        work_day = date.fromisoformat(d["date"]).weekday() < 4
        for s in d["slots"]:
            at = minute(s)
            assert 14 * 60 <= at <= 30 * 60 - s["minutes"]  # awake: 14:00 to 06:00
            assert at % 5 == 0
            if work_day:
                assert not 21 * 60 <= at < 29 * 60, (d["date"], s["start"])
        assert d["total_minutes"] <= 20
    # the day's plan is the waking day that starts on that date: Monday's ends on Tuesday
    assert any(s["day_offset"] == 1 for s in week[0]["slots"])
    text = cli("plan", "day", "--date", MONDAY).out
    assert "Tue" in text  # an after-midnight snack names its date


def test_two_runs_and_per_weekday_times_without_an_activity_import(cli):  # type: ignore[no-untyped-def]
    r = cli(
        "athlete", "add", "Double", "--run-days", "mon,wed", "--run-time", "06:30,18:00",
        "--wake", "05:45", "--run-times", "sat=08:00", "--daily-minutes", "15", "--tz", "UTC",
    )  # fmt: skip
    assert r.code == 0, r.err
    mon = cli("plan", "day", "--date", MONDAY, "--json").json()
    before = sorted(s["start"] for s in mon["slots"] if s["context"] == "before_run")
    assert before == ["06:15", "17:45"]
    sat = cli("plan", "day", "--date", SATURDAY, "--json").json()
    assert [s["start"] for s in sat["slots"] if s["context"] == "before_run"] == ["07:45"]
    show = cli("athlete", "show", "--json").json()["settings"]
    assert show["run_time"] == "06:30" and show["second_run_time"] == "18:00"
    bad = cli("athlete", "edit", "--run-times", "mon=25:00")
    assert bad.code != 0 and bad.err.count("\n") == 1 and "Traceback" not in bad.err
    bad = cli("athlete", "edit", "--run-time", "06:30,12:00,18:00")
    assert bad.code != 0 and "one or two" in bad.err


def test_the_whole_budget_is_used_on_run_and_gym_days(cli):  # type: ignore[no-untyped-def]
    assert cli(
        "athlete", "add", "Sam", "--run-days", "mon", "--run-time", "17:30", "--gym-days", "tue",
        "--gym-time", "12:00", "--work-hours", "09:00-17:00", "--daily-minutes", "30",
        "--tz", "UTC",
    ).code == 0  # fmt: skip
    week = cli("plan", "week", "--start", MONDAY, "--json").json()["days"]
    assert week[0]["day_type"] == "run" and week[0]["total_minutes"] == 30
    assert week[1]["day_type"] == "gym" and week[1]["total_minutes"] == 30


def test_a_race_day_has_one_warm_up_then_nothing_until_an_hour_after_the_end(cli):  # type: ignore[no-untyped-def]
    assert cli("athlete", "add", "Ultra", "--run-days", "tue,thu", "--run-time", "06:30",
               "--daily-minutes", "20", "--tz", "UTC").code == 0  # fmt: skip
    r = cli("event", "add", "--date", SATURDAY, "--kind", "race", "--time", "05:00",
            "--duration", "8h", "--name", "Trail 80k")  # fmt: skip
    assert r.code == 0, r.err
    events = cli("event", "list", "--json").json()
    assert events[0]["duration_minutes"] == 480
    day = cli("plan", "day", "--date", SATURDAY, "--json").json()
    assert day["day_type"] == "race"
    before = [s for s in day["slots"] if s["context"] == "before_run"]
    assert len(before) == 1
    assert 10 <= 5 * 60 - (minute(before[0]) + before[0]["minutes"]) <= 20
    for s in day["slots"]:
        if s is not before[0]:
            assert minute(s) >= 5 * 60 + 8 * 60 + 60
    cat = load_catalogue()
    assert all(cat.drills[s["drill"]["id"]].difficulty == 1 for s in day["slots"])
    # 48 hours before: nothing demanding; two days after a long race: gentle, no lunges
    for offset in (-2, -1, 1, 2):
        d = (date.fromisoformat(SATURDAY) + timedelta(days=offset)).isoformat()
        plan = cli("plan", "day", "--date", d, "--json").json()
        assert all(cat.drills[s["drill"]["id"]].difficulty < 3 for s in plan["slots"])
        if offset > 0:
            assert plan["lunge_session"] is None
            assert all(cat.drills[s["drill"]["id"]].difficulty == 1 for s in plan["slots"])
    bad = cli("event", "add", "--date", SATURDAY, "--kind", "race", "--duration", "forever")
    assert bad.code != 0 and "--duration" in bad.err and "Traceback" not in bad.err


def test_default_race_length_is_four_hours(cli):  # type: ignore[no-untyped-def]
    assert cli("athlete", "add", "Ada", "--daily-minutes", "15", "--tz", "UTC").code == 0
    assert cli("event", "add", "--date", SATURDAY, "--kind", "race", "--time", "09:00").code == 0
    day = cli("plan", "day", "--date", SATURDAY, "--json").json()
    later = [s for s in day["slots"] if s["context"] != "before_run" and minute(s) > 9 * 60]
    assert later and all(minute(s) >= 9 * 60 + 4 * 60 + 60 for s in later)


def test_every_snack_shows_a_dose_that_fits_its_minutes(cli):  # type: ignore[no-untyped-def]
    assert cli("athlete", "add", "Sam", "--run-days", "mon,wed", "--run-time", "17:30",
               "--daily-minutes", "40", "--tz", "UTC").code == 0  # fmt: skip
    cat = load_catalogue()
    for d in cli("plan", "week", "--start", MONDAY, "--json").json()["days"]:
        for s in d["slots"]:
            detail = s["dose_detail"]
            assert detail["seconds"] <= s["minutes"] * 60
            fitted = doses.fit(cat.drills[s["drill"]["id"]].dose, s["minutes"])
            assert s["dose"] == doses.text(fitted)
            assert (detail["sets"], detail["reps"], detail["hold_seconds"]) == (
                fitted.sets, fitted.reps, fitted.hold_seconds,
            )  # fmt: skip
        ls = d["lunge_session"]
        if ls:
            assert ls["minutes"] >= 1
            assert d["total_minutes"] == 40


def test_the_calendar_places_an_after_midnight_snack_on_the_next_date(cli, tmp_path):  # type: ignore[no-untyped-def]
    assert cli("athlete", "add", "Nurse", "--wake", "14:00", "--sleep", "06:00",
               "--daily-minutes", "15", "--tz", "UTC").code == 0  # fmt: skip
    out = tmp_path / "plan.ics"
    assert cli("calendar", "--out", str(out), "--start", MONDAY, "--weeks", "1").code == 0
    plan = cli("plan", "day", "--date", MONDAY, "--json").json()
    late = [s for s in plan["slots"] if s["day_offset"] == 1]
    assert late
    hhmm = late[0]["start"].replace(":", "")
    assert f"DTSTART:20261201T{hhmm}00Z" in out.read_text()

"""Issue 12 §2, §3, §6 as a person meets them at the CLI, on real SQLite files."""

from __future__ import annotations

from datetime import date, timedelta

MONDAY = date(2026, 11, 30)
RUNNER = ["--run-days", "tue,thu,sat", "--run-time", "07:00", "--gym-days", "wed"]
RUNNER += ["--gym-time", "18:00", "--tz", "UTC"]
RULED_OUT_FOR_HIP = {"side_to_side_leg_swings", "standing_ir_lift_off", "pigeon", "deep_squat_hold"}


def weeks(cli, n: int = 3, athlete: str | None = None) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    who = ["--athlete", athlete] if athlete else []
    days = []
    for w in range(n):
        start = (MONDAY + timedelta(days=7 * w)).isoformat()
        r = cli("plan", "week", "--start", start, "--json", *who)
        assert r.code == 0, r.err
        days += r.json()["days"]
    return days


def test_a_hip_replacement_never_gets_crossover_drop_step_swings_or_ir_lift_offs(cli):
    assert cli("athlete", "add", "Hip", "--condition", "hip_replacement", *RUNNER).code == 0
    days = weeks(cli)
    drills = {s["drill"]["id"] for d in days for s in d["slots"]}
    directions = {
        x["direction"] for d in days if d["lunge_session"] for x in d["lunge_session"]["directions"]
    }
    assert drills and not drills & RULED_OUT_FOR_HIP
    assert directions == {"anterior", "lateral", "posterior"}
    nxt = cli("lunge", "next", "--date", "2026-12-01", "--json").json()
    assert {d["direction"] for d in nxt["directions"]} == {"anterior", "lateral", "posterior"}
    left_out = {d["direction"]: d["why"] for d in nxt["ruled_out"]}
    assert set(left_out) == {"transverse", "posterolateral", "crossover"}
    assert "midline" in left_out["crossover"]
    r = cli("lunge", "log", "--direction", "crossover", "--reps", "5", "--discomfort", "1")
    assert r.code != 0  # --balance missing: typer's own usage error
    r = cli(
        "lunge", "log", "--direction", "crossover", "--reps", "5", "--discomfort", "1",
        "--balance", "ok", "--date", "2026-12-01",
    )  # fmt: skip
    assert r.code == 1 and "left out" in r.err and r.err.count("\n") == 1
    assert cli("log", "list", "--json").json() == []  # nothing half-written
    # the approach changes what is ruled out
    assert cli("athlete", "edit", "Hip", "--approach", "anterior").code == 0
    nxt = cli("lunge", "next", "--json").json()
    assert "crossover" in {d["direction"] for d in nxt["directions"]}
    assert "transverse" not in {d["direction"] for d in nxt["directions"]}
    shown = cli("athlete", "show", "Hip").out
    assert "anterior approach" in shown


def test_approach_needs_a_hip_replacement_and_a_known_value(cli):
    r = cli("athlete", "add", "Bo", "--approach", "posterior")
    assert r.code == 1 and "--condition hip_replacement" in r.err
    r = cli("athlete", "add", "Bo", "--condition", "hip_replacement", "--approach", "lateral")
    assert r.code == 1 and "posterior" in r.err and r.err.count("\n") == 1
    assert cli("athlete", "list", "--json").json() == []


def test_no_kneeling_leaves_out_floor_pigeon_deep_squat_and_every_kneeling_drill(cli, catalogue):
    assert cli("athlete", "add", "Kim", "--no-kneeling", *RUNNER).code == 0
    drills = {s["drill"]["id"] for d in weeks(cli) for s in d["slots"]}
    assert drills and not drills & {"pigeon", "deep_squat_hold"}
    for d in drills:
        assert not catalogue.drills[d].loads_knee, d
        assert "knee_pain" not in catalogue.drills[d].contraindications, d


def test_a_drill_that_hurt_rests_and_two_in_a_week_pause_drills_and_lunges(cli):
    cli("athlete", "add", "Pat", *RUNNER)
    day = "2026-12-02"
    first = cli("plan", "day", "--date", day, "--json").json()["slots"][0]["drill"]["id"]
    r = cli("done", "--drill", first, "--discomfort", "6", "--date", day)
    assert r.code == 0 and "14 days" in r.out
    for offset in range(1, 15):
        later = (date(2026, 12, 2) + timedelta(days=offset)).isoformat()
        slots = cli("plan", "day", "--date", later, "--json").json()["slots"]
        assert first not in {s["drill"]["id"] for s in slots}, later
    second = next(d for d in ("front_back_leg_swings", "split_stance_hip_flexor") if d != first)
    r = cli("done", "--drill", second, "--discomfort", "7", "--date", "2026-12-04", "--json")
    assert r.json()["safety"]["paused"] and r.json()["safety"]["level"] == "routine"
    plan = cli("plan", "day", "--date", "2026-12-05", "--json").json()
    assert plan["safety"]["paused"] and plan["slots"] == [] and plan["lunge_session"] is None
    assert "clinician" in plan["safety"]["advice"]
    assert cli("lunge", "next", "--date", "2026-12-05", "--json").json()["paused"]
    assert "STOP AND SEE A CLINICIAN" in cli("plan", "day", "--date", "2026-12-05").out
    # a clearance the same day as the pause ends it
    r = cli("check-in", "--pain", "1", "--cleared-by-clinician", "--date", "2026-12-04", "--json")
    assert r.json()["clearance"] == {"cleared": True, "why": None}
    assert not cli("plan", "day", "--date", "2026-12-05", "--json").json()["safety"]["paused"]


def test_above_seven_is_urgent_and_every_refused_clearance_says_why(cli):
    cli("athlete", "add", "Lee", *RUNNER)
    r = cli("done", "--drill", "pigeon", "--discomfort", "8", "--date", "2026-12-01")
    assert "STOP AND SEE A CLINICIAN" in r.out
    plan = cli("plan", "day", "--date", "2026-12-01", "--json").json()
    assert plan["safety"]["paused"] and plan["safety"]["level"] == "urgent"
    # a plain good check-in the next day does not end it: a clinician must clear it
    cli("check-in", "--pain", "1", "--date", "2026-12-02")
    assert cli("plan", "day", "--date", "2026-12-03", "--json").json()["safety"]["paused"]
    r = cli("check-in", "--pain", "5", "--cleared-by-clinician", "--date", "2026-12-03")
    assert r.code == 0 and "did not end a pause" in r.out and "pain 5/10" in r.out
    r = cli("check-in", "--pain", "2", "--cleared-by-clinician", "--date", "2026-12-03", "--json")
    assert r.json()["clearance"]["cleared"]
    r = cli("check-in", "--pain", "1", "--cleared-by-clinician", "--date", "2026-12-04", "--json")
    assert r.json()["clearance"] == {
        "cleared": False,
        "why": "there was no pause to clear on 2026-12-04",
    }


def test_a_referral_prompt_is_advice_not_a_pause(cli):
    cli("athlete", "add", "Ray", *RUNNER)
    low = {"flexion": 70, "abduction": 18, "adduction": 12, "internal_rotation": 15}
    for motion, value in low.items():
        for side in ("left", "right"):
            args = ["--motion", motion, "--side", side, "--degrees", str(value)]
            assert cli("assess", "add", *args, "--date", "2026-11-29").code == 0
    plan = cli("plan", "day", "--date", "2026-12-01", "--json").json()
    assert not plan["safety"]["paused"] and plan["safety"]["level"] == "routine"
    assert "physiotherapist" in plan["safety"]["advice"] and plan["slots"]
    profile = cli("assess", "show", "--json").json()
    assert profile["referral"] and "4 hip motions" in profile["referral"]


def test_birth_year_and_sex_choose_the_norms_and_the_profile_says_which(cli):
    r = cli("athlete", "add", "Ann", "--sex", "female", "--birth-year", "1950", "--tz", "UTC")
    assert r.code == 0, r.err
    for side in ("left", "right"):
        cli("assess", "add", "--motion", "internal_rotation", "--side", side, "--degrees", "24")
    profile = cli("assess", "show", "--json").json()
    assert profile["norm_set"] == "jpa_older_women" and "age and sex" in profile["norm_choice"]
    ir = next(m for m in profile["motions"] if m["motion"] == "internal_rotation")
    assert ir["left"]["status"] == "ok"
    assert "JPA" in cli("assess", "show").out
    assert cli("athlete", "edit", "Ann", "--sex", "unspecified").code == 0
    profile = cli("assess", "show", "--json").json()
    assert profile["norm_set"] == "wilson2014"
    ir = next(m for m in profile["motions"] if m["motion"] == "internal_rotation")
    assert ir["left"]["status"] == "restricted"
    for bad in (["--birth-year", "1850"], ["--sex", "x"], ["--birth-year", "2030"]):
        r = cli("athlete", "edit", "Ann", *bad)
        assert r.code == 1 and r.err.count("\n") == 1, bad


def test_conditions_approach_and_norm_details_survive_export_and_import(cli, tmp_path):  # type: ignore[no-untyped-def]
    args = ["--condition", "hip_replacement", "--approach", "posterior", "--no-kneeling"]
    cli("athlete", "add", "Eve", *args, "--sex", "female", "--birth-year", "1958", *RUNNER)
    cli("done", "--drill", "split_stance_hip_flexor", "--discomfort", "8", "--date", "2026-12-01")
    cli("check-in", "--pain", "1", "--cleared-by-clinician", "--date", "2026-12-01")
    backup = tmp_path / "backup.json"
    backup.write_text(cli("export").out)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert cli("import", str(backup), db=other).code == 0
    for db in (None, other):
        shown = cli("athlete", "show", "Eve", "--json", db=db).json()["settings"]
        assert shown["hip_approach"] == "posterior" and shown["birth_year"] == 1958
        plan = cli("plan", "day", "--date", "2026-12-02", "--json", db=db).json()
        assert not plan["safety"]["paused"]  # the same-day clearance still counts after import

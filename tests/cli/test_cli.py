"""The CLI as a person uses it, on real SQLite files (and PostgreSQL when configured)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drill_files import GOOD_DRILL  # one coach drill file for the catalogue and CLI tests

ADD = [
    "athlete",
    "add",
    "Sam",
    "--run-days",
    "mon,wed,fri,sun",
    "--run-time",
    "17:30",
    "--gym-days",
    "tue,thu",
    "--gym-time",
    "12:00",
    "--work-hours",
    "09:00-17:00",
    "--tz",
    "Europe/Zurich",
]


def test_a_new_user_gets_a_plan_on_day_one(cli):
    assert cli(*ADD).code == 0
    plan = cli("plan", "day", "--date", "2026-11-30", "--json").json()
    assert plan["date"] == "2026-11-30" and plan["day_type"] == "run"
    assert plan["slots"] and plan["safety"] == {**plan["safety"], "paused": False, "level": "none"}
    slot = plan["slots"][0]
    assert set(slot) >= {"start", "context", "minutes", "side", "dose", "drill"}
    assert set(slot["drill"]) >= {"id", "name", "planes", "motions", "position"}
    week = cli("plan", "week", "--start", "2026-11-30", "--json").json()
    assert len(week["days"]) == 7
    assert week["days"][0] == plan


def test_assessment_changes_the_profile_and_the_plan(cli):
    cli(*ADD)
    for side, value in (("left", 18), ("right", 34)):
        r = cli(
            "assess",
            "add",
            "--motion",
            "internal_rotation",
            "--side",
            side,
            "--degrees",
            str(value),
        )
        assert r.code == 0, r.err
    r = cli("assess", "add", "--test", "faber", "--side", "left", "--cm", "14")
    assert r.code == 0, r.err
    prof = cli("assess", "show", "--json").json()
    ir = next(m for m in prof["motions"] if m["motion"] == "internal_rotation")
    assert ir["left"]["status"] == "restricted" and ir["right"]["status"] == "ok"
    assert ir["asymmetry"] == {"degrees": 16.0, "flagged": True}
    assert prof["priorities"][0] == "internal_rotation"


@pytest.mark.parametrize(
    "args, says",
    [
        (["assess", "add", "--motion", "inward", "--side", "left", "--degrees", "3"], "motion"),
        (["assess", "add", "--motion", "flexion", "--side", "middle", "--degrees", "3"], "side"),
        (["assess", "add", "--motion", "flexion", "--side", "left", "--degrees", "-5"], "range"),
        (["assess", "add", "--motion", "flexion", "--side", "left", "--degrees", "abc"], "number"),
        (["assess", "add", "--test", "nope", "--side", "left", "--degrees", "3"], "test"),
        (["done", "--drill", "pigeon", "--discomfort", "11"], "0 to 10"),
        (["done", "--drill", "no_such_drill"], "drill"),
        (["check-in", "--pain", "-1"], "0 to 10"),
        (["check-in", "--pain", "2", "--flag", "headache"], "flag"),
        (["plan", "day", "--date", "2026-02-30"], "date"),
        (["athlete", "show", "--athlete", "Nobody"], "Nobody"),
        (
            [
                "lunge",
                "log",
                "--direction",
                "up",
                "--reps",
                "5",
                "--discomfort",
                "1",
                "--balance",
                "ok",
            ],
            "direction",
        ),
        (["log", "delete", "X1"], "log entry"),
    ],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(cli, args, says):
    cli(*ADD)
    before = cli("export").out
    r = cli(*args)
    assert r.code != 0
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and says.lower() in lines[0].lower(), r.err
    assert "Traceback" not in r.err
    assert cli("export").out == before


def test_athlete_may_be_left_out_only_when_there_is_one(cli):
    cli(*ADD)
    assert cli("plan", "day", "--json").code == 0
    cli("athlete", "add", "Kim")
    r = cli("plan", "day", "--json")
    assert r.code == 1 and "--athlete" in r.err
    assert cli("plan", "day", "--athlete", "Kim", "--json").code == 0


def test_red_flag_pauses_everything_until_cleared(cli):
    cli(*ADD)
    cli("check-in", "--pain", "2", "--flag", "bladder_bowel", "--date", "2026-11-30")
    plan = cli("plan", "day", "--date", "2026-12-01", "--json").json()
    assert plan["slots"] == [] and plan["lunge_session"] is None
    assert plan["safety"]["paused"] and plan["safety"]["level"] == "urgent"
    assert cli("lunge", "next", "--date", "2026-12-01", "--json").json()["paused"]
    cli("check-in", "--pain", "0", "--cleared-by-clinician", "--date", "2026-12-03")
    assert not cli("plan", "day", "--date", "2026-12-04", "--json").json()["safety"]["paused"]


def test_lunge_next_lists_every_direction_and_logs_keep_the_prescription(cli):
    cli(*ADD)
    nxt = cli("lunge", "next", "--date", "2026-11-30", "--json").json()
    assert not nxt["paused"]
    ids = [d["direction"] for d in nxt["directions"]]
    assert {"anterior", "lateral", "transverse", "posterior", "posterolateral", "crossover"} <= set(
        ids
    )
    assert all(isinstance(d["reps"], int) for d in nxt["directions"])
    for day in ("2026-11-30", "2026-12-02"):
        for d in ids:
            r = cli(
                "lunge",
                "log",
                "--direction",
                d,
                "--reps",
                "5",
                "--discomfort",
                "2",
                "--balance",
                "ok",
                "--date",
                day,
            )
            assert r.code == 0, r.err
    after = cli("lunge", "next", "--date", "2026-12-04", "--json").json()
    assert all(d["range"] != "short" or d["duration"] != "low" for d in after["directions"])


def test_log_list_and_delete_correct_a_wrong_entry(cli):
    cli(*ADD)
    cli("done", "--drill", "pigeon", "--minutes", "3", "--date", "2026-11-30")
    entries = cli("log", "list", "--json").json()
    assert [e["kind"] for e in entries] == ["drill"]
    assert cli("log", "delete", entries[0]["id"]).code == 0
    assert cli("log", "list", "--json").json() == []


def test_export_import_export_is_identical(cli, tmp_path: Path):
    cli(*ADD)
    cli("assess", "add", "--motion", "flexion", "--side", "left", "--degrees", "105")
    cli("done", "--drill", "pigeon", "--discomfort", "2")
    cli("check-in", "--pain", "1")
    cli("away", "--from", "2026-12-20", "--to", "2026-12-27", "--reason", "travel")
    first = cli("export").out
    backup = tmp_path / "backup.json"
    backup.write_text(first)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert cli("import", str(backup), db=other).code == 0
    assert cli("export", db=other).out == first
    # a non-empty database is refused without --merge
    r = cli("import", str(backup), db=other)
    assert r.code == 1 and "--merge" in r.err
    # a truncated file is refused, nothing written
    (tmp_path / "cut.json").write_text(first[: len(first) // 2])
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    r = cli("import", str(tmp_path / "cut.json"), db=empty)
    assert r.code == 1 and "truncated" in r.err
    assert cli("athlete", "list", "--json", db=empty).json() == []
    assert "password" not in first and "token" not in first


def test_drills_list_json_contract(cli):
    rows = cli("drills", "list", "--json").json()
    assert len(rows) >= 24
    assert set(rows[0]) >= {
        "id",
        "name",
        "planes",
        "motions",
        "position",
        "loads_knee",
        "standing_version",
    }


def test_the_installed_console_script_runs(tmp_path: Path):
    exe = Path(sys.executable).parent / "triplane"
    db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    r = subprocess.run([str(exe), "--db", db, "plan", "day"], capture_output=True, text=True)
    assert r.returncode == 1 and "athlete add" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run(
        [str(exe), "--db", db, "athlete", "add", "Ana"], capture_output=True, text=True
    )
    assert r.returncode == 0
    r = subprocess.run(
        [str(exe), "--db", db, "plan", "day", "--json"], capture_output=True, text=True
    )
    assert r.returncode == 0 and json.loads(r.stdout)["slots"]


@pytest.mark.postgres
def test_postgres_store_and_export_into_sqlite(cli, pg_url: str, tmp_path: Path):
    assert cli(*ADD, db=pg_url).code == 0
    cli("assess", "add", "--motion", "flexion", "--side", "left", "--degrees", "105", db=pg_url)
    cli("done", "--drill", "pigeon", "--discomfort", "2", "--date", "2026-11-30", db=pg_url)
    cli(
        "lunge",
        "log",
        "--direction",
        "anterior",
        "--reps",
        "5",
        "--discomfort",
        "1",
        "--balance",
        "ok",
        db=pg_url,
    )
    plan_pg = cli("plan", "day", "--date", "2026-12-01", "--json", db=pg_url).json()
    first = cli("export", db=pg_url).out
    backup = tmp_path / "b.json"
    backup.write_text(first)
    lite = f"sqlite:///{tmp_path / 'lite.sqlite3'}"
    assert cli("import", str(backup), db=lite).code == 0
    assert cli("export", db=lite).out == first
    assert cli("plan", "day", "--date", "2026-12-01", "--json", db=lite).json() == plan_pg
    # a failed command leaves nothing half-written on PostgreSQL either
    r = cli("assess", "add", "--motion", "flexion", "--side", "left", "--degrees", "999", db=pg_url)
    assert r.code == 1
    assert cli("export", db=pg_url).out == first


def test_migrations_head_matches_the_code():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from triplane.store import db

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(cfg).get_current_head() == db.HEAD_REVISION


def test_a_coachs_own_drills_join_the_catalogue(cli, tmp_path: Path, monkeypatch):
    folder = tmp_path / "drills"
    folder.mkdir()
    (folder / "anna.toml").write_text(GOOD_DRILL)
    monkeypatch.setenv("TRIPLANE_DRILLS_DIR", str(folder))
    ids = [d["id"] for d in cli("drills", "list", "--json").json()]
    assert "banded_side_step" in ids
    svg = tmp_path / "b.svg"
    assert cli("drills", "show", "banded_side_step", "--svg", str(svg)).code == 0
    assert svg.read_text().startswith("<svg") or "<svg" in svg.read_text()[:200]
    # a broken coach file is one clear line naming the file and field
    (folder / "anna.toml").write_text(GOOD_DRILL.replace('"standing"', '"sitting"'))
    r = cli("drills", "list", "--json")
    assert r.code == 1 and "anna.toml" in r.err and "position" in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_python_dash_m_reaches_every_command_with_the_same_database(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    for module in ("triplane", "triplane.cli"):
        r = subprocess.run(
            [sys.executable, "-m", module, "--db", db, "athlete", "add", f"A{len(module)}"],
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stderr
    # a command registered from another module (activities) sees the same --db
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "triplane.cli",
            "--db",
            db,
            "activities",
            "list",
            "--athlete",
            "A8",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr

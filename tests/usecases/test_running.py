"""Issue 5 end to end through the CLI, on real SQLite files and real activity files: import
(folders, zips, duplicates, bad files), the learned routine in the plan, races and long runs,
calendar files and the lunge matrix as a FIT workout."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from triplane.io.activities import synthetic_fit, synthetic_gpx, synthetic_tcx

DATA = Path(__file__).parents[1] / "data" / "activities"
TZ = "Europe/Zurich"


def add_sam(cli, *extra: str) -> None:  # type: ignore[no-untyped-def]
    r = cli("athlete", "add", "Sam", "--run-days", "mon", "--run-time", "17:30", "--tz", TZ, *extra)
    assert r.code == 0, r.err


def utc(day: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def test_import_real_files_a_zip_and_a_reimport(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_sam(cli)
    run = synthetic_gpx(utc(date(2025, 5, 4), "08:15"), 3600, 10_000)
    export = tmp_path / "strava_export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("activities/123.gpx", run)
        zf.writestr("../evil.gpx", run)  # climbs out of the archive: refused
        zf.writestr("activities/notes.gpx", b"<not gpx")
    r = cli("activities", "import", str(DATA), str(export), "--json")
    assert r.code == 0, r.err
    got = r.json()
    assert got["imported"] == 7 and got["runs"] == 3 and got["other_activities"] == 4
    skipped = {s["source"]: s["reason"] for s in got["skipped_files"]}
    assert any("evil.gpx" in s for s in skipped), skipped
    assert any("notes.gpx" in s for s in skipped)
    assert any("route.gpx" in s and "planned route" in why for s, why in skipped.items())
    sports = {a["sport"] for a in got["activities"]}
    assert {"running", "cycling", "walking"} <= sports  # other sports are kept as activities

    again = cli("activities", "import", str(DATA), str(export), "--json").json()
    assert again["imported"] == 0 and again["duplicates"] == 7

    text = cli("activities", "import", str(DATA))
    assert text.code == 0
    assert "Imported 0 activities" in text.out and "6 duplicates" in text.out
    assert "skipped" in text.err and "route.gpx" in text.err  # each bad file, with the reason

    listed = cli("activities", "list", "--json").json()
    assert len(listed) == 7
    mine = next(a for a in listed if a["source_file"].endswith("activities/123.gpx"))
    assert mine["time"] == "08:15" and mine["tz"] == TZ and mine["start"].endswith("+02:00")
    assert mine["start_utc"].startswith("2025-05-04T06:15")
    assert "08:15" in cli("activities", "list").out


def test_bad_input_is_one_line_and_writes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_sam(cli)
    r = cli("activities", "import", str(tmp_path / "nope.fit"), str(DATA))
    assert r.code == 1 and r.err.count("\n") == 1 and "does not exist" in r.err
    assert cli("activities", "list", "--json").json() == []  # nothing half-imported

    r = cli("event", "add", "--date", "2026-06-01", "--kind", "marathon")
    assert r.code == 1 and "race or long_run" in r.err and r.err.count("\n") == 1

    not_ics = tmp_path / "plan.ics"
    not_ics.write_bytes(b"this is a spreadsheet")
    r = cli("event", "import", str(not_ics))
    assert r.code == 1 and "not an iCalendar" in r.err and r.err.count("\n") == 1

    out = tmp_path / "missing-folder" / "plan.ics"
    r = cli("calendar", "--weeks", "1", "--out", str(out))
    assert r.code == 1 and r.err.count("\n") == 1 and not out.exists()
    r = cli("lunge", "export-fit", "--out", str(tmp_path))  # a folder, not a file
    assert r.code == 1 and r.err.count("\n") == 1
    r = cli("calendar", "--weeks", "0", "--out", str(tmp_path / "p.ics"))
    assert r.code == 1 and not (tmp_path / "p.ics").exists()

    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "a.fit").write_bytes(b"not a fit file at all")
    r = cli("activities", "import", str(only_bad))
    assert r.code == 1 and "a.fit" in r.err


def test_learned_routine_moves_the_before_run_snack(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_sam(cli)
    # a Tuesday in the past, and four weeks of Tue/Thu 07:00 runs and Sat long runs before it
    today = date.today()
    target = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    assert target.weekday() == 1
    folder = tmp_path / "runs"
    folder.mkdir()
    writers = (synthetic_gpx, synthetic_tcx, synthetic_fit)
    n = 0
    for back in range(1, 29):
        d = target - timedelta(days=back)
        if d.weekday() in (1, 3):
            start, secs = "07:00", 45 * 60
        elif d.weekday() == 5:
            start, secs = "09:30", 150 * 60
        else:
            continue
        write = writers[n % 3]
        ext = ("gpx", "tcx", "fit")[n % 3]
        (folder / f"run{n}.{ext}").write_bytes(write(utc(d, start), secs, secs * 3.0, every_s=60))
        n += 1
    before = cli("plan", "day", "--date", target.isoformat(), "--json").json()
    assert not any(s["context"] == "before_run" for s in before["slots"])  # declared: Monday
    r = cli("activities", "import", str(folder), "--json")
    assert r.code == 0 and r.json()["runs"] == n, r.out

    plan = cli("plan", "day", "--date", target.isoformat(), "--json").json()
    snacks = [s for s in plan["slots"] if s["context"] == "before_run"]
    assert plan["day_type"] == "run" and snacks and snacks[0]["start"] == "06:45"
    monday = (target + timedelta(days=6)).isoformat()
    assert cli("plan", "day", "--date", monday, "--json").json()["day_type"] != "run"

    shown = cli("athlete", "show", "--json").json()["routine"]
    assert shown["enough"] and shown["long_run_day"] == "sat"
    assert shown["run_days"] == {"tue": "07:00", "thu": "07:00", "sat": "09:30"}
    assert "learned from imported runs" in cli("athlete", "show").out

    # on a day with an imported run, its actual start counts
    late = tmp_path / "late.gpx"
    late.write_bytes(synthetic_gpx(utc(target, "08:10"), 1800, 5000))
    assert cli("activities", "import", str(late)).code == 0
    plan = cli("plan", "day", "--date", target.isoformat(), "--json").json()
    assert [s["start"] for s in plan["slots"] if s["context"] == "before_run"] == ["07:55"]


def test_a_race_caps_the_lunge_matrix_and_the_calendar_round_trips(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    icalendar = pytest.importorskip("icalendar")
    add_sam(cli)
    race = date(2026, 12, 5)
    r = cli("event", "add", "--date", race.isoformat(), "--kind", "race", "--time", "08:00",
            "--name", "Eiger 51k")  # fmt: skip
    assert r.code == 0 and "E1" in r.out
    assert "Already" in cli("event", "add", "--date", race.isoformat(), "--kind", "race",
                            "--time", "08:00", "--name", "Eiger 51k").out  # fmt: skip
    near = cli("lunge", "next", "--date", "2026-12-04", "--json").json()
    assert all("within 48 hours" in d["reason"] for d in near["directions"])
    far = cli("lunge", "next", "--date", "2026-11-20", "--json").json()
    assert not any("within 48 hours" in d["reason"] for d in far["directions"])
    assert cli("plan", "day", "--date", "2026-12-06", "--json").json()["lunge_session"] is None

    plan_ics = tmp_path / "training.ics"
    plan_ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//coach//EN\r\n"
        "BEGIN:VEVENT\r\nUID:1@coach\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261213"
        "\r\nSUMMARY:Long run 30 km\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2@coach\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20261214"
        "\r\nSUMMARY:Recovery jog\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    got = cli("event", "import", str(plan_ics), "--json").json()
    assert got["found"] == 1 and got["added"][0]["kind"] == "long_run"
    assert cli("event", "import", str(plan_ics), "--json").json()["duplicates"] == 1
    assert [e["kind"] for e in cli("event", "list", "--json").json()] == ["race", "long_run"]

    uids = []
    for name in ("a.ics", "b.ics"):
        out = tmp_path / name
        r = cli("calendar", "--start", "2026-11-30", "--weeks", "2", "--out", str(out))
        assert r.code == 0, r.err
        cal = icalendar.Calendar.from_ical(out.read_bytes())
        events = list(cal.walk("VEVENT"))
        assert events and all(list(e.walk("VALARM")) for e in events)
        assert all(str(e["dtstart"].dt.tzinfo) == TZ for e in events)
        uids.append(sorted(str(e["uid"]) for e in events))
    assert uids[0] == uids[1] and len(set(uids[0])) == len(uids[0])


def test_lunge_export_fit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fitdecode = pytest.importorskip("fitdecode")
    add_sam(cli)
    week = cli("plan", "week", "--start", "2026-11-30", "--json").json()["days"]
    due = next(d for d in week if d["lunge_session"])
    free = next(d for d in week if not d["lunge_session"])
    out = tmp_path / "session.fit"
    r = cli("lunge", "export-fit", "--date", free["date"], "--out", str(out))
    assert r.code == 1 and "no lunge-matrix session" in r.err and not out.exists()

    r = cli("lunge", "export-fit", "--date", due["date"], "--out", str(out))
    assert r.code == 0, r.err
    steps, kinds = [], set()
    with fitdecode.FitReader(str(out)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage):
                kinds.add(frame.name)
                if frame.name == "workout_step":
                    steps.append(frame.get_value("duration_reps"))
    assert {"file_id", "workout", "workout_step"} <= kinds
    directions = due["lunge_session"]["directions"]
    assert steps == [d["reps"] for d in directions for _ in (1, 2)]

    cli("check-in", "--pain", "8", "--date", due["date"])
    r = cli("lunge", "export-fit", "--date", due["date"], "--out", str(tmp_path / "p.fit"))
    assert r.code == 1 and "paused" in r.err and not (tmp_path / "p.fit").exists()


def test_export_and_import_carry_activities_and_events(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    add_sam(cli)
    f = tmp_path / "r.gpx"
    f.write_bytes(synthetic_gpx(utc(date(2025, 5, 4), "08:15"), 3600, 10_000))
    cli("activities", "import", str(f))
    cli("event", "add", "--date", "2026-06-01", "--kind", "long_run")
    backup = tmp_path / "backup.json"
    backup.write_text(cli("export").out)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert cli("import", str(backup), db=other).code == 0
    assert len(cli("activities", "list", "--json", db=other).json()) == 1
    assert cli("event", "list", "--json", db=other).json()[0]["kind"] == "long_run"
    # a re-import into the restored database finds the activity already there
    assert cli("activities", "import", str(f), "--json", db=other).json()["duplicates"] == 1

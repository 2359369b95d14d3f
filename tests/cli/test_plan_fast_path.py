"""`plan day --json` on a SQLite file is read with the stdlib sqlite3 (no Typer, Click or
SQLAlchemy); it must print byte for byte what the Typer + SQLAlchemy path prints, and leave
everything else (other databases, schema upgrades, errors, unusual arguments) to that path.

The normal path is `triplane.cli.app.run` (what `main` calls when the fast path declines); the
fast path is `main`, and `usecases.planning.plan_day_read_only` says whether it answered.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.cli import (
    PLAN_DAY_FLAGS,
    PLAN_DAY_VALUE_OPTIONS,
    ROOT_FLAGS,
    ROOT_VALUE_OPTIONS,
    main,
    parse_plan_day_json,
)
from triplane.cli.app import run as run_normal
from triplane.core.catalogue import load_catalogue
from triplane.io.activities import synthetic_gpx
from triplane.usecases.planning import plan_day_read_only

CATALOGUE = load_catalogue()
DRILLS = sorted(CATALOGUE.drills)
DIRECTIONS = [d.id for d in CATALOGUE.lunge.directions]
TODAY = date.today()  # both paths plan with the real today; the stories are dated around it


def call(fn: Any, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = fn(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _no_env_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRIPLANE_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the current schema, copied for each example (creating the schema
    is the slow part of a new database)."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite3"
    assert call(run_normal, "--db", f"sqlite:///{path}", "athlete", "list")[0] == 0
    return path


def fresh(template: Path, folder: Path) -> str:
    """A new database file (its own name: no stale -wal file of an earlier example applies)."""
    import uuid

    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    with sqlite3.connect(template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)  # the template's WAL included
    src.close()
    dst.close()
    return f"sqlite:///{path}"


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


# ---- stories: an athlete's week and some weeks of log, all through the CLI -----------------------

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
times = st.sampled_from(["06:30", "07:00", "12:15", "17:30", "18:45"])
weekdays = st.lists(st.sampled_from(WEEKDAYS), min_size=0, max_size=4, unique=True)


@st.composite
def athlete_options(draw: st.DrawFn) -> list[str]:
    opts = ["--tz", draw(st.sampled_from(["UTC", "Europe/Zurich", "America/New_York"]))]
    runs = draw(weekdays)
    if runs:
        opts += ["--run-days", ",".join(runs), "--run-time", draw(times)]
        if draw(st.booleans()):
            opts += ["--long-run-day", runs[0]]
    gyms = draw(weekdays)
    if gyms:
        opts += ["--gym-days", ",".join(gyms), "--gym-time", draw(times)]
    opts += ["--daily-minutes", str(draw(st.integers(5, 60)))]
    if draw(st.booleans()):
        opts += ["--work-hours", "09:00-17:00"]
    if draw(st.booleans()):
        opts += ["--no-kneeling"]
    if draw(st.booleans()):
        opts += ["--condition", "hip_replacement", "--approach", "posterior"]
    return opts


offsets = st.integers(-40, 0)
entries = st.one_of(
    st.tuples(st.just("done"), st.sampled_from(DRILLS), offsets, st.integers(0, 10), st.booleans()),
    st.tuples(
        st.just("lunge"), st.sampled_from(DIRECTIONS), offsets, st.integers(0, 7), st.booleans()
    ),
    st.tuples(st.just("check-in"), st.just(""), offsets, st.integers(0, 7), st.booleans()),
    st.tuples(st.just("away"), st.just(""), offsets, st.integers(0, 5), st.booleans()),
    st.tuples(
        st.just("event"), st.just(""), st.integers(-10, 10), st.integers(0, 1), st.booleans()
    ),
    st.tuples(st.just("assess"), st.just(""), offsets, st.integers(15, 50), st.booleans()),
    st.tuples(st.just("edit"), st.just(""), offsets, st.integers(5, 60), st.booleans()),
    st.tuples(st.just("run"), st.just(""), offsets, st.integers(0, 4), st.booleans()),
)


def record(url: str, folder: Path, who: str, entry: tuple[str, str, int, int, bool]) -> None:
    """One log entry through the CLI; refusals (a paused programme, say) are part of life."""
    kind, what, offset, n, flag = entry
    when = day(offset)
    a = ["--db", url]
    if kind == "done":
        extra = ["--skipped"] if flag else ["--discomfort", str(n), "--minutes", "2"]
        call(run_normal, *a, "done", "-a", who, "--drill", what, "--date", when, *extra)
    elif kind == "lunge":
        balance = "lost" if flag else "ok"
        call(run_normal, *a, "lunge", "log", "-a", who, "--direction", what, "--reps", "6",
             "--discomfort", str(n), "--balance", balance, "--date", when)  # fmt: skip
    elif kind == "check-in":
        flags = ["--flag", "night_pain"] if flag and n > 5 else []
        call(run_normal, *a, "check-in", "-a", who, "--pain", str(n), *flags, "--date", when)
    elif kind == "away":
        end = day(offset + n)
        call(run_normal, *a, "away", "-a", who, "--from", when, "--to", end, "--reason", "sick")
    elif kind == "event":
        kind_ = "race" if n else "long_run"
        call(run_normal, *a, "event", "add", "-a", who, "--date", when, "--kind", kind_,
             "--time", "08:00")  # fmt: skip
    elif kind == "assess":
        side = "left" if flag else "right"
        call(run_normal, *a, "assess", "add", "-a", who, "--side", side,
             "--motion", "internal_rotation", "--degrees", str(n), "--date", when)  # fmt: skip
    elif kind == "edit":
        call(run_normal, *a, "athlete", "edit", who, "--from", when, "--daily-minutes", str(n))
    elif kind == "run":  # a few weeks of the same run: enough for a learned routine
        for week in range(n + 1):
            start = datetime.combine(TODAY + timedelta(days=offset - 7 * week), time(6, 40))
            path = folder / f"run{offset}_{week}.gpx"
            path.write_bytes(synthetic_gpx(start.replace(tzinfo=UTC), 2400, 7000))
            call(run_normal, *a, "activities", "import", "-a", who, str(path))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    options=athlete_options(),
    log=st.lists(entries, max_size=10),
    second=st.booleans(),
    plan_days=st.lists(st.integers(-7, 10), min_size=1, max_size=3, unique=True),
)
def test_the_fast_path_prints_what_the_normal_path_prints(
    template: Path,
    tmp_path: Path,
    options: list[str],
    log: list[tuple[str, str, int, int, bool]],
    second: bool,
    plan_days: list[int],
) -> None:
    url = fresh(template, tmp_path)
    code, _, err = call(run_normal, "--db", url, "athlete", "add", "Ann", *options)
    assert code == 0, err
    if second:  # two athletes: --athlete is needed, and the right one is read
        assert call(run_normal, "--db", url, "athlete", "add", "Bo")[0] == 0
    for entry in log:
        record(url, tmp_path, "Ann", entry)
    who = ["--athlete", "Ann"] if second else []
    for offset in [None, *plan_days]:
        when = [] if offset is None else ["--date", day(offset)]
        normal = call(run_normal, "--db", url, "plan", "day", *who, *when, "--json")
        assert normal[0] == 0, normal[2]
        fast = plan_day_read_only(url, False, "Ann" if second else None, day(offset or 0))
        assert fast is not None, "the fast path declined a database it can read"
        assert call(main, "--db", url, "plan", "day", *who, *when, "--json") == normal


# ---- where the fast path steps aside ------------------------------------------------------------


def both(url_normal: str, url_fast: str, *args: str) -> tuple[Any, Any]:
    """The normal path on one database and `main` on a copy: (normal, main) results."""
    return call(run_normal, "--db", url_normal, *args), call(main, "--db", url_fast, *args)


def test_a_missing_database_is_left_to_the_normal_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite3"
    assert plan_day_read_only(f"sqlite:///{missing}", False, None, None) is None
    assert not missing.exists()  # the fast path creates nothing
    normal, fast = both(f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{missing}",
                        "plan", "day", "--json")  # fmt: skip
    assert fast == normal
    assert normal[0] == 1 and normal[2].count("\n") == 1 and "no athletes yet" in normal[2]


def test_a_database_needing_a_migration_is_not_read_by_the_fast_path(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from triplane.store import db

    old = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{old}")
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    before_head = ScriptDirectory.from_config(cfg).get_revision(db.HEAD_REVISION).down_revision
    assert isinstance(before_head, str)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, before_head)
        conn.exec_driver_sql(
            "INSERT INTO athletes (name, tz, created_at) "
            "VALUES ('Old', 'UTC', '2026-01-05 08:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO settings_entries (athlete_id, effective, data, created_at) "
            "VALUES (1, '1970-01-01', '{}', '2026-01-05 08:00:00')"
        )
    engine.dispose()
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(old, copy)
    assert plan_day_read_only(f"sqlite:///{old}", False, None, None) is None
    with sqlite3.connect(old) as conn:  # untouched: still waiting for its migration
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (before_head,)
    normal, fast = both(f"sqlite:///{copy}", f"sqlite:///{old}", "plan", "day", "--json")
    assert fast == normal and normal[0] == 0  # the normal path upgrades, then plans


def test_a_database_that_is_not_sqlite_is_left_to_the_normal_path(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    assert plan_day_read_only(f"sqlite:///{junk}", False, None, None) is None
    for url in ("postgresql+psycopg://nobody@127.0.0.1:1/none", "sqlite://", "sqlite:///:memory:"):
        assert plan_day_read_only(url, False, None, None) is None


def test_postgresql_takes_the_normal_path(pg_url: str) -> None:
    assert call(run_normal, "--db", pg_url, "athlete", "add", "Pg", "--tz", "UTC")[0] == 0
    assert plan_day_read_only(pg_url, False, None, None) is None
    normal = call(run_normal, "--db", pg_url, "plan", "day", "--json")
    assert normal[0] == 0 and call(main, "--db", pg_url, "plan", "day", "--json") == normal


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "day", "--json"],  # several athletes
        ["plan", "day", "--json", "--athlete", "Zed"],  # no such athlete
        ["plan", "day", "--json", "--date", "2026-13-01"],
        ["plan", "day", "--json", "--date", "1899-12-31"],  # out of range
        ["plan", "day", "--json", "--athlete"],  # a missing value: Click's words
        ["plan", "day", "--json", "--json"],
        ["plan", "day", "--json", "--bogus"],
        ["plan", "day", "--json", "--help"],
    ],
)
def test_errors_are_the_normal_paths_one_line(
    template: Path, tmp_path: Path, args: list[str]
) -> None:
    url = fresh(template, tmp_path)
    for name in ("Ann", "Bo"):
        assert call(run_normal, "--db", url, "athlete", "add", name)[0] == 0
    normal = call(run_normal, "--db", url, *args)
    assert call(main, "--db", url, *args) == normal
    if "--help" not in args:
        assert normal[0] != 0 and normal[2].count("\n") == 1 and "Traceback" not in normal[2]


def test_the_arguments_the_fast_path_takes() -> None:
    ok = parse_plan_day_json
    assert ok(["plan", "day", "--json"]) == {"json": True}
    assert ok(["--db=sqlite:///x", "--demo", "plan", "day", "-a", "Ann", "--date=2026-12-01",
               "--json"]) == {"db": "sqlite:///x", "demo": True, "athlete": "Ann",
                              "date": "2026-12-01", "json": True}  # fmt: skip
    for args in (
        ["plan", "day"],  # text for people: Rich
        ["plan", "week", "--json"],
        ["plan", "day", "--json", "--athlete", "-x"],  # Click reads "-x" as the name
        ["plan", "day", "--json", "-aAnn"],
        ["plan", "day", "--json", "--json=1"],
        ["plan", "day", "--db", "x", "--json"],  # a root option after the command
        ["--demo", "--demo", "plan", "day", "--json"],
        ["athlete", "show", "plan", "day", "--json"],
        ["plan"],
    ):
        assert ok(args) is None, args


def test_the_fast_paths_options_are_the_typer_apps() -> None:
    """The hand-written grammar names exactly the options Typer declares for the command."""
    from typer.main import get_command

    from triplane.cli.app import _register_commands, app

    _register_commands()
    root = get_command(app)
    day_cmd = root.commands["plan"].commands["day"]  # type: ignore[attr-defined]

    def opts(cmd: Any, flag: bool) -> set[str]:
        return {
            o
            for p in cmd.params
            if getattr(p, "is_flag", False) == flag
            for o in p.opts
            if p.name != "help"
        }

    assert opts(root, False) == set(ROOT_VALUE_OPTIONS)
    assert opts(root, True) == set(ROOT_FLAGS)
    assert opts(day_cmd, False) == set(PLAN_DAY_VALUE_OPTIONS)
    assert opts(day_cmd, True) == set(PLAN_DAY_FLAGS)


def test_plan_day_json_starts_without_typer_click_or_sqlalchemy(template: Path, tmp_path: Path):
    url = fresh(template, tmp_path)
    assert call(run_normal, "--db", url, "athlete", "add", "Ann")[0] == 0
    code = (
        "import sys; from triplane.cli import main; "
        f"assert main(['--db', {url!r}, 'plan', 'day', '--json']) == 0; "
        "heavy = ('typer', 'click', 'sqlalchemy', 'rich', 'alembic'); "
        "print([m for m in sys.modules if m.split('.')[0] in heavy], file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"
    assert '"slots"' in out.stdout


def test_a_failed_write_is_the_normal_paths_one_line(template: Path, tmp_path: Path) -> None:
    url = fresh(template, tmp_path)
    assert call(run_normal, "--db", url, "athlete", "add", "Ann")[0] == 0
    results = []
    for entry in ("from triplane.cli import main as go", "from triplane.cli.app import run as go"):
        code = f"import sys; {entry}; sys.exit(go(['--db', {url!r}, 'plan', 'day', '--json']))"
        with open("/dev/full", "w") as full:
            r = subprocess.run([sys.executable, "-c", code], stdout=full, stderr=subprocess.PIPE)
        results.append((r.returncode, r.stderr.decode()))
    assert results[0] == results[1]
    assert results[0][0] == 1 and results[0][1].count("\n") == 1, results

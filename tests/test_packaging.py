"""`pip install triplane` is the app a user runs; only PostgreSQL and video are extras.

Two checks: every third-party module the app imports (outside the vision package) comes from
a plain dependency in pyproject.toml; and every command, run as a subprocess on an install
where the extras' modules cannot be imported, either works or says in one line which extra
to install.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "triplane"
DATA = Path(__file__).parent / "data" / "activities"

# Modules that belong to an extra, by the extra's name.
# (numpy is not among them: matplotlib, a plain dependency, brings it.)
EXTRA_MODULES = {"postgres": {"psycopg", "procrastinate"}, "vision": {"mediapipe", "cv2"}}


def _dist_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_every_module_the_app_imports_is_a_plain_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    plain = {_dist_name(r) for r in project["dependencies"]}
    # A plain dependency brings its own dependencies (fastapi brings starlette and pydantic).
    closure = set(plain)
    todo = list(plain)
    while todo:
        try:
            requires = importlib.metadata.requires(todo.pop()) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for req in requires:
            if "extra ==" in req:
                continue
            name = _dist_name(req)
            if name not in closure:
                closure.add(name)
                todo.append(name)
    dists_of = importlib.metadata.packages_distributions()
    extra_modules = set().union(*EXTRA_MODULES.values())
    stdlib = set(sys.stdlib_module_names)
    missing: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if "vision" in path.relative_to(SRC).parts:
            continue  # the vision package is the vision extra
        for module in _imported_top_modules(path) - stdlib - extra_modules - {"triplane"}:
            dists = {d.lower().replace("_", "-") for d in dists_of.get(module, [module])}
            if not dists & closure:
                missing.setdefault(module, set()).add(str(path.relative_to(ROOT)))
    assert not missing, f"imported but not installed by `pip install triplane`: {missing}"


@pytest.fixture
def without(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run `python -m triplane ...` where the named modules cannot be imported."""

    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            # A module set to None in sys.modules is one that is not installed: importing it
            # raises ModuleNotFoundError and importlib.util.find_spec() returns None.
            import os, sys

            for name in filter(None, os.environ.get("BLOCKED_MODULES", "").split(",")):
                sys.modules[name] = None
            """
        )
    )
    db = f"sqlite:///{tmp_path / 'plain.sqlite3'}"

    def run(blocked: set[str], *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("TRIPLANE_DATABASE_URL", None)
        env["PYTHONPATH"] = os.pathsep.join([str(blocker), str(ROOT / "src")])
        env["BLOCKED_MODULES"] = ",".join(sorted(blocked))
        env["XDG_DATA_HOME"] = str(tmp_path / "data")
        return subprocess.run(
            [sys.executable, "-m", "triplane", "--db", db, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )

    return run


NO_EXTRAS = EXTRA_MODULES["postgres"] | EXTRA_MODULES["vision"]

# Each command of the README, in an order that makes the later ones meaningful.
RUN = str(DATA / "fit" / "garmin-fenix-5-run.fit")
COMMANDS = [
    shlex.split(line)
    for line in f"""
    athlete add Sam --run-days mon,wed,fri,sun --run-time 17:30 --gym-days tue,thu --gym-time 12:00
    assess tests
    assess add --motion internal_rotation --side left --degrees 22
    assess show
    plan day --json
    plan week
    done --drill pigeon --discomfort 2
    lunge next
    lunge log --direction anterior --reps 5 --discomfort 2 --balance ok
    check-in --pain 2
    away --from 2026-12-20 --to 2026-12-27 --reason travel
    log list
    drills list
    drills show pigeon --svg pigeon.svg
    export
    demo --weeks 2
    report --athlete demo --out report.html
    activities import {RUN} --athlete Sam
    activities list --athlete Sam
    event add --date 2027-05-01 --kind race --name 'Trail 30k' --athlete Sam
    calendar --weeks 1 --out plan.ics --athlete Sam
    lunge export-fit --out session.fit --athlete Sam
    reminders set --channels ntfy,email --ntfy-topic sam-hips --lead 5 --athlete Sam
    reminders show --athlete Sam
    reminders run --once --now 2026-12-07T10:20
    reminders log --athlete Sam
    """.strip().splitlines()
]


@pytest.mark.slow
def test_every_command_runs_on_an_install_without_extras(without) -> None:  # type: ignore[no-untyped-def]
    for args in COMMANDS:
        r = without(NO_EXTRAS, *args)
        assert "Traceback" not in r.stderr and "module" not in r.stderr, (args, r.stderr)
        if args[:2] == ["lunge", "export-fit"] and r.returncode == 1:
            assert "no lunge-matrix session is due" in r.stderr  # today is not a lunge day
            continue
        assert r.returncode == 0, f"`triplane {' '.join(args)}` failed: {r.stderr}"


def test_an_extra_that_is_missing_is_named_in_one_line(without) -> None:  # type: ignore[no-untyped-def]
    r = without(NO_EXTRAS, "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "plan", "day")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "pip install 'triplane[postgres]'" in r.stderr, r.stderr
    clip = DATA / "fit" / "garmin-fenix-5-run.fit"  # any file: the extra is checked first
    r = without(NO_EXTRAS, "measure", str(clip), "--test", "seated_rotation", "--side", "left")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "pip install 'triplane[vision]'" in r.stderr, r.stderr


def test_a_broken_install_says_to_reinstall_not_a_traceback(without) -> None:  # type: ignore[no-untyped-def]
    assert without(set(), "athlete", "add", "Sam").returncode == 0
    r = without({"icalendar"}, "calendar", "--weeks", "1", "--out", "plan.ics")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "icalendar" in r.stderr and "reinstall" in r.stderr, r.stderr

"""Whole-process time of `triplane plan day --json` as a ratio to `python -c pass`, same run.

Target (issue 17): at most 20x `python -c pass`. Prints medians of several interleaved runs (so
load on the machine hits every case alike), never asserts. Cases:

- `python -c pass`: the baseline.
- `import sqlalchemy, typer`: what the normal path imports before any work.
- `plan day --json (normal path)`: the Typer app and SQLAlchemy (`triplane.cli.app.run`), what
  every other command, PostgreSQL and any error take.
- `triplane plan day --json`: the console script; on a SQLite file at the current schema it
  reads with sqlite3, without Typer, Click or SQLAlchemy.

Python's bytecode cache is on, in a temporary folder (PYTHONPYCACHEPREFIX), and warmed first:
an installed package has its .pyc files, whatever PYTHONDONTWRITEBYTECODE says in this shell.
`--no-bytecode-cache` measures without it for Triplane's own modules (compiled on each run, as
in an editable install with PYTHONDONTWRITEBYTECODE=1); the libraries keep their .pyc files.

Run: .venv/bin/python bench/plan_startup.py [--runs 15] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 20


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-bytecode-cache", action="store_true")
    opts = parser.parse_args()
    exe = str(Path(sys.executable).parent / "triplane")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TRIPLANE_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"
        if opts.no_bytecode_cache:  # the installed libraries keep their .pyc files
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX")
        week = ["--run-days", "mon,wed,fri", "--run-time", "17:30"]
        week += ["--gym-days", "tue", "--gym-time", "12:00"]
        subprocess.run(
            [exe, "athlete", "add", "Sam", *week], env=env, check=True, stdout=subprocess.DEVNULL
        )
        plan = ["plan", "day", "--json"]
        normal = "import sys; from triplane.cli.app import run; sys.exit(run(sys.argv[1:]))"
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import sqlalchemy, typer": [sys.executable, "-c", "import sqlalchemy, typer"],
            "plan day --json (normal path)": [sys.executable, "-c", normal, *plan],
            "triplane plan day --json": [exe, *plan],
        }
        for cmd in cases.values():  # warm the bytecode cache and the catalogue cache
            timed(cmd, env)
        results: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(opts.runs):
            for name, cmd in cases.items():
                results[name].append(timed(cmd, env))
    base = statistics.median(results["python -c pass"])
    cache = "off" if opts.no_bytecode_cache else "on"
    print(f"medians of {opts.runs} interleaved runs, bytecode cache {cache}")
    print(f"{'case':<32} {'median ms':>10} {'ratio':>7}")
    for name, values in results.items():
        med = statistics.median(values)
        print(f"{name:<32} {med * 1000:>10.1f} {med / base:>6.1f}x")
    print(f"target: triplane plan day --json at most {TARGET}x python -c pass")


if __name__ == "__main__":
    main()

"""Whole-process time of `triplane plan day --json` as a ratio to `python -c pass`, same run.

Target (issue 2): at most 40x. Prints medians of several runs, never asserts.
Run: .venv/bin/python bench/plan_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def main() -> None:
    exe = str(Path(sys.executable).parent / "triplane")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TRIPLANE_DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3")
        subprocess.run(
            [
                exe,
                "athlete",
                "add",
                "Sam",
                "--run-days",
                "mon,wed,fri",
                "--run-time",
                "17:30",
                "--gym-days",
                "tue",
                "--gym-time",
                "12:00",
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import sqlalchemy, typer": [sys.executable, "-c", "import sqlalchemy, typer"],
            "triplane plan day --json": [exe, "plan", "day", "--json"],
        }
        results: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(RUNS):  # interleaved, so load on the machine hits every case alike
            for name, cmd in cases.items():
                results[name].append(timed(cmd, env))
    base = statistics.median(results["python -c pass"])
    print(f"{'case':<28} {'median ms':>10} {'ratio':>7}")
    for name, values in results.items():
        med = statistics.median(values)
        print(f"{name:<28} {med * 1000:>10.1f} {med / base:>6.1f}x")
    print("target: triplane plan day --json at most 40x python -c pass")


if __name__ == "__main__":
    main()

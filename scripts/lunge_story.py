"""Ten weeks of one lunge direction, from a fresh database, through the CLI (issue 11).

    .venv/bin/python scripts/lunge_story.py [--direction crossover] [--no-long-run]

An athlete with a weekly long run on Sunday does the lunge matrix on Mondays, Wednesdays and
Fridays. Most sessions are clean; one loses balance, one is sore (4/10), one hurts (6/10) and
pauses the matrix until a clear check-in. Prints date, prescription, what was logged, and why,
as the CLI gives them (`lunge next --json`, `lunge log`, `check-in`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

START = date(2026, 3, 2)  # a Monday
STEPS = ("load", "range", "environment", "speed", "stability")
# week, weekday -> (discomfort, balance); anything else is clean (discomfort 2, balance ok)
EVENTS = {(3, 2): (2, "lost"), (5, 0): (4, "ok"), (6, 2): (6, "ok")}
CHECK_IN = (6, 5)  # a clear check-in on the Saturday after the painful session


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--direction", default="crossover")
    ap.add_argument("--no-long-run", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'story.sqlite3'}"

        def cli(*a: str) -> str:
            r = subprocess.run([sys.executable, "-m", "triplane", "--db", db, *a],
                               capture_output=True, text=True)  # fmt: skip
            if r.returncode != 0:
                sys.exit(f"triplane {' '.join(a)}: {r.stderr.strip()}")
            return r.stdout

        extra = [] if args.no_long_run else ["--long-run-day", "sun"]
        cli("athlete", "add", "Sam", "--run-days", "tue,thu,sun", "--tz", "UTC", *extra)
        print(f"# {args.direction}, 10 weeks, " + ("no long run" if args.no_long_run else
              "long run every Sunday") + ", sessions Mon/Wed/Fri\n")  # fmt: skip
        print("| date | prescription | log | why |\n|---|---|---|---|")
        for week in range(10):
            for wd in (0, 2, 4, 5):
                day = START + timedelta(days=7 * week + wd)
                if (week, wd) == CHECK_IN:
                    cli("check-in", "--pain", "1", "--date", day.isoformat())
                    print(f"| {day:%a %d %b} | | check-in: pain 1/10 | |")
                    continue
                if wd == 5:
                    continue
                data = json.loads(cli("lunge", "next", "--date", day.isoformat(), "--json"))
                if data["paused"]:
                    print(f"| {day:%a %d %b} | paused | (no session) | {data['advice']} |")
                    continue
                d = next(x for x in data["directions"] if x["direction"] == args.direction)
                steps = " · ".join(d[v] for v in STEPS)
                presc = f"{d['reps']} reps · {steps}" + (" (capped)" if d["capped"] else "")
                discomfort, balance = EVENTS.get((week, wd), (2, "ok"))
                cli("lunge", "log", "--direction", args.direction, "--reps", str(d["reps"]),
                    "--discomfort", str(discomfort), "--balance", balance,
                    "--date", day.isoformat())  # fmt: skip
                logged = f"{d['reps']} reps, discomfort {discomfort}/10, balance {balance}"
                print(f"| {day:%a %d %b} | {presc} | {logged} | {d['why']} |")
        end = START + timedelta(weeks=10)
        d = next(x for x in json.loads(cli("lunge", "next", "--date", end.isoformat(),
                                           "--json"))["directions"]
                 if x["direction"] == args.direction)  # fmt: skip
        steps = " · ".join(d[v] for v in STEPS)
        print(f"| {end:%a %d %b} (next) | {d['reps']} reps · {steps} | | {d['why']} |")


if __name__ == "__main__":
    main()

"""Benchmark: importing a training plan's calendar of 5k, 20k and 100k races and long runs.

Beside each figure, a baseline measured in the same run: the same events stored one by one with
`Running.add_event` (one look-up + one insert per event: the import before issue 16, whose cost
grew with the square of the events). The import now reads the athlete's events once and
inserts the new ones in one statement. 100k is over the file's event limit (MAX_ICS_EVENTS),
so "refused" is timed too; the import's own figure for 100k is measured with the limit lifted.
The baseline skips sizes above --baseline-max (its time grows quadratically).

    .venv/bin/python bench/ics_import.py [--sizes 5000,20000,100000] [--baseline-max 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from triplane.io import ics
from triplane.usecases.running import Running
from triplane.usecases.service import Invalid, open_service


def make_ics(n: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    start = date(2027, 1, 1)
    for i in range(n):
        d = start + timedelta(days=i // 3)
        kind = "Long run" if i % 2 else "Race"
        lines += ["BEGIN:VEVENT", f"UID:e{i}@bench", f"DTSTART;VALUE=DATE:{d:%Y%m%d}",
                  f"SUMMARY:{kind} {i} 30 km", "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(folder: Path, name: str, fn) -> float:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{folder / name}.sqlite3"
    with open_service(url) as svc:
        svc.add_athlete("Bench", tz="UTC")
    t0 = time.perf_counter()
    with open_service(url) as svc:
        fn(Running(svc), svc.athlete("Bench"))
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,20000,100000")
    ap.add_argument("--baseline-max", type=int, default=20000)
    args = ap.parse_args()
    print(f"{'events':>8} {'baseline s':>11} {'import s':>9} {'refused s':>10}  (limit "
          f"{ics.MAX_ICS_EVENTS:,} events, {ics.MAX_ICS_BYTES // 2**20} MB)")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in (int(x) for x in args.sizes.split(",")):
            data = make_ics(n)
            refused = "-"
            if n > ics.MAX_ICS_EVENTS:
                t0 = time.perf_counter()
                try:
                    timed(folder, f"r{n}", lambda run, a, d=data: run.import_events(a, d))
                except Invalid:
                    refused = f"{time.perf_counter() - t0:.3f}"
            limit = ics.MAX_ICS_EVENTS
            ics.MAX_ICS_EVENTS = max(limit, n)  # lifted, to time the import itself
            try:
                new = timed(folder, f"n{n}", lambda run, a, d=data: run.import_events(a, d))
            finally:
                ics.MAX_ICS_EVENTS = limit
            base = "skipped"
            if n <= args.baseline_max:

                def one_by_one(run: Running, a, d: bytes = data, m: int = n) -> None:  # type: ignore[no-untyped-def]
                    found = ics.read_events_ics(d, a.tz, a.today(), max_events=m)
                    for ev in found:
                        run.add_event(a, ev["date"], ev["kind"], ev["time"], ev["name"][:200])

                base = f"{timed(folder, f'b{n}', one_by_one):.1f}"
            print(f"{n:>8} {base:>11} {new:>9.1f} {refused:>10}")


if __name__ == "__main__":
    main()

"""Benchmark: importing 1,000 activity files (GPX, TCX and FIT, generated with the project's code).

Prints files per second and peak memory of `read_activities` over a folder of 1,000 files,
the median of 3 runs, beside a baseline in the same run: reading the same files' bytes and
parsing each with its format's library alone (fitdecode / gpxpy / tcxreader), so the ratio
shows what Triplane adds on top of the libraries.

    .venv/bin/python bench/import_activities.py [--files 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from triplane.io.activities import (
    read_activities,
    synthetic_fit,
    synthetic_gpx,
    synthetic_tcx,
)


def make_files(folder: Path, n: int) -> None:
    start = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
    # 45 % GPX, 45 % TCX, 10 % FIT (fit-tool writes slowly, so fewer of those)
    writers = [("gpx", synthetic_gpx), ("tcx", synthetic_tcx)] * 9 + [("fit", synthetic_fit)] * 2
    for i in range(n):
        ext, write = writers[i % len(writers)]
        when = start + timedelta(hours=13 * i)
        minutes = 20 + (i * 7) % 60
        data = write(when, minutes * 60, minutes * 170, every_s=10)
        (folder / f"{i:04d}.{ext}").write_bytes(data)


def baseline(folder: Path) -> int:
    import fitdecode
    import gpxpy
    from tcxreader.tcxreader import TCXReader

    n = 0
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        if p.suffix == ".gpx":
            gpxpy.parse(data.decode())
        elif p.suffix == ".tcx":
            TCXReader().read(io.BytesIO(data), only_gps=False)  # type: ignore[arg-type]
        else:
            for _ in fitdecode.FitReader(io.BytesIO(data)):
                pass
        n += 1
    return n


def triplane(folder: Path) -> int:
    out = read_activities([folder])
    assert not out.skipped, out.skipped[:3]
    return len(out.activities)


def measure(fn: Callable[[Path], int], folder: Path, runs: int) -> tuple[float, float, int]:
    """Median time of `runs` plain runs, then one run under tracemalloc for the peak."""
    times, count = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        count = fn(folder)
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn(folder)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak, count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        make_files(folder, args.files)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(
            f"generated {args.files} files (GPX/TCX/FIT, 10 s sampling, 20-80 min) "
            f"= {size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s"
        )
        b_t, b_mem, b_n = measure(baseline, folder, args.runs)
        t_t, t_mem, t_n = measure(triplane, folder, args.runs)
        print(f"median of {args.runs} runs; peak = Python heap (tracemalloc), separate run:")
        print(
            f"  baseline (read + library parse): {b_n / b_t:7.1f} files/s  "
            f"peak {b_mem / 1e6:6.1f} MB"
        )
        print(
            f"  triplane read_activities:        {t_n / t_t:7.1f} files/s  "
            f"peak {t_mem / 1e6:6.1f} MB"
        )
        print(f"  ratio triplane/baseline time: {t_t / b_t:.2f}x")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  process max RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()

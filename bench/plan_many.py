"""One week's plans for many athletes in one process (the pure planner, no database).

Target (issue 17): 10,000 athlete-weeks in at most 4 s. Each run starts cold: fresh Planners
and the planner's shared caches emptied (`plan.clear_caches()`), so athletes share only what
they share within the run (skeletons of days alike, drill filters, lunge plans).

Baseline, measured in the same run and interleaved with the new path: `Planner(cache=False)`,
the planner as it was before issue 17 (no shared caches, nothing precomputed per catalogue).
It has no state shared between athletes, so its athletes/s does not depend on N: it runs on
the first `--baseline` athletes (default 1,000) to keep the run short. The bench also checks
that both paths give the same plans for those athletes. Prints; never asserts on time.

Run: .venv/bin/python bench/plan_many.py [N] [--runs 5] [--baseline 1000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock

from triplane.core import plan
from triplane.core.anatomy import MOTIONS, WEEKDAYS
from triplane.core.assess import Profile, build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.catalogue.model import Catalogue
from triplane.core.plan import AthleteLog, DayPlan, Planner
from triplane.core.records import Measurement, Settings

MONDAY = date(2026, 11, 30)
TESTS = {
    "internal_rotation": "seated_rotation",
    "external_rotation": "seated_rotation",
    "flexion": "active_hip_flexion",
    "abduction": "standing_abduction",
    "extension": "modified_thomas",
    "adduction": "standing_adduction",
}
NORMAL = {
    "flexion": 110,
    "extension": 10,
    "abduction": 30,
    "adduction": 20,
    "internal_rotation": 30,
    "external_rotation": 40,
}
TARGET_S = 4.0
TARGET_N = 10_000


@dataclass(frozen=True)
class Athlete:
    settings: Settings
    profile: Profile
    seed: str


def athletes(n: int, cat: Catalogue, seed: int = 1) -> list[Athlete]:
    """The same population as before issue 17 (same generator, same draws)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        s = Settings(
            run_days=frozenset(rng.sample(WEEKDAYS, rng.randint(2, 5))),
            run_time=clock(rng.randint(6, 19), 0),
            gym_days=frozenset(rng.sample(WEEKDAYS, rng.randint(0, 2))),
            gym_time=clock(12, 0),
            daily_minutes=rng.choice([10, 15, 20]),
            kneeling_ok=rng.random() > 0.2,
        )
        ms = [
            Measurement(
                MONDAY - timedelta(days=5),
                TESTS[m],
                m,
                side,
                "degrees",
                rng.uniform(0.5, 1.2) * NORMAL[m],
            )
            for m in MOTIONS
            for side in ("left", "right")
        ]
        out.append(Athlete(s, build_profile(ms, cat), str(i)))
    return out


def plan_weeks(cat: Catalogue, people: list[Athlete], cache: bool) -> list[list[DayPlan]]:
    """One cold week per athlete: fresh Planners, the shared caches emptied first."""
    plan.clear_caches()
    return [
        Planner(
            cat,
            lambda d, s=a.settings: s,
            lambda d, p=a.profile: p,
            AthleteLog(),
            seed=a.seed,
            since=MONDAY,
            today=MONDAY,
            cache=cache,
        ).week(MONDAY)
        for a in people
    ]


def timed(
    cat: Catalogue, people: list[Athlete], cache: bool
) -> tuple[float, float, list[list[DayPlan]]]:
    """Wall-clock and CPU seconds (the process's own: steadier on a shared machine)."""
    t, c = time.perf_counter(), time.process_time()
    weeks = plan_weeks(cat, people, cache)
    return time.perf_counter() - t, time.process_time() - c, weeks


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=TARGET_N)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", type=int, default=1000, help="athletes for the baseline")
    args = ap.parse_args()
    cat = load_catalogue()
    people = athletes(args.n, cat)
    sample = people[: min(args.baseline, args.n)]
    before: list[float] = []
    after: list[float] = []
    before_cpu: list[float] = []
    after_cpu: list[float] = []
    for _ in range(args.runs):  # interleaved, so both see the same load on a shared machine
        secs, cpu, old = timed(cat, sample, cache=False)
        before.append(secs / len(sample))
        before_cpu.append(cpu / len(sample))
        secs, cpu, new = timed(cat, people, cache=True)
        after.append(secs / len(people))
        after_cpu.append(cpu / len(people))
    same = all(
        [d.as_dict() for d in a] == [d.as_dict() for d in b] for a, b in zip(old, new, strict=False)
    )
    b, a = statistics.median(before), statistics.median(after)
    print(f"planner: one week each, medians of {args.runs} interleaved runs, each run cold")
    print(
        f"  baseline (cache=False), {len(sample):,} athletes: {b * 1e3:.2f} ms per athlete-week "
        f"({1 / b:,.0f}/s), {TARGET_N:,} would take {b * TARGET_N:.1f} s"
    )
    print(
        f"  new (shared caches), {args.n:,} athletes: {a * args.n:.2f} s "
        f"({a * 1e3:.3f} ms per athlete-week, {1 / a:,.0f}/s); runs "
        + ", ".join(f"{x * args.n:.2f}" for x in after)
    )
    print(
        f"  ratio: {b / a:.1f}x faster; target {TARGET_N:,} in at most {TARGET_S:g} s: "
        f"{'met' if a * TARGET_N <= TARGET_S else 'NOT met'} ({a * TARGET_N:.2f} s); "
        f"same plans as the baseline for the {len(sample):,}: {'yes' if same else 'NO'}"
    )
    bc, ac = statistics.median(before_cpu), statistics.median(after_cpu)
    print(
        f"  CPU time (process): baseline {bc * 1e3:.2f} ms per athlete-week, new {ac * 1e3:.3f} "
        f"ms ({ac * args.n:.2f} s for {args.n:,}); ratio {bc / ac:.1f}x; {TARGET_N:,} would "
        f"take {ac * TARGET_N:.2f} s of CPU"
    )


if __name__ == "__main__":
    main()

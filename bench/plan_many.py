"""One week's plans for many athletes in one process (the pure planner, no database).

Target (issue 2): 10,000 athletes in at most 10 s. Prints athletes per second; never asserts.
Run: .venv/bin/python bench/plan_many.py [N]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as clock

from triplane.core.anatomy import MOTIONS, WEEKDAYS
from triplane.core.assess import build_profile
from triplane.core.catalogue import load_catalogue
from triplane.core.plan import AthleteLog, Planner
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


def athletes(n: int, seed: int = 1):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    cat = load_catalogue()
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
                rng.uniform(0.5, 1.2)
                * {
                    "flexion": 110,
                    "extension": 10,
                    "abduction": 30,
                    "adduction": 20,
                    "internal_rotation": 30,
                    "external_rotation": 40,
                }[m],
            )
            for m in MOTIONS
            for side in ("left", "right")
        ]
        profile = build_profile(ms, cat)
        yield Planner(
            cat,
            lambda d, s=s: s,
            lambda d, p=profile: p,
            AthleteLog(),
            seed=str(i),
            since=MONDAY,
            today=MONDAY,
        )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    planners = list(athletes(n))
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        for p in planners:
            p._weeks.clear()  # noqa: SLF001 - measure a cold week each time
            p.week(MONDAY)
        runs.append(time.perf_counter() - t)
    med = statistics.median(runs)
    print(
        f"{n} athletes, one week each: median {med:.2f} s over 3 runs "
        f"({n / med:,.0f} athletes/s); target 10,000 in at most 10 s"
    )


if __name__ == "__main__":
    main()

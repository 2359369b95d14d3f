"""The demo athlete: weeks of realistic history so every page, chart and report has something to
show on a fresh install. Deterministic (a seeded generator), built only through the service.

The story: a trail runner, tight in left internal rotation and hip extension, who does most of
the plan but skips some days (and a busy stretch of three), gains degrees gradually (left
internal rotation by more than the test's measurement error over 8 weeks; extension by less
than its large error), has one painful week that pauses the programme (cleared a few days
later) after which right external rotation measures lower (a regression), one lunge session
where balance goes, and abduction not re-tested for weeks (a re-test reminder).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from triplane.core.settings import SettingsChange
from triplane.usecases.service import Service

DEMO_NAME = "demo"


def create_demo(
    svc: Service, weeks: int = 8, replace: bool = True, today: date | None = None
) -> bool:
    """Create (or re-create) the demo athlete. Returns False when it existed and replace=False."""
    existing = {a.name: a for a in svc.athletes()}
    if DEMO_NAME in existing:
        if not replace:
            return False
        svc.delete_athlete(existing[DEMO_NAME])
    rng = random.Random(20261123)
    end = today or date.today()
    start = end - timedelta(weeks=weeks)
    start -= timedelta(days=start.weekday())  # a Monday
    a = svc.add_athlete(
        DEMO_NAME,
        tz="Europe/Zurich",
        effective=start - timedelta(days=1),
        change=SettingsChange(
            run_days="tue,thu,sat,sun",
            run_time="07:00",
            gym_days="mon,wed",
            gym_time="18:00",
            gym_minutes=60,
            wake="06:15",
            sleep="22:30",
            daily_minutes=15,
            work_hours="09:00-17:30",
            long_run_day="sun",
        ),
    )
    from triplane.usecases import onboarding

    onboarding.finished(svc, a)  # weeks of history: the first-run flow is long behind it
    pain_week = start + timedelta(weeks=max(1, weeks // 2))  # a Monday mid-way
    # Assessments every 2 weeks and 2 days before the end; gains grow with the weeks of work.
    baseline = {
        ("internal_rotation", "left"): 22.0,
        ("internal_rotation", "right"): 33.0,
        ("external_rotation", "left"): 44.0,
        ("external_rotation", "right"): 45.0,
        ("flexion", "left"): 112.0,
        ("flexion", "right"): 115.0,
        ("extension", "left"): 2.0,
        ("extension", "right"): 7.0,
        ("abduction", "left"): 33.0,
        ("abduction", "right"): 35.0,
        ("adduction", "left"): 24.0,
        ("adduction", "right"): 25.0,
    }
    gain_per_week = {
        ("internal_rotation", "left"): 1.4,
        ("extension", "left"): 0.8,
        ("extension", "right"): 0.5,
        ("internal_rotation", "right"): 0.3,
    }
    test_days = [start + timedelta(days=d) for d in range(0, weeks * 7 - 7, 14)]
    if weeks > 1:
        test_days.append(end - timedelta(days=2))
    for i, day in enumerate(test_days):
        elapsed = (day - start).days / 7
        for (motion, side), value in baseline.items():
            if motion == "abduction" and i > 1:
                continue  # not re-tested after week 2: the report reminds
            noise = rng.uniform(-1.5, 1.5) if i else 0.0
            v = value + gain_per_week.get((motion, side), 0.0) * elapsed + noise
            if (motion, side) == ("external_rotation", "right") and day > pain_week:
                v -= 12.0  # the regression after the painful week
            svc.add_measurement(a, side=side, motion=motion, degrees=max(round(v), 0), day=day)

    svc.check_in(a, pain=6, day=pain_week + timedelta(days=1))
    svc.check_in(a, pain=2, day=pain_week + timedelta(days=4))
    svc.add_away(
        a,
        start + timedelta(weeks=max(1, weeks // 2) - 1, days=4),
        start + timedelta(weeks=max(1, weeks // 2) - 1, days=6),
        "travel",
    )

    planner_days = (end - start).days
    balance_lost = False  # once: the first crossover session from a third of the way in
    busy = {start + timedelta(days=d) for d in (10, 11, 12)} if weeks >= 2 else set()
    for n in range(planner_days):
        day = start + timedelta(days=n)
        plan = svc.plan_day(a, day)
        if day in busy or rng.random() < 0.08:
            continue  # a day with nothing done
        for slot in plan.slots:
            roll = rng.random()
            if roll < 0.08:
                continue  # forgot to log: owed later
            if roll < 0.14:
                svc.log_drill(a, slot.drill.id, day, skipped=True)
                continue
            svc.log_drill(
                a,
                slot.drill.id,
                day,
                minutes=slot.minutes,
                discomfort=rng.choice([1, 2, 2, 3, 3, 4]),
            )
        if plan.lunge_session is not None:
            for d in plan.lunge_session.directions:
                direction = d.prescription.direction
                lose = direction == "crossover" and n >= planner_days // 3 and not balance_lost
                balance_lost = balance_lost or lose
                balance = "lost" if lose else "ok"
                reps = d.prescription.reps if rng.random() > 0.1 else d.prescription.reps - 1
                svc.log_lunge(a, direction, reps, rng.choice([1, 2, 2, 3]), balance, day=day)
    return True

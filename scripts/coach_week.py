"""A realistic coached week from a fresh database (issue 14 §6), printed as the coach reads it.

Maya has a hip replacement (anterior approach) and runs four days a week. On the first day her
coach Sam bans the pigeon stretch (and its standing twin), pins his own side-lying internal
rotation drill (a coach's drill file) on 4 days a week, raises her budget to 20 minutes, and
locks the forward lunge. Maya then does most of her snacks for 7 days: one is skipped, one hurts
(6/10) on day 4, and Sam comments on that snack and on the next day. The days are simulated by
setting each use case's clock to the day; at the end the clock is today again and the script
prints the coach's list, Maya's snacks day by day, the week's plan checks and who changed what.

    .venv/bin/python scripts/coach_week.py [--db sqlite:////tmp/coach-week.sqlite3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

SIDE_LYING_IR = """
[[drill]]
id = "side_lying_hip_ir"
name = "Side-lying hip internal rotation"
purpose = "On the side, hips straight, a pillow between the knees: the top leg turns in and back."
planes = ["transverse"]
motions = ["internal_rotation"]
position = "side_lying"
loads_knee = false
style = "dynamic"
standing_version = "standing_ir_lift_off"
difficulty = 1
dose = { sets = 2, reps = 10, hold_seconds = 2, per_side = true, tempo = "slow", minutes = 3 }
cues = [
    "Hips straight, a pillow between the knees.",
    "Turn the top leg in from the hip, small and slow.",
    "Keep the pelvis still.",
]
mistakes = ["Rolling the pelvis forward.", "Bending the hip to get more range."]
contraindications = []
demands = []
equipment = ["a mat", "a pillow"]
sources = ["Coach Sam's notes"]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None, help="a fresh database URL (default: a temp file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="coach-week-"))
    (folder / "drills").mkdir()
    (folder / "drills" / "sam.toml").write_text(SIDE_LYING_IR, encoding="utf-8")
    os.environ["TRIPLANE_DRILLS_DIR"] = str(folder / "drills")
    db = args.db or f"sqlite:///{folder / 'coach-week.sqlite3'}"

    from triplane.core.conditions import drill_allowed, restrictions_for
    from triplane.core.settings import SettingsChange
    from triplane.usecases import accounts as acc_mod
    from triplane.usecases import coach as uc
    from triplane.usecases import service as svc_mod
    from triplane.usecases.accounts import Accounts
    from triplane.usecases.service import Athlete

    real_today = date.today()
    start = real_today - timedelta(days=6)
    clock = {"day": start}

    def sim_now() -> datetime:
        return datetime.combine(clock["day"], time(12, 0))

    real_athlete_today = Athlete.today
    Athlete.today = lambda self: clock["day"]  # type: ignore[method-assign]
    svc_mod._now = sim_now  # type: ignore[assignment]
    uc._now = sim_now  # type: ignore[assignment]
    acc_mod._now = sim_now  # type: ignore[assignment]

    from triplane.store.db import ensure_schema, make_engine

    engine = make_engine(db)
    ensure_schema(engine)

    def tx() -> Accounts:
        conn = engine.connect()
        conn.begin()
        return Accounts(conn)

    def done(acc: Accounts) -> None:
        acc.conn.commit()
        acc.conn.close()

    # day 1: sign-ups, the week, the tests, the link, the coach's choices
    acc = tx()
    maya = acc.signup("maya@example.org", "a long passphrase 1", "Maya", "athlete", "UTC")
    sam = acc.signup("sam@example.org", "a long passphrase 2", "Sam", "coach", "UTC")
    a = acc.own_athlete(maya)
    acc.svc.edit_athlete(
        a,
        SettingsChange(
            conditions=("hip_replacement",),
            hip_approach="anterior",
            run_days="tue,thu,sat,sun",
            run_time="07:00",
            long_run_day="sun",
        ),
        author=(maya.name, maya.role),
    )
    for motion, left, right in (("internal_rotation", 22, 34), ("external_rotation", 40, 42)):
        for side, value in (("left", left), ("right", right)):
            acc.svc.add_measurement(
                a, side=side, motion=motion, test="seated_rotation", degrees=value, day=start
            )
    code = acc.create_invite(sam)
    acc.accept_invite(maya, code)
    uc.ban_drill(acc, sam, a.id, "pigeon")
    uc.pin_drill(acc, sam, a.id, "side_lying_hip_ir", 4)
    said = uc.preview_week(acc, sam, a.id, {"daily_minutes": 20})
    print("Sam's confirmation:", "; ".join(c.text() for c in said))
    uc.edit_week(acc, sam, a.id, {"daily_minutes": 20})
    uc.hold_lunge(acc, sam, a.id, "anterior", "lock")
    done(acc)

    # seven days of snacks
    for n in range(7):
        clock["day"] = day = start + timedelta(days=n)
        acc = tx()
        plan = acc.svc.plan_day(a, day)
        for i, sl in enumerate(plan.slots):
            if n == 2 and i == 1:
                acc.svc.log_drill(a, sl.drill.id, day=day, skipped=True)
                continue
            hurt = n == 3 and i == 0 and sl.drill.id != "side_lying_hip_ir"
            acc.svc.log_drill(
                a, sl.drill.id, day=day, minutes=sl.minutes, discomfort=6 if hurt else 2
            )
            if hurt:
                uc.comment(acc, sam, a.id, day, "6/10 is too much: half the range, slower, "
                           "and stop there if it still pinches.", sl.drill.id)  # fmt: skip
        if plan.lunge_session is not None:
            for d in plan.lunge_session.directions:
                p = d.prescription
                acc.svc.log_lunge(a, p.direction, p.reps, 2, "ok", day=day)
        if n == 4:
            uc.comment(acc, sam, a.id, day, "Nice consistency. Keep the side-lying IR slow.")
        done(acc)

    Athlete.today = real_athlete_today  # type: ignore[method-assign]
    clock["day"] = real_today
    acc = tx()
    s = acc.svc.settings_on(a, real_today)
    r = restrictions_for(acc.svc.catalogue, s)
    print(f"\nFresh database: {db}\nThe week {start:%a %d %b} to {real_today:%a %d %b}\n")
    print("== Sam's athletes (most in need of attention first)")
    for row in uc.dashboard(acc, sam):
        ad = row["adherence"]["last_7_days"]
        print(f"  {row['athlete'].name}: {', '.join(row['attention'].reasons) or 'nothing'}; "
              f"last 7 days {ad['done_minutes']:g} of {ad['planned_minutes']} min")  # fmt: skip
    print("\n== Maya's snacks, newest first")
    for d in uc.snacks(acc, sam, a.id):
        print(f"  {d['date']:%a %d %b}" + (" (paused)" if d["paused"] else ""))
        for sn in d["snacks"]:
            logs = (
                ", ".join(
                    "skipped" if g.skipped else f"done {g.minutes:g} min, {g.discomfort}/10"
                    for g in sn["logs"]
                )
                or "not logged"
            )
            at = sn["start"].strftime("%H:%M") if sn["start"] else "--:--"
            print(f"    {at} {sn['name']}: {logs}")
            for c in sn["comments"]:
                print(f"      {c['author']}: {c['text']}")
        for c in d["comments"]:
            print(f"    {c['author']} on the day: {c['text']}")
    print("\n== The plan, checked over the two weeks around today")
    monday = real_today - timedelta(days=real_today.weekday())
    for week_start in (monday - timedelta(days=7), monday):
        week = acc.svc.plan_week(a, week_start)
        week = [d for d in week if d.date >= start]  # before Maya started: not her plan
        ids = [sl.drill.id for day in week for sl in day.slots]
        pin_days = sum(any(sl.drill.id == "side_lying_hip_ir" for sl in d.slots) for d in week)
        pinned_from = max(week_start, start)
        print(f"  week of {week_start:%d %b}: pigeon {ids.count('pigeon')}, standing pigeon "
              f"{ids.count('standing_pigeon')}, side-lying IR on {pin_days} days "
              f"(pinned and hers from {pinned_from:%a %d %b}); every drill allowed by the "
              f"conditions: {all(drill_allowed(acc.svc.catalogue.drills[i], r) for i in ids)}"
              f" ({r.conditions[0][1]})")  # fmt: skip
    _, plans = acc.svc.lunge_next(a)
    for p in plans:
        print(f"  lunge {p.prescription.direction}: {p.status}, {p.prescription.reps} reps")
    print("\n== Who changed what")
    for e in acc.svc.settings_history(a):
        if e["changes"]:
            who = f"{e['author']} ({e['author_role']})" if e["author"] else "set up"
            print(f"  {e['made']:%a %d %b} {who}: " + "; ".join(c.text() for c in e["changes"]))
    done(acc)
    print(f"\nServe it: TRIPLANE_DRILLS_DIR={folder / 'drills'} triplane --db {db} serve")
    print("and log in as sam@example.org with 'a long passphrase 2'")


if __name__ == "__main__":
    main()

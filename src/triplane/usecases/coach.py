"""A coach's use cases (issue 14 §6): edit an athlete's week with a confirmation of what
changes, pin or ban drills, cap or lock a lunge direction, comment on a day or a snack, read
the snacks with their discomfort, and the list of athletes sorted by what needs attention.

Every call takes the coach (a `User`) and checks the link first (`Accounts.coach_athlete`:
anyone else's athlete is 'not found', an athlete is refused). Settings changes are dated
entries with the coach recorded as their author, so the athlete sees who changed what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from triplane.core import coaching
from triplane.core.conditions import drill_ruled_out
from triplane.core.lunge import HOLD_KINDS
from triplane.core.records import Settings
from triplane.core.settings import SettingsChange
from triplane.store import schema as t
from triplane.usecases.accounts import Accounts, User
from triplane.usecases.service import Athlete, Invalid, NotFound

SNACK_DAYS = 7  # the days of snacks the coach's athlete page shows


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _author(user: User) -> tuple[str, str]:
    return (user.name, user.role)


def settings_change(changes: Mapping[str, Any]) -> SettingsChange:
    """The one typed change every face builds (core.settings), from the coach's fields: lists
    and mappings become the tuples it holds."""
    kw: dict[str, Any] = {}
    for k, v in changes.items():
        if isinstance(v, Mapping):
            v = tuple(sorted(v.items()))
        elif isinstance(v, list):
            v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        kw[k] = v
    return SettingsChange(**kw)


def _changed(acc: Accounts, a: Athlete, changes: Mapping[str, Any]) -> tuple[Settings, Settings]:
    """(settings in force today, settings after the changes), validated, nothing saved."""
    day = a.today()
    before = acc.svc.settings_on(a, day)
    return before, acc.svc._apply_change(before, settings_change(changes))


def preview_week(
    acc: Accounts, coach: User, athlete_id: int, changes: Mapping[str, Any]
) -> list[coaching.Change]:
    """What the coach's edit of the week would change, in words (nothing saved)."""
    a = acc.coach_athlete(coach, athlete_id)
    week = {k: v for k, v in changes.items() if k in coaching.WEEK_FIELDS or k == "run_times"}
    before, after = _changed(acc, a, week)
    return coaching.changes(before, after, acc.svc.names())


def edit_week(
    acc: Accounts, coach: User, athlete_id: int, changes: Mapping[str, Any]
) -> list[coaching.Change]:
    """Save the coach's edit of the week from today on, with the coach as its author."""
    a = acc.coach_athlete(coach, athlete_id)
    week = {k: v for k, v in changes.items() if k in coaching.WEEK_FIELDS or k == "run_times"}
    return _save(acc, coach, a, week)


def _save(
    acc: Accounts, coach: User, a: Athlete, changes: Mapping[str, Any]
) -> list[coaching.Change]:
    before, after = _changed(acc, a, changes)
    said = coaching.changes(before, after, acc.svc.names())
    if said:
        acc.svc.edit_athlete(a, settings_change(changes), author=_author(coach))
    return said


def ban_drill(
    acc: Accounts, coach: User, athlete_id: int, drill_id: str, with_twin: bool = True
) -> list[coaching.Change]:
    """The drill (and, unless `with_twin` is False, its standing or kneeling twin) never
    appears in the athlete's plan; a pin of it is lifted."""
    a = acc.coach_athlete(coach, athlete_id)
    s = acc.svc.settings_on(a, a.today())
    drill = _drill(acc, drill_id)
    out = {drill.id}
    if with_twin:
        out |= twins(acc, drill.id)
    pins = [(d, n) for d, n in s.pinned_drills if d not in out]
    return _save(
        acc,
        coach,
        a,
        {"banned_drills": sorted(set(s.banned_drills) | out), "pinned_drills": pins},
    )


def twins(acc: Accounts, drill_id: str) -> set[str]:
    """The drill's standing twin (its `standing_version`); for a standing drill, the kneeling
    or floor drills it is the standing version of."""
    drills = acc.svc.catalogue.drills
    drill = drills[drill_id]
    if drill.standing_version:
        return {drill.standing_version} & set(drills)
    return {d.id for d in drills.values() if d.standing_version == drill_id}


def pin_drill(
    acc: Accounts,
    coach: User,
    athlete_id: int,
    drill_id: str,
    days: int = coaching.PIN_DEFAULT_DAYS,
) -> list[coaching.Change]:
    """The drill is planned on at least `days` days a week where the athlete's conditions and
    safety allow it; a ban of it is lifted. A drill the conditions rule out is refused."""
    a = acc.coach_athlete(coach, athlete_id)
    s = acc.svc.settings_on(a, a.today())
    drill = _drill(acc, drill_id)
    why = drill_ruled_out(drill, acc.svc.planner(a).restrictions(s))
    if why is not None:
        raise Invalid(f"{drill.name} is left out for this athlete ({why}); pin another drill")
    pins = dict(s.pinned_drills)
    pins[drill.id] = days
    banned = [d for d in s.banned_drills if d != drill.id]
    return _save(acc, coach, a, {"pinned_drills": pins, "banned_drills": banned})


def release_drill(
    acc: Accounts, coach: User, athlete_id: int, drill_id: str
) -> list[coaching.Change]:
    """Lift the coach's pin or ban of a drill (a ban of its twin stays)."""
    a = acc.coach_athlete(coach, athlete_id)
    s = acc.svc.settings_on(a, a.today())
    pins = [(d, n) for d, n in s.pinned_drills if d != drill_id]
    banned = [d for d in s.banned_drills if d != drill_id]
    return _save(acc, coach, a, {"pinned_drills": pins, "banned_drills": banned})


def hold_lunge(
    acc: Accounts, coach: User, athlete_id: int, direction: str, kind: str | None
) -> list[coaching.Change]:
    """Cap ("cap": a lighter session) or lock ("lock": the level as it is) one lunge direction,
    or lift the hold (None). Either way a held session counts for nothing."""
    a = acc.coach_athlete(coach, athlete_id)
    if kind not in (*HOLD_KINDS, None):
        raise Invalid(f"a lunge direction is capped, locked or free, not '{str(kind)[:20]}'")
    s = acc.svc.settings_on(a, a.today())
    holds = dict(s.lunge_holds)
    if kind is None:
        holds.pop(direction, None)
    else:
        holds[direction] = kind
    return _save(acc, coach, a, {"lunge_holds": holds})


def _drill(acc: Accounts, drill_id: str) -> Any:
    drill = acc.svc.catalogue.drills.get(drill_id)
    if drill is None:
        raise NotFound(f"there is no drill '{drill_id[:40]}' in the catalogue")
    return drill


# ---- comments ------------------------------------------------------------------------------


def comment(
    acc: Accounts,
    coach: User,
    athlete_id: int,
    day: date,
    text: str,
    drill: str | None = None,
) -> int:
    """A coach's comment on the athlete's day, or on one snack of it (`drill`)."""
    a = acc.coach_athlete(coach, athlete_id)
    text = " ".join(str(text).split())
    if not text:
        raise Invalid("write a comment first")
    if len(text) > coaching.COMMENT_MAX:
        raise Invalid(f"a comment is at most {coaching.COMMENT_MAX} characters; shorten it")
    if drill is not None and drill not in acc.svc.catalogue.drills:
        raise Invalid(f"'{drill[:40]}' is not a drill in the catalogue")
    name, role = _author(coach)
    result = acc.conn.execute(
        insert(t.comments).values(
            athlete_id=a.id,
            date=day,
            drill=drill,
            text=text,
            author=name[:100],
            author_role=role,
            created_at=_now(),
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def delete_comment(acc: Accounts, coach: User, athlete_id: int, comment_id: int) -> None:
    a = acc.coach_athlete(coach, athlete_id)
    done = acc.conn.execute(
        delete(t.comments).where(t.comments.c.id == comment_id, t.comments.c.athlete_id == a.id)
    )
    if not done.rowcount:
        raise NotFound(f"no comment {comment_id} for this athlete")


def comments(acc: Accounts, a: Athlete, start: date, end: date) -> list[dict[str, Any]]:
    """Comments on the days from `start` to `end`, oldest first (the caller has checked who may
    see the athlete)."""
    rows = acc.conn.execute(
        select(t.comments)
        .where(
            t.comments.c.athlete_id == a.id,
            t.comments.c.date >= start,
            t.comments.c.date <= end,
        )
        .order_by(t.comments.c.date, t.comments.c.id)
    ).all()
    names = acc.svc.names()
    return [
        {
            "id": r.id,
            "date": r.date,
            "drill": r.drill,
            "drill_name": names.get(r.drill, r.drill) if r.drill else None,
            "text": r.text,
            "author": r.author,
            "author_role": r.author_role,
            "made": r.created_at,
        }
        for r in rows
    ]


def for_today(acc: Accounts, a: Athlete, day: date | None = None) -> dict[str, Any]:
    """What the athlete's Today shows of their coach: the day's comments (and on its snacks),
    and settings a coach changed in the last 7 days."""
    day = day or a.today()
    recent = [
        e
        for e in acc.svc.settings_history(a)
        if e["author_role"] == "coach"
        and e["changes"]
        and e["made"].date() >= day - timedelta(days=7)
    ]
    grouped: dict[tuple[str, date], dict[str, Any]] = {}  # one line per coach and day
    for e in recent:
        key = (e["author"], e["made"].date())
        line = grouped.setdefault(key, {**e, "changes": []})
        by_field = {c.field: c for c in line["changes"]}
        for c in e["changes"]:  # a field changed twice: from the first before to the last after
            first = by_field.get(c.field)
            by_field[c.field] = replace(c, before=first.before) if first else c
        line["changes"] = [c for c in by_field.values() if c.before != c.after]
    return {"comments": comments(acc, a, day, day), "changes": list(grouped.values())[::-1]}


# ---- what the coach reads -------------------------------------------------------------------


def snacks(
    acc: Accounts, coach: User, athlete_id: int, days: int = SNACK_DAYS
) -> list[dict[str, Any]]:
    """The last `days` days, newest first: each planned snack with what was logged for it (done
    or skipped, minutes, discomfort), drills logged that were not planned, and comments."""
    a = acc.coach_athlete(coach, athlete_id)
    today = a.today()
    planner = acc.svc.planner(a)
    logs = planner.log.drill_logs
    said = comments(acc, a, today - timedelta(days=days - 1), today)
    out = []
    for n in range(days):
        d = today - timedelta(days=n)
        if planner.since is not None and d < planner.since:
            break  # before the athlete started: nothing was planned
        plan = planner.day(d)
        day_logs = [g for g in logs if g.date == d]
        rows: list[dict[str, Any]] = []
        for sl in plan.slots:
            got = [g for g in day_logs if g.drill == sl.drill.id]
            rows.append(
                {"drill": sl.drill.id, "name": sl.drill.name, "start": sl.start,
                 "minutes": sl.minutes, "logs": got}
            )  # fmt: skip
        planned = {sl.drill.id for sl in plan.slots}
        names = acc.svc.names()
        for g in day_logs:
            if g.drill not in planned:
                rows.append(
                    {"drill": g.drill, "name": names.get(g.drill, g.drill), "start": None,
                     "minutes": None, "logs": [g]}
                )  # fmt: skip
                planned.add(g.drill)
        for r in rows:
            r["comments"] = [c for c in said if c["date"] == d and c["drill"] == r["drill"]]
            worst = [g.discomfort for g in r["logs"] if g.discomfort is not None]
            r["discomfort"] = max(worst) if worst else None
        out.append(
            {
                "date": d,
                "paused": plan.safety.paused,
                "away": plan.away,
                "snacks": rows,
                "comments": [c for c in said if c["date"] == d and c["drill"] is None],
            }
        )
    return out


def dashboard(acc: Accounts, coach: User) -> list[dict[str, Any]]:
    """The coach's athletes, most in need of attention first (paused by safety, pain reported
    in the last 7 days, adherence falling), each with their adherence and flags."""
    rows: list[dict[str, Any]] = []
    for a in acc.linked_athletes(coach):
        adherence = acc.adherence(a)
        flags = acc.flags(a)
        log = acc.svc.athlete_log(a)
        pain = coaching.pain_reports(
            a.today(), log.drill_logs, log.lunge_logs, log.check_ins, acc.svc.names()
        )
        r7 = adherence["last_7_days"]["ratio"]
        r28 = adherence["last_28_days"]["ratio"]
        att = coaching.attention(flags["paused"], pain, r7, r28)
        rows.append(
            {
                "athlete": a,
                "adherence": adherence,
                "flags": flags,
                "attention": att,
                "key": coaching.attention_order(att, r7, a.name),
            }
        )
    rows.sort(key=lambda r: r["key"])
    return rows


def coach_view(s: Settings) -> dict[str, Any]:
    """The coach's choices in force: bans, pins and lunge holds, as plain data."""
    return {
        "banned": list(s.banned_drills),
        "pinned": dict(s.pinned_drills),
        "holds": dict(s.lunge_holds),
    }

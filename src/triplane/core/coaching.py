"""A coach's rules (issue 14 §6): limits of pins and comments, what a settings change says in
words, and which athletes need attention first.

Pure: plain records in, plain answers out. The planner applies bans and pins
(plan.Planner.allowed_on, plan._Week.follow_pins) and the lunge matrix the holds
(lunge.plan_directions); this module only says what they mean to people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, time, timedelta

from triplane.core.anatomy import WEEKDAYS
from triplane.core.records import CheckIn, DrillLog, LungeLog, Settings
from triplane.core.safety import ACCEPTABLE_MAX, SAFE_MAX

PIN_MAX_DAYS = 7  # a pinned drill: at most one snack a day, so at most every day of the week
PIN_DEFAULT_DAYS = 3
COMMENT_MAX = 500  # characters in one coach's comment
PAIN_WINDOW_DAYS = 7  # pain reported this recently puts an athlete near the top
ADHERENCE_DROP = 0.2  # the last 7 days this far below the last 28: adherence is falling
ADHERENCE_LOW = 0.3  # or the last 7 days under this share of what was planned

HELD = {"cap": "capped", "lock": "locked"}
# what each change says, in the order a person reads a week
LABELS: Mapping[str, str] = {
    "run_days": "Run days",
    "run_time": "Run time",
    "second_run_time": "Second run time",
    "run_times": "Run times by day",
    "long_run_day": "Long-run day",
    "gym_days": "Gym days",
    "gym_time": "Gym time",
    "gym_minutes": "Gym session (minutes)",
    "daily_minutes": "Minutes a day",
    "banned_drills": "Drills left out",
    "pinned_drills": "Drills pinned",
    "lunge_holds": "Lunge directions held",
    "ladder_order": "Lunge-matrix ladder order",
    "lunge_cap": "Lunge-matrix cap",
    "wake": "Wake",
    "sleep": "Sleep",
    "work_days": "Work days",
    "work_start": "Work starts",
    "work_end": "Work ends",
    "kneeling_ok": "Kneeling",
    "conditions": "Conditions",
    "hip_approach": "Hip approach",
    "norm_set": "Norm set",
    "birth_year": "Birth year",
    "sex": "Sex",
}
# the fields of the week a coach edits on one form (the rest stay the athlete's)
WEEK_FIELDS = (
    "run_days",
    "run_time",
    "second_run_time",
    "run_times",
    "long_run_day",
    "gym_days",
    "gym_time",
    "gym_minutes",
    "daily_minutes",
)


def _show(value: object, names: Mapping[str, str]) -> str:
    if value is None or value == () or value == frozenset():
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, frozenset):
        return ", ".join(d.capitalize() for d in WEEKDAYS if d in value)
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        parts = []
        for a, b in value:
            label = names.get(str(a), str(a).replace("_", " "))
            if isinstance(b, time):
                parts.append(f"{str(a).capitalize()} {b:%H:%M}")
            elif isinstance(b, int):
                parts.append(f"{label} ({b} days a week)")
            else:  # a lunge hold
                parts.append(f"{label} ({HELD.get(str(b), b)})")
        return ", ".join(parts)
    if isinstance(value, tuple):
        return ", ".join(names.get(str(v), str(v).replace("_", " ")) for v in value)
    if isinstance(value, str) and value in WEEKDAYS:
        return value.capitalize()
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str

    def text(self) -> str:
        return f"{self.label}: {self.before} → {self.after}"


def changes(old: Settings, new: Settings, names: Mapping[str, str] = {}) -> list[Change]:
    """What differs between two settings, field by field, in words (`names`: drill and
    direction ids -> names)."""
    out = []
    order = {k: i for i, k in enumerate(LABELS)}
    for f in sorted(fields(Settings), key=lambda f: order.get(f.name, len(order))):
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a != b:
            label = LABELS.get(f.name, f.name.replace("_", " ").capitalize())
            out.append(Change(f.name, label, _show(a, names), _show(b, names)))
    return out


@dataclass(frozen=True)
class Attention:
    """Why an athlete needs the coach, most urgent first: rank 0 paused by safety, 1 pain
    reported lately, 2 adherence falling, 3 nothing to act on."""

    rank: int
    reasons: tuple[str, ...]


def pain_reports(
    day: date,
    drill_logs: Sequence[DrillLog],
    lunge_logs: Sequence[LungeLog],
    check_ins: Sequence[CheckIn],
    names: Mapping[str, str] = {},
) -> list[str]:
    """Pain in the last PAIN_WINDOW_DAYS days, in words, newest first."""
    since = day - timedelta(days=PAIN_WINDOW_DAYS - 1)
    found: list[tuple[date, str]] = []
    for g in drill_logs:
        if since <= g.date <= day and (g.discomfort or 0) > ACCEPTABLE_MAX:
            what = names.get(g.drill, g.drill)
            found.append((g.date, f"{what} {g.discomfort}/10 on {g.date:%a %d %b}"))
    for lg in lunge_logs:
        if since <= lg.date <= day and (lg.sharp_pain or lg.discomfort > ACCEPTABLE_MAX):
            what = "sharp pain" if lg.sharp_pain else f"{lg.discomfort}/10"
            found.append((lg.date, f"lunge {what} on {lg.date:%a %d %b}"))
    for c in check_ins:
        if since <= c.date <= day and (c.pain > SAFE_MAX or c.flags):
            found.append((c.date, f"check-in pain {c.pain}/10 on {c.date:%a %d %b}"))
    return [text for _, text in sorted(found, key=lambda x: x[0], reverse=True)]


def attention(
    paused: bool,
    pain: Sequence[str],
    last_7: float | None,
    last_28: float | None,
) -> Attention:
    """An athlete's place on the coach's list. Ratios are done/planned minutes (None: nothing
    was planned, which is never 'falling')."""
    reasons: list[str] = []
    rank = 3
    if last_7 is not None and (
        last_7 < ADHERENCE_LOW or (last_28 is not None and last_28 - last_7 >= ADHERENCE_DROP)
    ):
        rank = 2
        reasons.append(f"adherence falling: {round(last_7 * 100)}% in the last 7 days")
    if pain:
        rank = 1
        reasons.insert(0, f"pain reported: {pain[0]}")
    if paused:
        rank = 0
        reasons.insert(0, "paused by safety")
    return Attention(rank, tuple(reasons))


def attention_order(a: Attention, last_7: float | None, name: str) -> tuple[int, float, str]:
    """The sort key of the coach's list: rank, then the lower adherence first, then the name."""
    return (a.rank, 2.0 if last_7 is None else last_7, name.lower())

"""When to remind a runner, from the day's plan as it is now (issue 15). Pure: no I/O.

A reminder is due `lead` minutes before a snack starts (default: at its start). It is never sent
during work hours, while asleep, inside the athlete's quiet hours, while reminders are paused,
and never while the programme is paused: then one gentle note about the clinician's clearance
is sent once for that pause, and nothing else. With the daily digest on, one message with the
day's snacks replaces the per-snack reminders. Every reminder has a key that is unique for the
athlete: the same key is never sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

CHANNELS = ("push", "email", "ntfy")
DEFAULT_LEAD_MINUTES = 0
MAX_LEAD_MINUTES = 120
GRACE = timedelta(minutes=15)  # a reminder found later than this after its time is dropped
DEFAULT_DIGEST_TIME = time(7, 0)
MAX_PAUSE_DAYS = 365
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

CLEARANCE_NOTE = (
    "Your programme is paused for now, so there are no reminders. When a clinician (doctor or "
    "physiotherapist) has cleared you, record it with a check-in and the plan starts again. "
    "Take care."
)


@dataclass(frozen=True)
class Prefs:
    """An athlete's reminder preferences."""

    channels: tuple[str, ...] = ()
    lead_minutes: int = DEFAULT_LEAD_MINUTES
    quiet_start: time | None = None
    quiet_end: time | None = None
    digest: bool = False
    digest_time: time = DEFAULT_DIGEST_TIME
    paused_until: date | None = None  # no reminders up to and including this day
    weekly_review: bool = True  # by e-mail, on Mondays at the digest time

    def paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


@dataclass(frozen=True)
class DayWindow:
    """What the reminder rules need of the day: when the person is awake and at work."""

    wake: time
    sleep: time
    work_start: time | None = None
    work_end: time | None = None  # None/None: no work that day


@dataclass(frozen=True)
class SnackAt:
    """One snack of the day's plan."""

    index: int
    start: time
    drill_id: str
    name: str
    minutes: int
    side: str = "both"


@dataclass(frozen=True)
class Reminder:
    key: str  # unique per athlete: snack:<date>:<index>:<drill> | digest:<date> | ...
    kind: str  # snack | digest | clearance | weekly
    at: datetime  # local time
    title: str
    body: str
    path: str  # the page it opens, e.g. the snack's timer


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _inside(m: int, start: time, end: time) -> bool:
    """m (minutes after midnight) in [start, end), the interval wrapping past midnight when
    end <= start."""
    s, e = _minutes(start), _minutes(end)
    if s == e:
        return False
    return s <= m < e if s < e else (m >= s or m < e)


def allowed(at: time, window: DayWindow, prefs: Prefs) -> bool:
    """May a reminder be sent at this local time: awake, not at work, not in quiet hours."""
    m = _minutes(at)
    if not _inside(m, window.wake, window.sleep):
        return False
    if window.work_start and window.work_end and _inside(m, window.work_start, window.work_end):
        return False
    return not (
        prefs.quiet_start and prefs.quiet_end and _inside(m, prefs.quiet_start, prefs.quiet_end)
    )


def first_allowed(day: date, start: time, window: DayWindow, prefs: Prefs) -> datetime | None:
    """The first minute of the day at or after `start` when a reminder may be sent."""
    at = datetime.combine(day, start.replace(second=0, microsecond=0))
    end = datetime.combine(day, time(23, 59))
    while at <= end:
        if allowed(at.time(), window, prefs):
            return at
        at += timedelta(minutes=1)
    return None


def snack_path(day: date, s: SnackAt) -> str:
    side = f"&side={s.side}" if s.side not in ("both", "") else ""
    client = f"snack-{day.isoformat()}-{s.index}-{s.drill_id}"[:64]
    return (
        f"/drills/{s.drill_id}?minutes={s.minutes}&date={day.isoformat()}"
        f"&client_id={client}{side}#timer"
    )


def day_reminders(
    day: date,
    snacks: Sequence[SnackAt],
    window: DayWindow,
    prefs: Prefs,
    programme_paused_since: date | None = None,
) -> list[Reminder]:
    """Every reminder of the day, in time order (before the lead-time and rules are applied to
    `now`: see `due`)."""
    if not prefs.channels or prefs.paused_on(day):
        return []
    if programme_paused_since is not None:
        at = first_allowed(day, window.wake, window, prefs)
        if at is None:
            return []
        return [
            Reminder(
                f"clearance:{programme_paused_since.isoformat()}",
                "clearance",
                at,
                "Triplane: your programme is paused",
                CLEARANCE_NOTE,
                "/check-in",
            )
        ]
    out: list[Reminder] = []
    if prefs.weekly_review and "email" in prefs.channels and day.weekday() == 0:
        at = first_allowed(day, prefs.digest_time, window, prefs)
        if at is not None:
            out.append(
                Reminder(
                    f"weekly:{day.isoformat()}",
                    "weekly",
                    at,
                    "Triplane: your weekly review",
                    "",
                    "/history",
                )
            )
    if not snacks:
        return out
    if prefs.digest:
        at = first_allowed(day, prefs.digest_time, window, prefs)
        if at is not None:
            lines = [f"{s.start.strftime('%H:%M')}  {s.name} ({s.minutes} min)" for s in snacks]
            total = sum(s.minutes for s in snacks)
            out.append(
                Reminder(
                    f"digest:{day.isoformat()}",
                    "digest",
                    at,
                    f"Triplane today: {len(snacks)} snacks, {total} min",
                    "\n".join(lines),
                    "/today",
                )
            )
        return sorted(out, key=lambda r: r.at)
    lead = timedelta(minutes=max(0, min(prefs.lead_minutes, MAX_LEAD_MINUTES)))
    for s in snacks:
        at = datetime.combine(day, s.start) - lead
        if at.date() != day or not allowed(at.time(), window, prefs):
            continue
        out.append(
            Reminder(
                f"snack:{day.isoformat()}:{s.index}:{s.drill_id}",
                "snack",
                at,
                f"{s.start.strftime('%H:%M')} {s.name}",
                f"{s.minutes} min snack: {s.name}. Open the timer when you are ready.",
                snack_path(day, s),
            )
        )
    return sorted(out, key=lambda r: r.at)


def due(reminders: Sequence[Reminder], now: datetime) -> list[Reminder]:
    """The reminders whose time has come and is not more than GRACE past (local times)."""
    return [r for r in reminders if r.at <= now < r.at + GRACE]


def parse_clock(value: str | None, what: str) -> time | None:
    """'HH:MM' -> time; None or '' -> None; ValueError with a sentence otherwise."""
    if value in (None, ""):
        return None
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} is a time like 22:00, not '{str(value)[:20]}'") from None

"""Calendars: the plan out as iCalendar (RFC 5545), races and long runs in from a plan's ICS.

Out, :func:`calendar_ics`: one VEVENT per movement snack and per lunge-matrix session, in the
athlete's time zone (with its VTIMEZONE), each with a VALARM reminder and the drill's dose and
cues in the description. A paused day (safety) has no events.

UIDs, and why re-importing updates instead of duplicating: a UID names the *appointment*, not its
content: athlete + date + context + the slot's rank among that day's slots of the same context
(``on_waking`` #1, ``midday`` #2...), and athlete + date + ``lunge`` for the lunge session. When
the planner later swaps the drill of a slot or moves it by a few minutes (a changed run time,
a drill that hurt), the new export carries the same UID, so the calendar app replaces the old
event rather than keeping both. A drill id in the UID would leave the stale drill behind. The
athlete name is hashed into the UID, so the name itself doesn't leak into other calendars.
``SEQUENCE`` grows with the export time (minutes since 2020), so a later export wins in clients
that compare it; ``DTSTAMP`` is the export time in UTC. Limit of a file (vs. a subscription): an
appointment that disappears from the plan (a paused day) stays in the calendar until deleted.

In, :func:`read_events_ics`: races and long runs from a training plan's calendar.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRODID = "-//Triplane//Hip mobility plan//EN"
REMINDER_MINUTES = 5
SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
#: Lunge session length when the plan doesn't say: ~2 minutes per direction, at least 10.
LUNGE_MIN_PER_DIRECTION = 2
LUNGE_MIN_MINUTES = 10

CONTEXT_LABEL = {
    "on_waking": "on waking",
    "before_run": "before your run",
    "before_gym": "before the gym",
    "between_sets": "between sets",
    "midday": "midday",
    "evening": "evening",
    "rest_day": "rest day",
}


def _uid(athlete: str, *parts: str) -> str:
    key = "|".join([" ".join(athlete.split()).casefold(), *parts])
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@triplane"


def snack_uid(athlete_name: str, day: str, context: str, rank: int) -> str:
    """The UID of the ``rank``-th (1-based) snack of ``context`` on ``day`` (YYYY-MM-DD)."""
    return _uid(athlete_name, day, "snack", context, str(rank))


def lunge_uid(athlete_name: str, day: str) -> str:
    return _uid(athlete_name, day, "lunge")


def _clock(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    h, m = (int(x) for x in hhmm.split(":")[:2])
    return datetime.combine(day, time(h, m), tzinfo=zone)


def _snack_description(slot: dict[str, Any]) -> str:
    drill = slot.get("drill") or {}
    lines = [f"{drill.get('name', 'Movement snack')}: {slot.get('dose', '')}".rstrip(": ")]
    side = slot.get("side")
    if side in ("left", "right"):
        lines.append(f"Side: {side}")
    ctx = CONTEXT_LABEL.get(str(slot.get("context")), str(slot.get("context", "")))
    lines.append(f"When: {ctx}, {slot.get('minutes', '?')} min")
    planes = drill.get("planes") or []
    motions = drill.get("motions") or []
    if planes or motions:
        lines.append(
            "Works: "
            + ", ".join(str(m).replace("_", " ") for m in motions)
            + (f" ({', '.join(planes)} plane)" if planes else "")
        )
    cues = slot.get("cues") or []
    if cues:
        lines.append("")
        lines.append("Cues:")
        lines.extend(f"- {c}" for c in cues)
    if slot.get("target_sensation"):
        lines.append("")
        lines.append(str(slot["target_sensation"]))
    if slot.get("note"):
        lines.append(str(slot["note"]))
    return "\n".join(lines)


def _direction_line(d: dict[str, Any]) -> str:
    name = d.get("name") or str(d.get("direction", "")).replace("_", " ").capitalize()
    detail = ", ".join(
        f"{k} {str(d[k]).replace('_', ' ')}"
        for k in ("load", "range", "environment", "speed", "stability", "duration")
        if d.get(k)
    )
    line = f"- {name}: {d.get('reps', '?')} reps per side"
    return f"{line} ({detail})" if detail else line


def _lunge_description(session: dict[str, Any]) -> str:
    lines = ["Lunge matrix, each direction on both legs:"]
    lines.extend(_direction_line(d) for d in session.get("directions") or [])
    if session.get("note"):
        lines.extend(["", str(session["note"])])
    return "\n".join(lines)


def calendar_ics(
    athlete_name: str,
    tz: str,
    days: Sequence[dict[str, Any]],
    calname: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The plan days (``DayPlan.as_dict()`` of the core) as an RFC 5545 calendar.

    ``tz`` is the athlete's IANA zone; event times are the plan's local times in that zone.
    ``now`` (aware) is the export time, for DTSTAMP and SEQUENCE. Raises ValueError for an
    unknown zone or a malformed day.
    """
    from icalendar import Alarm, Calendar, Event, Timezone

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ValueError(f"Unknown time zone {tz!r}: use a name like 'Europe/Paris'.") from e
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    sequence = max(int((stamp - SEQUENCE_EPOCH).total_seconds() // 60), 0)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = calname or f"Triplane: {athlete_name}"
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz)

    events: list[Any] = []
    dates: list[date] = []
    for day in days:
        try:
            d = date.fromisoformat(str(day["date"]))
        except (KeyError, ValueError) as e:
            raise ValueError(f"A plan day has no valid 'date' ({day.get('date')!r}).") from e
        dates.append(d)
        if (day.get("safety") or {}).get("paused"):
            continue
        advice = (day.get("safety") or {}).get("advice") or ""
        ranks: dict[str, int] = {}
        for slot in day.get("slots") or []:
            ctx = str(slot.get("context", "snack"))
            ranks[ctx] = ranks.get(ctx, 0) + 1
            start = _clock(d, str(slot["start"]), zone)
            minutes = max(int(slot.get("minutes") or 1), 1)
            drill = slot.get("drill") or {}
            summary = f"Hip snack: {drill.get('name', 'movement')} ({minutes} min)"
            desc = _snack_description(slot)
            if advice:
                desc += f"\n\n{advice}"
            events.append(
                _event(
                    Event,
                    Alarm,
                    snack_uid(athlete_name, d.isoformat(), ctx, ranks[ctx]),
                    summary,
                    desc,
                    start,
                    minutes,
                    stamp,
                    sequence,
                    ["Triplane", "Mobility"],
                )
            )
        session = day.get("lunge_session")
        if session:
            directions = session.get("directions") or []
            start = _clock(d, str(session["start"]), zone)
            minutes = max(LUNGE_MIN_MINUTES, LUNGE_MIN_PER_DIRECTION * len(directions))
            n = len(directions)
            summary = f"Lunge matrix: {n} direction{'s' if n != 1 else ''}"
            desc = _lunge_description(session)
            if advice:
                desc += f"\n\n{advice}"
            events.append(
                _event(
                    Event,
                    Alarm,
                    lunge_uid(athlete_name, d.isoformat()),
                    summary,
                    desc,
                    start,
                    minutes,
                    stamp,
                    sequence,
                    ["Triplane", "Strength"],
                )
            )

    # The zone's rules over the exported days only (a year around them), not 1970-2038.
    first = min(dates, default=stamp.date()) - timedelta(days=1)
    last = max(dates, default=stamp.date()) + timedelta(days=366)
    cal.add_component(Timezone.from_tzinfo(zone, tzid=tz, first_date=first, last_date=last))
    for ev in events:
        cal.add_component(ev)
    return bytes(cal.to_ical())


def _event(
    event_cls: Any,
    alarm_cls: Any,
    uid: str,
    summary: str,
    description: str,
    start: datetime,
    minutes: int,
    stamp: datetime,
    sequence: int,
    categories: list[str],
) -> Any:
    ev = event_cls()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp)
    ev.add("last-modified", stamp)
    ev.add("sequence", sequence)
    ev.add("dtstart", start)
    ev.add("dtend", start + timedelta(minutes=minutes))
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("categories", categories)
    ev.add("transp", "TRANSPARENT")  # a 3-minute snack doesn't make you busy
    alarm = alarm_cls()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(minutes=-REMINDER_MINUTES))
    ev.add_component(alarm)
    return ev


# ---------------------------------------------------------------------------------------------
# In: races and long runs from a training plan's calendar

_RACE_WORD = re.compile(r"\b(race|racing|competition|parkrun|skyrace|wettkampf|course à pied)\b")
_LONG = re.compile(r"\blong\b")
_RACE_DISTANCE = re.compile(
    r"\b(marathon|half[- ]?marathon|ultra\w*|\d+(\.\d+)?\s?(k|km|mi|miles?)|10k|5k)\b"
)


def classify_event(text: str) -> str | None:
    """race | long_run | None for an event's summary + categories.

    "race", "competition", "parkrun" -> race; otherwise "long" -> long_run (so "Long run 30 km"
    is a long run); otherwise a race distance or name ("marathon", "ultra", "50k", "100 mi")
    -> race; anything else is not for Triplane.
    """
    t = text.casefold()
    if _RACE_WORD.search(t):
        return "race"
    if _LONG.search(t):
        return "long_run"
    if _RACE_DISTANCE.search(t):
        return "race"
    return None


#: Limits of a calendar file to import: a training plan has hundreds of events, not 100,000.
MAX_ICS_BYTES = 10 * 1024 * 1024
MAX_ICS_EVENTS = 20_000
#: Recurring races and long runs are expanded only over this window around today...
HORIZON_PAST_DAYS, HORIZON_DAYS = 14, 366
#: ...stepping through at most this many occurrences of one rule; and finer than daily is not
#: a race: such a rule counts once, on its first date.
MAX_RULE_STEPS = 5_000
_FINE_FREQS = ("SECONDLY", "MINUTELY", "HOURLY")


def _zone_of(prop: Any) -> ZoneInfo | None:
    """The IANA zone a DTSTART's TZID names, or None. A file's own VTIMEZONE definitions are
    never evaluated: their rules can be made to recur every second (a denial of service);
    an unknown TZID keeps its wall-clock time."""
    tzid = str(getattr(prop, "params", {}).get("TZID", "") or "")
    if not tzid:
        return None
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _start(prop: Any) -> datetime | date | None:
    """DTSTART as a date, or a datetime that is naive (floating) or in UTC or an IANA zone."""
    value = getattr(prop, "dt", None)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value
        if _zone_of(prop) is not None:
            return value.replace(tzinfo=_zone_of(prop))
        if getattr(prop, "params", {}).get("TZID"):
            return value.replace(tzinfo=None)  # a zone we don't know: its wall clock
        return value.astimezone(UTC)  # "Z" times (UTC)
    if isinstance(value, date):
        return value
    return None


def _occurrences(ev: Any, start: datetime | date, today: date) -> list[datetime | date]:
    """The event's dates: its first one, or for a recurring event the occurrences within the
    horizon around `today` (the first one when none falls in it)."""
    rule = ev.get("rrule")
    if rule is None:
        return [start]
    try:
        text = rule.to_ical().decode()
    except Exception:  # noqa: BLE001 - a damaged rule: the first date only
        return [start]
    if any(f"FREQ={f}" in text.upper() for f in _FINE_FREQS):
        return [start]
    from dateutil.rrule import rrulestr

    aware = isinstance(start, datetime) and start.tzinfo is not None
    base = start if isinstance(start, datetime) else datetime.combine(start, time(0))
    naive = base.replace(tzinfo=None)
    try:
        if "UNTIL=" in text.upper():  # compare like with like: UNTIL as a floating time
            text = re.sub(r"(UNTIL=\d{8}(T\d{6})?)Z", r"\1", text, flags=re.I)
        rr = rrulestr(text, dtstart=naive)
    except (ValueError, TypeError, OverflowError):
        return [start]
    lo = datetime.combine(today - timedelta(days=HORIZON_PAST_DAYS), time(0))
    hi = datetime.combine(today + timedelta(days=HORIZON_DAYS), time(0))
    out: list[datetime | date] = []
    try:
        for step, occ in enumerate(rr):
            if step >= MAX_RULE_STEPS or occ > hi:
                break
            if occ >= lo:
                when = occ.replace(tzinfo=base.tzinfo) if aware else occ
                out.append(when if isinstance(start, datetime) else when.date())
    except (ValueError, OverflowError):
        pass
    return out or [start]


def read_events_ics(
    data: bytes,
    tz: str | None = None,
    today: date | None = None,
    max_events: int | None = None,
) -> list[dict[str, Any]]:
    """Races and long runs in a training plan's ICS.

    Returns ``[{"date": date, "time": time | None, "kind": "race" | "long_run", "name": str}]``
    sorted by date. An all-day event has no time. A timed event keeps its own wall-clock time,
    or is converted to ``tz`` (the athlete's zone) when given. A recurring event gives its
    occurrences from 14 days before ``today`` to a year after (its first date when none falls
    there). Raises ValueError with a readable message when ``data`` is not ICS, is larger than
    MAX_ICS_BYTES, or has more than ``max_events`` (MAX_ICS_EVENTS) events. Time grows
    linearly with the file.
    """
    from icalendar import Calendar

    if len(data) > MAX_ICS_BYTES:
        raise ValueError(
            f"This calendar file is {len(data) / 1e6:.0f} MB; a training plan's calendar is "
            f"far smaller, and {MAX_ICS_BYTES // (1024 * 1024)} MB is the limit."
        )
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:64].upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValueError(
            "This is not an iCalendar (.ics) file: it doesn't start with BEGIN:VCALENDAR. "
            "Export the training plan as ICS/iCal and try again."
        )
    count = text.upper().count(b"BEGIN:VEVENT")
    max_events = MAX_ICS_EVENTS if max_events is None else max_events
    if count > max_events:
        raise ValueError(
            f"This calendar has {count:,} events; {max_events:,} is the limit. Export only "
            "the training plan (its races and long runs), not a whole calendar."
        )
    try:
        zone = ZoneInfo(tz) if tz else None
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ValueError(f"Unknown time zone {tz!r}: use a name like 'Europe/Paris'.") from e
    try:
        cal = Calendar.from_ical(text)
    except Exception as e:  # icalendar raises ValueError and friends on damaged content
        raise ValueError(f"This calendar file is damaged and can't be read ({e}).") from e
    today = today or datetime.now(zone or UTC).date()

    out: list[dict[str, Any]] = []
    seen: set[tuple[date, str, str]] = set()
    for ev in cal.walk("VEVENT"):
        summary = str(ev.get("summary", "")).strip()
        cats: list[str] = []
        raw_cats = ev.get("categories")
        for c in raw_cats if isinstance(raw_cats, list) else [raw_cats] if raw_cats else []:
            cats.extend(str(x) for x in getattr(c, "cats", [c]))
        kind = classify_event(" ".join([summary, *cats]))
        if kind is None or ev.get("dtstart") is None:
            continue
        try:
            first = _start(ev.get("dtstart"))
        except (ValueError, OverflowError, TypeError):
            continue
        if first is None:
            continue
        for start in _occurrences(ev, first, today):
            when: time | None
            if isinstance(start, datetime):
                if start.tzinfo is not None and zone is not None:
                    start = start.astimezone(zone)
                day, when = start.date(), start.time().replace(tzinfo=None)
            else:
                day, when = start, None
            key = (day, kind, summary)
            if key in seen:
                continue
            seen.add(key)
            out.append({"date": day, "time": when, "kind": kind, "name": summary})
    out.sort(key=lambda e: (e["date"], e["time"] or time(0), e["name"]))
    return out

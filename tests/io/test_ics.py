"""Calendars out (checked with icalendar and vobject) and races/long runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from triplane.io.ics import calendar_ics, classify_event, read_events_ics

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def slot(start: str, context: str, drill_id: str, name: str, minutes: int = 3) -> dict[str, Any]:
    return {
        "start": start,
        "context": context,
        "minutes": minutes,
        "side": "both",
        "dose": "2 x 8 slow reps",
        "drill": {
            "id": drill_id,
            "name": name,
            "planes": ["transverse"],
            "motions": ["internal_rotation"],
            "position": "floor",
        },
        "cues": ["Tall spine", "Breathe out as you turn"],
    }


def day(d: str, paused: bool = False, **kw: Any) -> dict[str, Any]:
    return {
        "date": d,
        "slots": kw.get(
            "slots",
            [
                slot("07:00", "on_waking", "90-90", "90/90 switch"),
                slot("12:30", "midday", "frog", "Frog rock"),
                slot("17:30", "midday", "cossack", "Cossack squat"),
            ],
        ),
        "lunge_session": kw.get(
            "lunge",
            {
                "start": "18:00",
                "directions": [
                    {
                        "direction": "anterior",
                        "name": "Forward lunge",
                        "reps": 8,
                        "load": "bodyweight",
                        "range": "short",
                    },
                    {"direction": "lateral", "name": "Lateral lunge", "reps": 6},
                ],
            },
        ),
        "safety": {"paused": paused, "level": "none", "advice": ""},
    }


DAYS = [day("2025-03-29"), day("2025-03-30"), day("2025-03-31", paused=True)]


def test_valid_calendar_read_back_by_two_parsers() -> None:
    data = calendar_ics("Ana Trail", "Europe/Paris", DAYS, now=NOW)
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "Triplane" in str(cal["PRODID"])
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Paris"
    events = cal.walk("VEVENT")
    assert len(events) == 8  # 2 days x (3 snacks + 1 lunge); the paused day has none
    for ev in events:
        assert ev.decoded("dtstamp") == NOW
        assert ev.get("uid")
        (alarm,) = ev.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("trigger") == timedelta(minutes=-5)
    first = events[0]
    assert first.decoded("dtstart") == datetime(
        2025, 3, 29, 7, 0, tzinfo=first.decoded("dtstart").tzinfo
    )
    assert first.decoded("dtstart").utcoffset() == timedelta(hours=1)
    desc = str(first["DESCRIPTION"])
    assert "2 x 8 slow reps" in desc and "- Tall spine" in desc
    # after the DST change the next day, 07:00 is still 07:00 local (UTC+2)
    assert events[4].decoded("dtstart").utcoffset() == timedelta(hours=2)

    vobject = pytest.importorskip("vobject")  # the second parser (dev extra)
    second = vobject.readOne(data.decode())
    vevents = second.vevent_list
    assert [e.uid.value for e in vevents] == [str(e["UID"]) for e in events]
    assert vevents[0].dtstart.value.hour == 7
    assert vevents[0].valarm.trigger.value == timedelta(minutes=-5)
    lunge = [e for e in vevents if e.summary.value.startswith("Lunge")][0]
    assert "Forward lunge: 8 reps per side" in lunge.description.value


def test_uids_are_stable_and_name_the_appointment() -> None:
    a = Calendar.from_ical(calendar_ics("Ana Trail", "Europe/Paris", DAYS, now=NOW))
    later = NOW + timedelta(days=3)
    changed = [
        day(
            "2025-03-29",
            slots=[
                slot("07:10", "on_waking", "pigeon", "Pigeon"),  # drill swapped, moved 10 minutes
                slot("12:30", "midday", "frog", "Frog rock"),
                slot("17:30", "midday", "cossack", "Cossack squat"),
            ],
        ),
        day("2025-03-30"),
    ]
    b = Calendar.from_ical(calendar_ics("ana  trail", "Europe/Paris", changed, now=later))
    uids_a = [str(e["UID"]) for e in a.walk("VEVENT")]
    uids_b = [str(e["UID"]) for e in b.walk("VEVENT")]
    assert uids_a == uids_b  # same appointments -> same UIDs, so a re-import updates
    assert len(set(uids_a)) == len(uids_a)
    assert b.walk("VEVENT")[0].decoded("sequence") > a.walk("VEVENT")[0].decoded("sequence")
    other = Calendar.from_ical(calendar_ics("Ben", "Europe/Paris", DAYS, now=NOW))
    assert not set(uids_a) & {str(e["UID"]) for e in other.walk("VEVENT")}


def test_same_input_same_bytes() -> None:
    assert calendar_ics("Ana", "Europe/Paris", DAYS, now=NOW) == calendar_ics(
        "Ana", "Europe/Paris", DAYS, now=NOW
    )


def test_unknown_zone() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        calendar_ics("Ana", "Mars/Olympus", DAYS, now=NOW)


PLAN = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Coach//Plan//EN\r
BEGIN:VEVENT\r
UID:1\r
DTSTAMP:20250101T000000Z\r
DTSTART;VALUE=DATE:20250412\r
SUMMARY:Lavaredo 50K\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2\r
DTSTAMP:20250101T000000Z\r
DTSTART:20250405T060000Z\r
SUMMARY:Long run 30 km\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3\r
DTSTAMP:20250101T000000Z\r
DTSTART;VALUE=DATE:20250403\r
SUMMARY:Easy 45 min\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:4\r
DTSTAMP:20250101T000000Z\r
DTSTART;VALUE=DATE:20250420\r
SUMMARY:Club trip\r
CATEGORIES:Race\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_read_races_and_long_runs() -> None:
    got = read_events_ics(PLAN, tz="Europe/Rome")
    assert got == [
        {
            "date": date(2025, 4, 5),
            "time": time(8, 0),
            "kind": "long_run",
            "name": "Long run 30 km",
        },
        {"date": date(2025, 4, 12), "time": None, "kind": "race", "name": "Lavaredo 50K"},
        {"date": date(2025, 4, 20), "time": None, "kind": "race", "name": "Club trip"},
    ]


def test_classify() -> None:
    assert classify_event("Chamonix Marathon") == "race"
    assert classify_event("UTMB ultra") == "race"
    assert classify_event("Long run, marathon pace") == "long_run"
    assert classify_event("Parkrun") == "race"
    assert classify_event("Tempo 8 x 400") is None


@pytest.mark.parametrize("blob", [b"", b"hello", b"\x89PNG\r\n", b"<html></html>"])
def test_not_ics(blob: bytes) -> None:
    with pytest.raises(ValueError, match="not an iCalendar"):
        read_events_ics(blob)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(max_size=400).map(lambda t: ("BEGIN:VCALENDAR\r\n" + t).encode())
)
def test_fuzz_reader_raises_only_value_error(blob: bytes) -> None:
    try:
        got = read_events_ics(blob)
    except ValueError:
        return
    assert isinstance(got, list)

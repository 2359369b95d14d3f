"""Calendar import limits (issue 16 §7): file size and event count capped with a sentence, a
VTIMEZONE whose rules recur every second is never evaluated, recurring events expanded only
within the planning horizon, and the linear import stores what one-by-one adding stores."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.io import ics
from triplane.io.ics import read_events_ics

TODAY = date(2027, 5, 20)


def calendar(*events: str, extra: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nUID:{i}\r\n{e}END:VEVENT\r\n" for i, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n{extra}{body}END:VCALENDAR\r\n".encode()


EVIL_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Evil\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nRRULE:FREQ=SECONDLY\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T000001\r\nRRULE:FREQ=SECONDLY;INTERVAL=2\r\n"
    "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def test_a_zone_that_recurs_every_second_does_not_hang(tmp_path: Path) -> None:
    data = calendar(
        "DTSTART;TZID=Evil:20270501T090000\r\nSUMMARY:Race 10k\r\n",
        "DTSTART;TZID=Europe/Paris:20270601T090000\r\nSUMMARY:Long run\r\n",
        extra=EVIL_ZONE,
    )
    path = tmp_path / "evil.ics"
    path.write_bytes(data)
    code = (
        "import sys; from datetime import date; from triplane.io.ics import read_events_ics; "
        "r = read_events_ics(open(sys.argv[1], 'rb').read(), 'UTC', date(2027, 5, 20)); "
        "print([(str(e['date']), str(e['time'])) for e in r])"
    )
    # a hang is a failure (before issue 16 this ran until killed, memory rising)
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    # the unknown zone keeps its wall clock; the IANA one is converted to the athlete's UTC
    assert out.stdout.strip() == "[('2027-05-01', '09:00:00'), ('2027-06-01', '07:00:00')]"


def test_recurring_events_are_expanded_within_the_horizon_only() -> None:
    weekly = "DTSTART;VALUE=DATE:20200104\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Parkrun\r\n"
    got = read_events_ics(calendar(weekly), "UTC", TODAY)
    days = [e["date"] for e in got]
    assert days == sorted(days) and len(days) in (54, 55)
    assert days[0] >= TODAY - timedelta(days=ics.HORIZON_PAST_DAYS)
    assert days[-1] <= TODAY + timedelta(days=ics.HORIZON_DAYS)
    assert all(d.weekday() == 5 for d in days)  # Saturdays, like 2020-01-04
    # finer than daily is not a race: its first date only
    fine = "DTSTART:20270101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Race\r\n"
    assert [e["date"] for e in read_events_ics(calendar(fine), "UTC", TODAY)] == [date(2027, 1, 1)]
    # a rule whose occurrences are all past: its first date, as before
    old = "DTSTART;VALUE=DATE:20100101\r\nRRULE:FREQ=YEARLY;COUNT=3\r\nSUMMARY:Marathon\r\n"
    assert [e["date"] for e in read_events_ics(calendar(old), "UTC", TODAY)] == [date(2010, 1, 1)]


def test_event_count_and_size_are_capped() -> None:
    many = calendar(*["DTSTART;VALUE=DATE:20270101\r\nSUMMARY:Race\r\n"] * (ics.MAX_ICS_EVENTS + 1))
    with pytest.raises(ValueError, match=r"20,001 events; 20,000 is the limit"):
        read_events_ics(many)
    big = b"BEGIN:VCALENDAR\r\n" + b"X" * ics.MAX_ICS_BYTES
    with pytest.raises(ValueError, match="MB is the limit"):
        read_events_ics(big)


def test_cli_refuses_a_huge_file_before_reading_it(cli: Any, tmp_path: Path) -> None:
    assert cli("athlete", "add", "Sam", "--tz", "UTC").code == 0
    huge = tmp_path / "huge.ics"
    with open(huge, "wb") as f:  # sparse: 2 GB on paper, nothing on disk
        f.truncate(2 * 1024**3)
    r = cli("event", "import", str(huge))
    assert r.code == 1 and "MB is the limit" in r.err and "Traceback" not in r.err


EVENT = st.tuples(
    st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    st.sampled_from(["Race", "Long run", "Marathon", "Long run  30 km", "Easy jog"]),
    st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENT, max_size=25), st.lists(EVENT, max_size=10))
def test_linear_import_stores_what_one_by_one_adding_stores(
    tmp_path_factory: pytest.TempPathFactory, first: list[Any], second: list[Any]
) -> None:
    from triplane.usecases.running import Running
    from triplane.usecases.service import open_service

    def text(evs: list[Any]) -> bytes:
        lines = []
        for d, name, t in evs:
            start = f"DTSTART:{d:%Y%m%d}T{t:%H%M}00" if t else f"DTSTART;VALUE=DATE:{d:%Y%m%d}"
            lines.append(f"{start}\r\nSUMMARY:{name}\r\n")
        return calendar(*lines)

    folder = tmp_path_factory.mktemp("ics")
    stored = []
    for way in ("import", "one_by_one"):
        url = f"sqlite:///{folder / way}.sqlite3"
        with open_service(url) as svc:
            a = svc.add_athlete("Sam", tz="UTC")
        for evs in (first, second + first):  # the second file repeats the first
            with open_service(url) as svc:
                run, a = Running(svc), svc.athlete("Sam")
                if way == "import":
                    res = run.import_events(a, text(evs))
                    assert res["found"] == len(res["added"]) + res["duplicates"]
                else:
                    for ev in read_events_ics(text(evs), a.tz, a.today()):
                        run.add_event(a, ev["date"], ev["kind"], ev["time"], ev["name"][:200])
        with open_service(url) as svc:
            stored.append(
                [(e["date"], e["time"], e["kind"], e["name"]) for e in Running(svc).events(a)]
            )
    assert stored[0] == stored[1]

"""Learning the usual run days, start times and long-run day from imported runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from triplane.core.routine import MIN_WEEKS, learn_routine
from triplane.io.activities import ParsedActivity, parse_activity, synthetic_gpx

AS_OF = date(2025, 3, 17)  # a Monday


def run(d: date, hhmm: str, minutes: float) -> tuple[datetime, float, float]:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(d, time(h, m)), minutes * 60, minutes * 170


def weeks_of(
    pattern: dict[int, tuple[str, float]], weeks: int
) -> list[tuple[datetime, float, float]]:
    """pattern: weekday index -> (start, minutes), for the `weeks` weeks before AS_OF."""
    out = []
    for w in range(weeks):
        monday = AS_OF - timedelta(days=7 * (w + 1))
        for wd, (hhmm, minutes) in pattern.items():
            out.append(run(monday + timedelta(days=wd), hhmm, minutes))
    return out


def test_regular_week() -> None:
    r = learn_routine(weeks_of({1: ("06:30", 45), 3: ("18:00", 50), 5: ("08:00", 120)}, 6), AS_OF)
    assert r.weeks_covered == 6 and r.enough
    assert r.run_days == {"tue": "06:30", "thu": "18:00", "sat": "08:00"}
    assert r.long_run_day == "sat"
    assert "long run on sat" in r.text_repr()


def test_two_weeks_is_not_enough() -> None:
    r = learn_routine(weeks_of({1: ("06:30", 45)}, 2), AS_OF)
    assert r.weeks_covered == 2 and not r.enough
    assert r.run_days == {"tue": "06:30"}  # learned, but not to be used yet
    assert r.long_run_day is None
    assert learn_routine(weeks_of({1: ("06:30", 45)}, MIN_WEEKS), AS_OF).enough


def test_half_the_weeks_rule_and_median_start() -> None:
    runs = weeks_of({0: ("07:00", 40)}, 6)
    # Wednesday in 3 of 6 weeks (usual), Friday in 2 of 6 (not usual)
    for w, hhmm in ((1, "12:10"), (2, "12:30"), (4, "19:00")):
        runs.append(run(AS_OF - timedelta(days=7 * w) + timedelta(days=2), hhmm, 30))
    for w in (1, 3):
        runs.append(run(AS_OF - timedelta(days=7 * w) + timedelta(days=4), "07:00", 30))
    r = learn_routine(runs, AS_OF)
    assert r.run_days == {"mon": "07:00", "wed": "12:30"}
    assert r.weeks_by_day["fri"] == 2


def test_double_days_use_the_first_start_and_weeks_off_do_not_count() -> None:
    runs = weeks_of({1: ("06:00", 30), 6: ("09:00", 100)}, 4)  # 4 weeks of runs, 2 off
    runs += [run(AS_OF - timedelta(days=7 * w) + timedelta(days=1), "18:00", 30) for w in (1, 2)]
    r = learn_routine(runs, AS_OF)
    assert r.weeks_covered == 4 and r.enough
    assert r.run_days == {"tue": "06:00", "sun": "09:00"}
    assert r.long_run_day == "sun"


def test_no_clear_long_run_and_window_edges() -> None:
    runs = weeks_of({1: ("06:00", 45), 4: ("06:00", 50)}, 6)
    runs.append(run(AS_OF, "06:00", 300))  # the day being planned: not counted
    runs.append(run(AS_OF - timedelta(days=43), "06:00", 300))  # before the window
    r = learn_routine(runs, AS_OF)
    assert r.long_run_day is None
    assert r.runs_counted == 12


def test_from_imported_files_in_the_athletes_zone() -> None:
    """UTC starts from generated GPX files, shown in the athlete's zone (New York, DST)."""
    zone = ZoneInfo("America/New_York")
    runs = []
    for w in range(4):
        for wd, minutes in ((1, 40), (5, 110)):
            local = datetime.combine(
                AS_OF - timedelta(days=7 * (w + 1)) + timedelta(days=wd), time(6, 15), zone
            )
            got = parse_activity("r.gpx", synthetic_gpx(local.astimezone(UTC), minutes * 60, 9000))
            assert isinstance(got, ParsedActivity)
            start = got.start_in("America/New_York")
            runs.append((start, got.duration_s, got.distance_m))
    r = learn_routine(runs, AS_OF)
    # 2025-03-09 DST change in between: still 06:15 local every time
    assert r.run_days == {"tue": "06:15", "sat": "06:15"}
    assert r.long_run_day == "sat"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 3, 30)),
            st.floats(0, 20_000),
            st.none() | st.floats(0, 50_000),
        ),
        max_size=60,
    )
)
def test_properties(runs: list[tuple[datetime, float, float | None]]) -> None:
    r = learn_routine(runs, AS_OF)
    assert 0 <= r.weeks_covered <= 6
    assert r.enough == (r.weeks_covered >= MIN_WEEKS)
    assert r.long_run_day is None or r.long_run_day in r.run_days
    for wd, hhmm in r.run_days.items():
        assert 2 * r.weeks_by_day[wd] >= r.weeks_covered
        assert len(hhmm) == 5 and hhmm[2] == ":"

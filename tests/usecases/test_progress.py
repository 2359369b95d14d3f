"""Progress queries: adherence, minutes per motion, streaks, trends with MDC, lunge levels."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triplane.core import progress as core
from triplane.core.records import DrillLog, Measurement
from triplane.store.db import open_engine
from triplane.usecases.demo import create_demo
from triplane.usecases.progress import progress
from triplane.usecases.service import open_service

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}"
    engine = open_engine(url)
    with engine.begin() as conn:
        from triplane.usecases.service import Service

        create_demo(Service(conn), weeks=8, today=TODAY)
    return engine


@pytest.fixture(scope="module")
def demo_progress(demo_engine):  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        return progress(svc, svc.athlete("demo"), TODAY)


def test_demo_history_tells_the_whole_story(demo_progress) -> None:  # type: ignore[no-untyped-def]
    p = demo_progress
    assert p.start.weekday() == 0 and (TODAY - p.start).days >= 56
    states = {d.state for d in p.days}
    assert {"planned", "away", "paused", "today"} <= states
    missed = [d for d in p.days if d.state == "planned" and not d.active]
    assert len(missed) >= 3, "some skipped days"
    # gradual gain beyond the error, and one regression beyond it
    ir_left = next(t for t in p.trends if (t.motion, t.side) == ("internal_rotation", "left"))
    assert ir_left.beyond_error and (ir_left.change or 0) > ir_left.mdc  # type: ignore[operator]
    values = [pt.value for pt in ir_left.points]
    assert values == sorted(values), "gradual, not a jump"
    er_right = next(t for t in p.trends if (t.motion, t.side) == ("external_rotation", "right"))
    assert er_right.beyond_error and (er_right.change or 0) < 0
    # extension gains stay inside the modified Thomas test's large error
    ext = next(t for t in p.trends if (t.motion, t.side) == ("extension", "left"))
    assert ext.mdc == pytest.approx(19.4) and not ext.beyond_error
    # abduction not re-tested for weeks
    assert "abduction" in p.retest_due
    # balance lost once in the lunge matrix
    outcomes = [pt.outcome for h in p.lunge for pt in h.points]
    assert "balance" in outcomes and outcomes.count("next") == 6


def test_restricted_motions_got_more_minutes(demo_progress) -> None:  # type: ignore[no-untyped-def]
    weeks = demo_progress.motion_weeks
    per: dict[str, list[float]] = {}
    for w in weeks:
        per.setdefault(w.status, []).append(w.planned)
    restricted = sum(per["restricted"]) / len(per["restricted"])
    ok = sum(per["ok"]) / len(per["ok"])
    assert restricted > 1.5 * ok
    # done never counts a skipped snack, and matches the drill log for the window
    total_done = sum(w.done for w in weeks)
    assert total_done == pytest.approx(sum(d.done for d in demo_progress.days), abs=0.1)


def test_adherence_planned_matches_the_planner(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        a = svc.athlete("demo")
        p = progress(svc, a, TODAY)
        for d in p.days[::9]:
            plan = svc.plan_day(a, d.date)
            expected = 0 if (plan.away or plan.safety.paused) else plan.total_minutes
            assert d.planned == expected


def test_streaks_skip_away_and_paused_days() -> None:
    days = [
        core.DayAdherence(date(2026, 1, 1), 10, 10, "planned"),
        core.DayAdherence(date(2026, 1, 2), 0, 0, "away"),
        core.DayAdherence(date(2026, 1, 3), 0, 0, "paused"),
        core.DayAdherence(date(2026, 1, 4), 10, 3, "planned"),
        core.DayAdherence(date(2026, 1, 5), 10, 0, "planned"),
        core.DayAdherence(date(2026, 1, 6), 10, 9, "planned"),
        core.DayAdherence(date(2026, 1, 7), 10, 0, "today"),
    ]
    s = core.streaks(days)
    assert (s.current, s.longest, s.active_days, s.planned_days) == (1, 2, 3, 4)
    assert core.streaks([]) == core.Streaks(0, 0, 0, 0)


def test_trend_change_and_error(catalogue) -> None:  # type: ignore[no-untyped-def]
    d0 = date(2026, 1, 5)
    ms = [
        Measurement(d0, "seated_rotation", "internal_rotation", "left", "degrees", 22.0),
        Measurement(
            d0 + timedelta(weeks=5), "seated_rotation", "internal_rotation", "left", "degrees", 31.0
        ),
        Measurement(d0, "active_hip_flexion", "flexion", "left", "degrees", 110.0),
        Measurement(d0, "ninety_ninety", "internal_rotation", "right", "pass_fail", 1.0),
    ]
    trends = {(t.motion, t.side): t for t in core.trends(ms, catalogue)}
    ir = trends[("internal_rotation", "left")]
    assert ir.change == 9.0 and ir.weeks == 5 and ir.mdc == 8.6 and ir.beyond_error
    assert not ir.mdc_assumed and ir.norm == 30
    flex = trends[("flexion", "left")]
    assert flex.change is None and flex.mdc_assumed and not flex.beyond_error
    assert ("internal_rotation", "right") not in trends  # pass/fail has no line


def test_trends_never_join_different_tests(catalogue) -> None:  # type: ignore[no-untyped-def]
    d0 = date(2026, 1, 5)
    ms = [
        Measurement(d0, "seated_rotation", "internal_rotation", "left", "degrees", 22.0),
        Measurement(
            d0 + timedelta(days=20), "prone_rotation", "internal_rotation", "left", "degrees", 35.0
        ),
    ]
    (t,) = core.trends(ms, catalogue)
    assert t.test == "prone_rotation" and len(t.points) == 1


def test_retest_due_after_three_weeks() -> None:
    d = date(2026, 3, 1)
    ms = [
        Measurement(d - timedelta(days=22), "t", "abduction", "left", "degrees", 30),
        Measurement(d - timedelta(days=21), "t", "flexion", "left", "degrees", 30),
    ]
    assert core.retest_due(ms, d) == {"abduction": d - timedelta(days=22)}


def test_empty_athlete_has_no_history(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 'x.sqlite3'}") as svc:
        a = svc.add_athlete("new", tz="UTC")
        p = progress(svc, a, TODAY)
    assert not p.has_history
    assert p.start == TODAY and len(p.days) == 1 and p.trends == ()
    assert all(not h.points for h in p.lunge)


def test_done_minutes_ignore_skips() -> None:
    d = date(2026, 1, 1)
    logs = [DrillLog(d, "x", 3.0), DrillLog(d, "y", 4.0, skipped=True), DrillLog(d, "z", 2.0)]
    assert core.done_minutes(logs) == {d: 5.0}


DRILL_IDS = st.sampled_from(["a", "b", "c"])


@given(
    planned=st.lists(DRILL_IDS, max_size=8),
    logs=st.lists(
        st.tuples(DRILL_IDS, st.booleans(), st.integers(0, 1)), max_size=10
    ),  # drill, skipped, day offset
)
def test_each_log_of_the_day_marks_one_snack_of_its_drill(
    planned: list[str], logs: list[tuple[str, bool, int]]
) -> None:
    from triplane.core.progress import snack_states

    day = date(2026, 12, 1)
    drill_logs = [
        DrillLog(day + timedelta(days=off), drill, 3.0, skipped=skip) for drill, skip, off in logs
    ]
    states = snack_states(planned, drill_logs, day)
    assert len(states) == len(planned)
    for drill in set(planned):
        of_day = [g for g in drill_logs if g.date == day and g.drill == drill]
        marked = [s for p, s in zip(planned, states, strict=True) if p == drill and s]
        assert len(marked) == min(planned.count(drill), len(of_day))
        # the marks follow the day's logs in order: done for a done log, skipped for a skip
        expected = ["skipped" if g.skipped else "done" for g in of_day][: len(marked)]
        assert marked == expected

"""SettingsChange (issue 10): one typed change, its limits in the core, refusals naming the
field, which the CLI shows as its option (--daily-minutes) on one stderr line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.cli.app import option_of
from triplane.core.errors import Invalid
from triplane.core.records import Settings
from triplane.core.settings import DAILY_MINUTES, FIELDS, SettingsChange, check_settings
from triplane.usecases.service import open_service

NUMBERS = st.integers(-1_000, 1_000) | st.sampled_from(
    [DAILY_MINUTES.low - 1, DAILY_MINUTES.low, DAILY_MINUTES.high, DAILY_MINUTES.high + 1]
)


def test_a_change_gives_only_what_it_sets() -> None:
    assert SettingsChange().is_empty()
    change = SettingsChange(daily_minutes=20, conditions=())
    assert change.given() == {"daily_minutes": 20, "conditions": ()}
    assert set(change.given()) <= set(FIELDS)


@given(minutes=NUMBERS)
def test_the_core_refuses_a_budget_outside_its_limits_by_field(minutes: int) -> None:
    s = Settings(daily_minutes=minutes)
    if minutes in DAILY_MINUTES:
        check_settings(s)
        return
    with pytest.raises(Invalid) as caught:
        check_settings(s)
    assert caught.value.field == "daily_minutes"
    assert caught.value.sentence("--daily-minutes").startswith(f"--daily-minutes is {minutes}")
    assert "--" not in str(caught.value)  # the use-case sentence names no CLI option


def test_each_field_has_its_option() -> None:
    assert option_of("daily_minutes") == "--daily-minutes"
    assert option_of("conditions") == "--condition"
    assert option_of("hip_approach") == "--approach"
    assert option_of(None) is None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(minutes=NUMBERS)
def test_cli_stores_a_budget_inside_the_limits_and_refuses_one_outside(
    cli, db_url: str, minutes: int
) -> None:  # type: ignore[no-untyped-def]
    if cli("athlete", "list", "--json").json() == []:
        assert cli("athlete", "add", "Ada", "--tz", "UTC").code == 0
    before = cli("athlete", "show", "--json").json()["settings"]["daily_minutes"]
    r = cli("athlete", "edit", "--daily-minutes", str(minutes), "--json")
    shown = cli("athlete", "show", "--json").json()["settings"]["daily_minutes"]
    if minutes in DAILY_MINUTES:
        assert r.code == 0, r.err
        assert json.loads(r.out)["settings"]["daily_minutes"] == minutes == shown
    else:
        assert r.code == 1 and r.err.count("\n") == 1, r.err
        assert r.err.startswith(f"triplane: --daily-minutes is {minutes} minutes; choose 5 to 60")
        assert shown == before  # nothing half-written


def test_the_service_reads_back_every_field_it_was_given(tmp_path: Path) -> None:
    change = SettingsChange(
        daily_minutes=25,
        gym_minutes=45,
        wake="06:00",
        sleep="22:00",
        run_days="tue,sat",
        run_time="07:00,18:00",
        gym_days="thu",
        gym_time="12:00",
        work_days="mon,tue",
        work_hours="09:00-17:00",
        long_run_day="sat",
        kneeling_ok=False,
        conditions=("hip_replacement",),
        hip_approach="anterior",
        birth_year=1980,
        sex="female",
        lunge_cap="sore calf",
    )
    with open_service(f"sqlite:///{tmp_path / 't.sqlite3'}") as svc:
        a = svc.add_athlete("Ada", tz="UTC", change=change)
        s = svc.athlete_summary(a)["settings"]
    assert s["daily_minutes"] == 25 and s["gym_minutes"] == 45
    assert (s["wake"], s["sleep"], s["run_time"], s["second_run_time"]) == (
        "06:00",
        "22:00",
        "07:00",
        "18:00",
    )
    assert s["run_days"] == ["tue", "sat"] and s["gym_days"] == ["thu"]
    assert (s["work_start"], s["work_end"], s["work_days"]) == ("09:00", "17:00", ["mon", "tue"])
    assert s["long_run_day"] == "sat" and s["kneeling_ok"] is False
    assert s["conditions"] == ["hip_replacement"] and s["hip_approach"] == "anterior"
    assert (s["birth_year"], s["sex"], s["lunge_cap"]) == (1980, "female", "sore calf")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (SettingsChange(gym_minutes=5), "gym_minutes"),
        (SettingsChange(run_time="25:00"), "run_time"),
        (SettingsChange(run_days="mon,funday"), "run_days"),
        (SettingsChange(work_hours="09:00"), "work_hours"),
        (SettingsChange(hip_approach="posterior"), "conditions"),
        (SettingsChange(sex="x"), "sex"),
        (SettingsChange(birth_year=1850), "birth_year"),
        (SettingsChange(ladder_order=("range",)), "ladder_order"),
        (SettingsChange(norm_set="nope"), "norm_set"),
        (SettingsChange(run_times="mon"), "run_times"),
    ],
)
def test_every_refusal_names_its_field_and_no_option(
    tmp_path: Path, change: SettingsChange, field: str
) -> None:
    url = f"sqlite:///{tmp_path / 't.sqlite3'}"
    with pytest.raises(Invalid) as caught, open_service(url) as svc:
        svc.add_athlete("Ada", tz="UTC", change=change)
    assert caught.value.field == field
    assert "--" not in str(caught.value), str(caught.value)

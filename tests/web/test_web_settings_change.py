"""Issue 10 over real HTTP: the API declares the budget's limits from the core and answers a
refusal with the field's JSON name; the settings page names the field by its form label."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.core.settings import DAILY_MINUTES

API = "/api/v1"
NUMBERS = st.integers(-1_000, 1_000) | st.sampled_from(
    [DAILY_MINUTES.low - 1, DAILY_MINUTES.low, DAILY_MINUTES.high, DAILY_MINUTES.high + 1]
)


@pytest.fixture(scope="module")
def runner(live: Any) -> dict[str, Any]:
    return live.signup()


def test_the_api_schema_declares_the_cores_limits(live: Any) -> None:
    with live.client() as c:
        schema = c.get(f"{API}/openapi.json").json()["components"]["schemas"]["SettingsIn"]
    minutes = next(x for x in schema["properties"]["daily_minutes"]["anyOf"] if "type" in x)
    assert (minutes["minimum"], minutes["maximum"]) == (DAILY_MINUTES.low, DAILY_MINUTES.high)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(minutes=NUMBERS)
def test_api_stores_a_budget_inside_the_limits_and_refuses_one_outside(
    runner: dict[str, Any], minutes: int
) -> None:
    c, aid = runner["client"], runner["athlete_id"]
    before = c.get(f"{API}/athletes/{aid}").json()["settings"]["daily_minutes"]
    r = c.patch(f"{API}/athletes/{aid}/settings", json={"daily_minutes": minutes})
    after = c.get(f"{API}/athletes/{aid}").json()["settings"]["daily_minutes"]
    if minutes in DAILY_MINUTES:
        assert r.status_code == 200, r.text
        assert r.json()["settings"]["daily_minutes"] == minutes == after
    else:
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["field"] == "daily_minutes"
        assert f"daily_minutes: is {minutes}; choose 5 to 60" == body["detail"]
        assert after == before


def test_a_use_case_refusal_carries_its_field_in_the_api_json(runner: dict[str, Any]) -> None:
    c, aid = runner["client"], runner["athlete_id"]
    r = c.patch(f"{API}/athletes/{aid}/settings", json={"run_time": "25:99"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "run_time"
    assert r.json()["detail"].startswith("run_time '25:99' is not a time of day")
    r = c.patch(f"{API}/athletes/{aid}/settings", json={"sex": "x"})
    assert r.status_code == 422 and r.json()["field"] == "sex"
    assert "--" not in r.json()["detail"]


def test_the_settings_form_names_the_field_by_its_label(live: Any, runner: dict[str, Any]) -> None:
    c = live.client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text)
    assert token is not None
    login = {"email": runner["email"], "password": runner["password"], "csrf": token.group(1)}
    assert c.post("/login", data=login).status_code == 303
    page = c.get("/settings")
    assert f'min="{DAILY_MINUTES.low}" max="{DAILY_MINUTES.high}"' in page.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf is not None
    r = c.post("/settings", data={"csrf": csrf.group(1), "daily_minutes": "70"})
    assert r.status_code == 422
    assert "Daily budget is 70 minutes; choose 5 to 60" in r.text
    assert "--daily-minutes" not in r.text

"""Forms keep what you typed (issue 14 §5), the no-JS path over plain HTTP: a refused form
comes back as the page (4xx) with the values as typed, the sentence beside its field, the
logged-in navigation and no terminal text; the HTMX path answers the same page, which the
browser test swaps in (test_web_onboarding.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_web_calendar import page_session

from triplane.usecases.service import Invalid
from triplane.web.forms import field_of, user_sentence

INTERNAL = ("--", "`", "triplane ", "pydantic", "Traceback", "Please check", "Log in</a>")


def _beside(html: str, field: str) -> str:
    """The sentence shown beside `field` (the error its input or fieldset points to), or ''."""
    assert f'name="{field}"' in html, f"no {field} in the page"
    if f'aria-describedby="{field}-error"' not in html:
        return ""
    m = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', html)
    return m.group(1) if m else ""


def _logged_in(html: str) -> None:
    assert 'href="/settings"' in html and 'href="/signup"' not in html
    for bit in INTERNAL:
        assert bit not in re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S), bit


@pytest.fixture
def runner(live: Any) -> tuple[Any, str, dict[str, Any]]:
    a = live.signup("athlete", "Forms Runner")
    pages, csrf = page_session(live, a["email"], a["password"])
    return pages, csrf, a


def test_settings_keeps_input_and_puts_the_message_beside_the_field(runner: Any) -> None:
    pages, csrf, _ = runner
    sent = {
        "csrf": csrf,
        "run_days_sent": "1",
        "run_days": ["tue", "sat"],
        "run_time": "07:15",
        "work_hours": "25:00-26:00",
        "daily_minutes": "15",
        "kneeling_sent": "1",
        "long_run_day": "sat",
    }
    r = pages.post("/settings", data=sent)
    assert r.status_code == 422, r.text
    assert "work hours" in _beside(r.text, "work_hours").lower()
    assert _beside(r.text, "run_time") == ""
    assert 'value="25:00-26:00"' in r.text and 'value="07:15"' in r.text
    assert re.search(r'value="tue"\s+checked', r.text) and re.search(
        r'value="sat"\s+checked', r.text
    )
    assert not re.search(r'name="run_days" value="mon"\s+checked', r.text)
    assert re.search(r'<option value="sat"\s+selected', r.text)
    assert not re.search(r'name="kneeling_ok" value="1"\s+checked', r.text)  # unticked stays so
    _logged_in(r.text)
    # nothing was saved: the page afresh shows the old settings
    fresh = pages.get("/settings").text
    assert 'value="07:15"' not in fresh


def test_settings_budget_out_of_range_and_not_a_number(runner: Any) -> None:
    pages, csrf, _ = runner
    r = pages.post("/settings", data={"csrf": csrf, "daily_minutes": "90"})
    assert r.status_code == 422
    assert _beside(r.text, "daily_minutes"), r.text
    assert 'value="90"' in r.text
    r = pages.post("/settings", data={"csrf": csrf, "daily_minutes": "ten"})
    assert r.status_code == 422
    assert "whole number" in _beside(r.text, "daily_minutes")
    _logged_in(r.text)


def test_away_days_keep_input(runner: Any) -> None:
    pages, csrf, _ = runner
    r = pages.post(
        "/settings",
        data={
            "csrf": csrf,
            "away_from": "2026-12-20",
            "away_to": "2026-12-10",
            "away_reason": "ski week",
        },
    )
    assert r.status_code == 422, r.text
    form = r.text[r.text.index('id="away-form"') :]
    assert 'value="2026-12-20"' in form and 'value="ski week"' in form
    assert _beside(form, "away_to") or _beside(form, "away_from") or "form-error" in form
    assert "away-form-error" in form or "away_to-error" in form or "away_from-error" in form
    _logged_in(r.text)
    bad = pages.post("/settings", data={"csrf": csrf, "away_from": "soon"})
    assert bad.status_code == 422
    assert 'value="soon"' in bad.text


def test_lunges_keep_every_direction_as_typed(runner: Any) -> None:
    pages, csrf, _ = runner
    page = pages.get("/lunge").text
    dirs = re.findall(r'name="([a-z_]+)_reps"', page)
    assert len(dirs) >= 2
    data = {"csrf": csrf, "client_id": "keep-test"}
    for d in dirs:
        data.update({f"{d}_reps": "6", f"{d}_discomfort": "1", f"{d}_balance": "ok"})
    data[f"{dirs[1]}_discomfort"] = ""  # one direction without its discomfort
    data[f"{dirs[0]}_sharp"] = "1"
    r = pages.post("/lunge", data=data)
    assert r.status_code == 422, r.text
    assert "discomfort" in _beside(r.text, f"{dirs[1]}_discomfort")
    assert _beside(r.text, f"{dirs[0]}_discomfort") == ""
    assert re.search(rf'name="{dirs[0]}_balance"[^>]*>.*?value="ok"\s+selected', r.text, re.S)
    assert re.search(rf'name="{dirs[0]}_sharp" value="1"\s+checked', r.text)
    _logged_in(r.text)
    # nothing half-written: the first direction was not logged
    assert "lunge" not in pages.get("/history").text.split("<main", 1)[1].split("</main>")[0]


def test_check_in_without_pain_keeps_the_flags(runner: Any) -> None:
    pages, csrf, _ = runner
    flags = re.findall(r'name="flags" value="([^"]+)"', pages.get("/check-in").text)
    r = pages.post("/check-in", data={"csrf": csrf, "flags": flags[:1], "pain": ""})
    assert r.status_code == 422
    assert "pain" in _beside(r.text, "pain")
    assert re.search(rf'value="{flags[0]}"\s+checked', r.text)
    _logged_in(r.text)


def test_account_forms_keep_input_but_never_a_password(runner: Any) -> None:
    pages, csrf, a = runner
    r = pages.post(
        "/account/password",
        data={"csrf": csrf, "current": a["password"], "new": "one new phrase", "repeat": "other"},
    )
    assert r.status_code == 422
    assert "differ" in _beside(r.text, "repeat")
    assert "one new phrase" not in r.text and a["password"] not in r.text
    r = pages.post(
        "/account/password",
        data={
            "csrf": csrf,
            "current": "not it at all",
            "new": "a new phrase",
            "repeat": "a new phrase",
        },
    )
    assert r.status_code == 422
    assert "current" in _beside(r.text, "current")
    r = pages.post("/account/delete", data={"csrf": csrf, "password": "x", "confirm": "delete"})
    assert r.status_code == 422
    assert "DELETE" in _beside(r.text, "confirm") and 'value="delete"' in r.text
    r = pages.post("/account/invite", data={"csrf": csrf, "code": "NOPE-0000"})
    assert r.status_code in (404, 422), r.text
    assert _beside(r.text, "code") and 'value="NOPE-0000"' in r.text
    _logged_in(r.text)
    assert pages.get("/today").status_code in (200, 303)  # still logged in, nothing deleted


def test_history_delete_refused_stays_on_history(runner: Any) -> None:
    pages, csrf, _ = runner
    r = pages.post("/history/delete", data={"csrf": csrf, "entry": "nonsense"})
    assert r.status_code in (404, 422)
    assert "<h1>History</h1>" in r.text and 'id="history-error"' in r.text
    _logged_in(r.text)


def test_htmx_success_redirects_the_whole_page(runner: Any) -> None:
    pages, csrf, _ = runner
    r = pages.post(
        "/settings", data={"csrf": csrf, "daily_minutes": "15"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/settings?saved=1"
    r = pages.post(
        "/settings", data={"csrf": csrf, "daily_minutes": "99"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 422 and 'id="settings-form"' in r.text


def test_error_pages_keep_the_logged_in_navigation(runner: Any) -> None:
    pages, _, _ = runner
    r = pages.get("/drills/no-such-drill")
    assert r.status_code == 404
    assert 'href="/settings"' in r.text and 'href="/signup"' not in r.text


@given(st.sampled_from(["athlete", "approach", "run-time", "budget"]), st.text(max_size=30))
def test_user_sentences_never_show_options_or_commands(option: str, tail: str) -> None:
    raw = f"--{option} is wrong (see `triplane athlete list`); {tail}"
    text = user_sentence(raw)
    assert f"--{option}" not in text and "`" not in text.replace(tail, "")
    assert option.replace("-", " ") in text


def test_field_of_prefers_the_errors_own_field() -> None:
    exc = Invalid("work hours are HH:MM-HH:MM")
    assert field_of(exc, ["run_time", "work_hours"]) == "work_hours"
    exc.field = "run_time"  # type: ignore[attr-defined]
    assert field_of(exc, ["run_time", "work_hours"]) == "run_time"
    assert field_of(Invalid("something else"), ["run_time"]) is None

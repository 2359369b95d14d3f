"""The first-run flow (issue 14 §1) over plain HTTP: shown once after the first login, the
week written through the settings use case, the tests by self-rating or skipped, resumable,
ending on Today with the planned snacks; a returning runner is never sent through it again.
The browser journey (phone/desktop, light/dark, keyboard only) is test_web_onboarding_browser.py.
"""

from __future__ import annotations

import re
from typing import Any

from test_web_calendar import page_session

WEEK = {
    "run_days_sent": "1",
    "run_days": ["tue", "thu", "sat"],
    "run_time": "07:00",
    "long_run_day": "sat",
    "gym_days_sent": "1",
    "gym_days": ["mon"],
    "gym_time": "18:00",
    "work_start": "09:00",
    "work_end": "17:00",
    "wake": "06:30",
    "sleep": "22:30",
    "daily_minutes": "10",
    "kneeling_sent": "1",
    "kneeling_ok": "0",
}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m is not None
    return m.group(1)


def test_first_login_runs_the_flow_once_and_ends_on_today(live: Any) -> None:
    a = live.signup("athlete", "New Runner")
    pages, csrf = page_session(live, a["email"], a["password"])
    assert pages.get("/").headers["location"] == "/welcome"
    intro = pages.get("/welcome")
    assert intro.status_code == 200
    for words in ("Three planes", "Snacks through the day", "lunge matrix", "see a clinician"):
        assert words.lower() in intro.text.lower(), words
    assert pages.get("/").headers["location"] == "/today"  # shown once: never forced again

    # the week: a half-given work time comes back as typed, the message beside it
    bad = pages.post("/welcome/week", data={**WEEK, "work_end": "", "csrf": csrf})
    assert bad.status_code == 422
    assert 'aria-describedby="work_end-error"' in bad.text
    assert 'value="09:00"' in bad.text and re.search(r'value="thu"\s+checked', bad.text)
    assert re.search(r'name="daily_minutes" value="10"\s+checked', bad.text)
    ok = pages.post("/welcome/week", data={**WEEK, "csrf": csrf})
    assert ok.status_code == 303 and ok.headers["location"] == "/welcome/tests/0"
    s = a["client"].get(f"/api/v1/athletes/{a['athlete_id']}").json()["settings"]
    assert s["run_days"] == ["tue", "thu", "sat"] and s["daily_minutes"] == 10
    assert s["kneeling_ok"] is False and s["work_start"] == "09:00" and s["long_run_day"] == "sat"

    # the tests: each with its figure and what you need; nothing chosen asks for a rating
    first = pages.get("/welcome/tests/0").text
    assert 'src="/welcome/figures/test-0.svg"' in first and "What you need" in first
    fig = pages.get("/welcome/figures/test-0.svg")
    assert fig.status_code == 200 and fig.headers["content-type"].startswith("image/svg+xml")
    empty = pages.post("/welcome/tests/0", data={"csrf": csrf, "client_id": "t0"})
    assert empty.status_code == 422 and 'id="left_rating-error"' in empty.text
    r = pages.post(
        "/welcome/tests/0",
        data={"csrf": csrf, "client_id": "t0", "left_rating": "2", "right_rating": "1"},
    )
    assert r.headers["location"] == "/welcome/tests/1"
    # left half-way: Today offers to resume where the runner was
    pages.post("/welcome/finish", data={"csrf": csrf, "later": "1"})
    today = pages.get("/today").text
    assert 'id="setup-resume"' in today and 'href="/welcome/tests/1"' in today
    assert pages.get("/welcome/resume").headers["location"] == "/welcome/tests/1"
    for i in range(1, 6):
        page = pages.get(f"/welcome/tests/{i}").text
        assert f'src="/welcome/figures/test-{i}.svg"' in page
        if "seated_rotation" in page or "standing_abduction" in page:
            assert "/assess/inclinometer?test=" in page  # the phone page where it exists
        r = pages.post(f"/welcome/tests/{i}", data={"csrf": csrf, "skip": "1"})
    assert r.headers["location"] == "/today?welcome=1"
    today = pages.get("/today?welcome=1").text
    assert 'id="welcome-done"' in today and 'id="setup-resume"' not in today
    day = a["client"].get(f"/api/v1/athletes/{a['athlete_id']}/plan/day").json()
    assert day["slots"], "the week gives snacks"
    log = a["client"].get(f"/api/v1/athletes/{a['athlete_id']}/log").json()
    assert sum(1 for e in log if e["kind"] == "measurement") == 2  # the self-ratings


def test_skip_setup_goes_to_today_and_stays_done(live: Any) -> None:
    a = live.signup("athlete", "Skipper")
    pages, csrf = page_session(live, a["email"], a["password"])
    pages.get("/welcome")
    r = pages.post("/welcome/finish", data={"csrf": csrf})
    assert r.headers["location"] == "/today"
    assert 'id="setup-resume"' not in pages.get("/today").text
    assert pages.get("/").headers["location"] == "/today"


def test_intro_figures_are_served(live: Any) -> None:
    a = live.signup("athlete", "Figures")
    pages, _ = page_session(live, a["email"], a["password"])
    intro = pages.get("/welcome").text
    srcs = re.findall(r'src="(/welcome/figures/[^"]+)"', intro)
    assert len(srcs) == 4
    for src in srcs:
        assert pages.get(src).status_code == 200, src
    assert pages.get("/welcome/figures/nothing.svg").status_code == 404

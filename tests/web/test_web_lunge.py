"""The web lunge page (issue 11): each direction's id and why, and a form that never guesses
discomfort 0/10 or balance kept when they are left blank. Real server, real HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from test_web_authz import page_session

API = "/api/v1"


def test_the_lunge_page_shows_why_and_ids_and_requires_discomfort_and_balance(live: Any) -> None:
    me = live.signup()
    pages, csrf = page_session(live, me["email"], me["password"])
    page = pages.get("/lunge").text
    assert "<code>crossover</code>" in page and "Start easy" in page
    assert "0 of 2 clean sessions" in page
    assert re.search(r'name="anterior_discomfort"[^>]*value=', page) is None  # not guessed
    aid = me["athlete_id"]

    def logs() -> list[Any]:
        return list(me["client"].get(f"{API}/athletes/{aid}/log").json())

    before = logs()
    blank = {"csrf": csrf, "anterior_reps": "5", "anterior_balance": "ok"}
    r = pages.post("/lunge", data=blank)
    assert r.status_code == 422 and "Forward lunge: give the discomfort" in r.text
    r = pages.post("/lunge", data={**blank, "anterior_discomfort": "1", "anterior_balance": ""})
    assert r.status_code == 422 and "whether balance was kept" in r.text
    assert logs() == before  # nothing half-written

    r = pages.post("/lunge", data={**blank, "anterior_discomfort": "1"})
    assert r.status_code == 200, r.text
    assert "<code>anterior</code>" in r.text and "1 clean session at this level" in r.text
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()  # the athlete's tz: UTC
    nxt = me["client"].get(f"{API}/athletes/{aid}/lunge/next", params={"date": tomorrow}).json()
    anterior = next(d for d in nxt["directions"] if d["direction"] == "anterior")
    assert anterior["clean_sessions"] == 1 and anterior["capped"] is False
    assert anterior["level"] == {"load": 0, "range": 0, "environment": 0, "speed": 0,
                                 "stability": 1, "duration": 1}  # fmt: skip


def test_a_linked_coach_caps_the_lunge_matrix_over_the_api(live: Any) -> None:
    athlete, coach = live.signup(), live.signup("coach")
    live.link(coach, athlete)
    aid = athlete["athlete_id"]
    r = coach["client"].patch(f"{API}/athletes/{aid}/settings", json={"lunge_cap": "sore calf"})
    assert r.status_code == 200, r.text
    nxt = athlete["client"].get(f"{API}/athletes/{aid}/lunge/next").json()
    assert all(d["capped"] and d["capped_why"] == "Your coach's cap (sore calf)"
               for d in nxt["directions"])  # fmt: skip
    assert all(d["reps"] == 3 and d["level"]["duration"] == 1 for d in nxt["directions"])
    r = coach["client"].patch(f"{API}/athletes/{aid}/settings", json={"lunge_cap": "off"})
    assert r.status_code == 200, r.text
    nxt = athlete["client"].get(f"{API}/athletes/{aid}/lunge/next").json()
    assert not any(d["capped"] for d in nxt["directions"])

"""A coach who can coach (issue 14 §6), over real HTTP against the running app: the week edited
and confirmed (and the athlete seeing who changed what), drills pinned and banned, a lunge
direction capped and locked, comments on a day and a snack shown on Today, the snacks with their
discomfort, and the list of athletes sorted by what needs attention."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from test_web_authz import page_session


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert m is not None
    return m.group(1)


@pytest.fixture
def pair(live: Any) -> dict[str, Any]:
    athlete, coach = live.signup("athlete", "Ada Runner"), live.signup("coach", "Sam Coach")
    live.link(coach, athlete)
    coach["pages"], coach["csrf"] = page_session(live, coach["email"], coach["password"])
    athlete["pages"], athlete["csrf"] = page_session(live, athlete["email"], athlete["password"])
    return {"athlete": athlete, "coach": coach, "id": athlete["athlete_id"]}


def _post(who: dict[str, Any], url: str, form: dict[str, Any]) -> httpx.Response:
    return who["pages"].post(url, data={**form, "csrf": who["csrf"]})


def test_week_is_confirmed_then_saved_and_the_athlete_sees_who(pair: dict[str, Any]) -> None:
    coach, athlete, aid = pair["coach"], pair["athlete"], pair["id"]
    page = coach["pages"].get(f"/coach/athletes/{aid}/week")
    assert page.status_code == 200 and "Run days" in page.text
    form = {
        "run_days": ["tue", "sat"],
        "run_time_sat": "08:00",
        "run_time": "07:00",
        "long_run_day": "sat",
        "gym_days": ["thu"],
        "gym_time": "18:00",
        "gym_minutes": "60",
        "daily_minutes": "20",
    }
    preview = _post(coach, f"/coach/athletes/{aid}/week", form)
    assert preview.status_code == 200, preview.text
    assert "Save these changes?" in preview.text
    assert "Minutes a day</strong>: 15 → 20" in preview.text
    assert "Long-run day</strong>: none → Sat" in preview.text
    # nothing is saved before the confirmation
    settings = athlete["client"].get(f"/api/v1/athletes/{aid}").json()["settings"]
    assert settings["daily_minutes"] == 15
    saved = _post(coach, f"/coach/athletes/{aid}/week", {**form, "confirm": "1"})
    assert saved.status_code == 303
    settings = athlete["client"].get(f"/api/v1/athletes/{aid}").json()["settings"]
    assert settings["daily_minutes"] == 20 and settings["long_run_day"] == "sat"
    assert settings["run_days"] == ["tue", "sat"] and settings["run_times"] == {"sat": "08:00"}
    assert settings["gym_days"] == ["thu"] and settings["gym_time"] == "18:00"
    changes = athlete["pages"].get("/settings/changes").text
    assert "Your coach Sam Coach" in changes and "Minutes a day: 15 → 20" in changes
    today = athlete["pages"].get("/today").text
    assert 'id="coach-note"' in today and "Sam Coach changed your plan" in today
    # the same again changes nothing, and says so
    again = _post(coach, f"/coach/athletes/{aid}/week", form)
    assert again.status_code == 422 and "Nothing would change" in again.text


def test_a_wrong_week_comes_back_with_what_was_typed(pair: dict[str, Any]) -> None:
    coach, aid = pair["coach"], pair["id"]
    r = _post(
        coach,
        f"/coach/athletes/{aid}/week",
        {"run_days": ["mon"], "run_time": "07:00", "daily_minutes": "90"},
    )
    assert r.status_code == 422
    assert 'id="week-error"' in r.text and "is 90 minutes; choose 5 to 60" in r.text
    assert 'value="90"' in r.text and 'value="07:00"' in r.text
    assert 'href="/coach"' in r.text  # the coach's navigation, not a dead end


def test_ban_pin_and_release(pair: dict[str, Any]) -> None:
    coach, athlete, aid = pair["coach"], pair["athlete"], pair["id"]
    url = f"/coach/athletes/{aid}/drills"
    assert coach["pages"].get(url).status_code == 200
    assert _post(coach, url, {"drill": "pigeon", "action": "ban", "twin": "1"}).status_code == 303
    assert (
        _post(coach, url, {"drill": "hip_airplane", "action": "pin", "days": "5"}).status_code
        == 303
    )
    settings = athlete["client"].get(f"/api/v1/athletes/{aid}").json()["settings"]
    assert settings["banned_drills"] == ["pigeon", "standing_pigeon"]
    assert settings["pinned_drills"] == [["hip_airplane", 5]]
    monday = (date.today() + timedelta(days=7 - date.today().weekday())).isoformat()  # next
    week = athlete["client"].get(f"/api/v1/athletes/{aid}/plan/week?start={monday}").json()
    drills = [s["drill"]["id"] for d in week["days"] for s in d["slots"]]
    assert not {"pigeon", "standing_pigeon", "ninety_ninety_forward_fold"} & set(drills)
    assert drills.count("hip_airplane") >= 5
    bad = _post(coach, url, {"drill": "hip_airplane", "action": "pin", "days": "9"})
    assert bad.status_code == 422 and "1 to 7 days a week" in bad.text and 'value="9"' in bad.text
    assert _post(coach, url, {"drill": "pigeon", "action": "release"}).status_code == 303
    settings = athlete["client"].get(f"/api/v1/athletes/{aid}").json()["settings"]
    assert (
        "pigeon" not in settings["banned_drills"] and "standing_pigeon" in settings["banned_drills"]
    )


def test_a_condition_beats_a_pin(pair: dict[str, Any]) -> None:
    coach, athlete, aid = pair["coach"], pair["athlete"], pair["id"]
    athlete["client"].patch(
        f"/api/v1/athletes/{aid}/settings", json={"conditions": ["hip_replacement"]}
    )
    r = _post(coach, f"/coach/athletes/{aid}/drills", {"drill": "pigeon", "action": "pin"})
    assert r.status_code == 422 and "left out for this athlete" in r.text


def test_lunge_direction_lock_holds_the_level(pair: dict[str, Any]) -> None:
    coach, athlete, aid = pair["coach"], pair["athlete"], pair["id"]
    url = f"/coach/athletes/{aid}/lunges"
    assert coach["pages"].get(url).status_code == 200
    assert _post(coach, url, {"direction": "anterior", "hold": "lock"}).status_code == 303
    assert _post(coach, url, {"direction": "lateral", "hold": "cap"}).status_code == 303
    nxt = athlete["client"].get(f"/api/v1/athletes/{aid}/lunge/next").json()
    by = {d["direction"]: d for d in nxt["directions"]}
    assert by["anterior"]["status"] == "locked" and by["anterior"]["capped"]
    assert by["lateral"]["status"] == "capped"
    assert _post(coach, url, {"direction": "anterior", "hold": "free"}).status_code == 303
    nxt = athlete["client"].get(f"/api/v1/athletes/{aid}/lunge/next").json()
    assert {d["direction"]: d for d in nxt["directions"]}["anterior"]["status"] != "locked"
    bad = _post(coach, url, {"direction": "anterior", "hold": "squash"})
    assert bad.status_code == 422


def test_comments_show_on_today_and_discomfort_on_the_coach_page(pair: dict[str, Any]) -> None:
    coach, athlete, aid = pair["coach"], pair["athlete"], pair["id"]
    plan = athlete["client"].get(f"/api/v1/athletes/{aid}/plan/day").json()
    drill = plan["slots"][0]["drill"]["id"]
    r = athlete["client"].post(
        f"/api/v1/athletes/{aid}/logs", json={"drill": drill, "discomfort": 7}
    )
    assert r.status_code in (200, 201), r.text
    page = coach["pages"].get(f"/coach/athletes/{aid}").text
    assert "7/10" in page and "pain reported" in page
    url = f"/coach/athletes/{aid}/comments"
    today = date.today().isoformat()
    ok = _post(coach, url, {"date": today, "text": "Easy today: the hip needs a rest."})
    assert ok.status_code == 303
    ok = _post(coach, url, {"date": today, "drill": drill, "text": "Smaller range next time."})
    assert ok.status_code == 303
    empty = _post(coach, url, {"date": today, "drill": drill, "text": "   "})
    assert empty.status_code == 422 and "Write a comment first" in empty.text
    seen = athlete["pages"].get("/today").text
    assert "Easy today: the hip needs a rest." in seen and "Smaller range next time." in seen
    cid = re.search(
        r'name="comment" value="(\d+)"', coach["pages"].get(f"/coach/athletes/{aid}").text
    )
    assert cid is not None
    assert _post(coach, f"{url}/delete", {"comment": cid.group(1)}).status_code == 303
    assert "Easy today" not in athlete["pages"].get("/today").text


def test_dashboard_sorts_by_attention_and_never_says_of_0(live: Any) -> None:
    coach = live.signup("coach", "Lee Coach")
    quiet, hurt = live.signup("athlete", "Aaron Quiet"), live.signup("athlete", "Zoe Hurt")
    for a in (quiet, hurt):
        live.link(coach, a)
    plan = hurt["client"].get(f"/api/v1/athletes/{hurt['athlete_id']}/plan/day").json()
    hurt["client"].post(
        f"/api/v1/athletes/{hurt['athlete_id']}/logs",
        json={"drill": plan["slots"][0]["drill"]["id"], "discomfort": 8},
    )
    pages, _ = page_session(live, coach["email"], coach["password"])
    text = pages.get("/coach").text
    assert text.index("Zoe Hurt") < text.index("Aaron Quiet")  # pain first, whatever the name
    assert " of 0 " not in text and " of 0 planned" not in text


NEW_ROUTES = [
    ("GET", "/coach/athletes/{id}/week", {}),
    ("POST", "/coach/athletes/{id}/week", {"run_days": "mon", "daily_minutes": "20"}),
    ("GET", "/coach/athletes/{id}/drills", {}),
    ("POST", "/coach/athletes/{id}/drills", {"drill": "pigeon", "action": "ban"}),
    ("GET", "/coach/athletes/{id}/lunges", {}),
    ("POST", "/coach/athletes/{id}/lunges", {"direction": "anterior", "hold": "lock"}),
    ("POST", "/coach/athletes/{id}/comments", {"text": "hello"}),
    ("POST", "/coach/athletes/{id}/comments/delete", {"comment": "1"}),
    ("GET", "/coach/athletes/{id}", {}),
]


def test_without_a_link_every_new_route_is_refused(live: Any, pair: dict[str, Any]) -> None:
    """Over generated athlete ids (the linked athlete's among them), an unlinked coach gets 404
    and an athlete (even the owner) 403 or 404 on every coach route; nothing is written."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    stranger = live.signup("coach", "Stranger Coach")
    stranger["pages"], stranger["csrf"] = page_session(
        live, stranger["email"], stranger["password"]
    )
    owner, aid = pair["athlete"], pair["id"]
    before = owner["client"].get(f"/api/v1/athletes/{aid}").json()["settings"]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(NEW_ROUTES), st.one_of(st.just(aid), st.integers(1, 10_000)),
           st.sampled_from(["stranger", "owner"]))  # fmt: skip
    def check(route: tuple[str, str, dict[str, str]], athlete_id: int, who: str) -> None:
        method, path, form = route
        me = stranger if who == "stranger" else owner
        url = path.replace("{id}", str(athlete_id))
        r = me["pages"].get(url) if method == "GET" else _post(me, url, form)
        allowed = {404} if who == "stranger" else {403, 404}
        assert r.status_code in allowed, (who, method, url, r.status_code)

    check()
    assert owner["client"].get(f"/api/v1/athletes/{aid}").json()["settings"] == before

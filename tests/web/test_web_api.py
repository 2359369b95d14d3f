"""The REST API over real HTTP: the contract of issue 3, on SQLite (and PostgreSQL when set)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from triplane.store.db import open_engine
from triplane.usecases.service import open_service

API = "/api/v1"


@pytest.fixture(scope="module")
def live(live_both: Any) -> Any:
    """Every test here runs on SQLite and, when TRIPLANE_TEST_DATABASE_URL is set, PostgreSQL."""
    return live_both


LUNGE = {"direction": "anterior", "reps": 5, "discomfort": 1, "balance": "ok"}


def test_healthz_openapi_and_headers(live: Any) -> None:
    with live.client() as c:
        r = c.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        spec = c.get(f"{API}/openapi.json").json()
        for path in (
            "/api/v1/auth/signup",
            "/api/v1/auth/token",
            "/api/v1/me",
            "/api/v1/athletes/{athlete_id}/plan/day",
            "/api/v1/athletes/{athlete_id}/profile",
            "/api/v1/athletes/{athlete_id}/measurements",
            "/api/v1/athletes/{athlete_id}/logs",
            "/api/v1/athletes/{athlete_id}/lunge/next",
            "/api/v1/athletes/{athlete_id}/lunge/logs",
            "/api/v1/athletes/{athlete_id}/check-ins",
        ):
            assert path in spec["paths"], path


def test_signup_token_me(live: Any) -> None:
    a = live.signup("athlete", "Sam")
    me = a["client"].get(f"{API}/me").json()
    assert me == {
        "id": a["id"],
        "email": a["email"],
        "name": "Sam",
        "role": "athlete",
        "athlete_id": a["athlete_id"],
    }
    assert isinstance(me["athlete_id"], int)
    coach = live.signup("coach")
    assert coach["client"].get(f"{API}/me").json()["athlete_id"] is None
    with live.client() as c:
        again = c.post(
            f"{API}/auth/signup",
            json={"email": a["email"], "password": "whatever mango 12", "name": "X"},
        )
        assert again.status_code == 409 and "can't be created" in again.json()["detail"]
        short = c.post(
            f"{API}/auth/signup",
            json={"email": "new@example.org", "password": "short", "name": "X", "role": "coach"},
        )
        assert short.status_code == 422 and "8 to 200 characters" in short.json()["detail"]
        bad = c.post(f"{API}/auth/token", json={"email": a["email"], "password": "wrong pass"})
        assert bad.status_code == 401


def test_plan_day_is_the_core_plan_json(live: Any) -> None:
    a = live.signup()
    r = a["client"].get(f"{API}/athletes/{a['athlete_id']}/plan/day", params={"date": "2026-12-01"})
    assert r.status_code == 200
    engine = open_engine(live.db_url)
    with open_service(engine=engine) as svc:
        athlete = svc.athlete_by_id(a["athlete_id"])
        expected = svc.plan_day(athlete, __import__("datetime").date(2026, 12, 1)).as_dict()
    engine.dispose()
    assert r.json() == expected
    bad = a["client"].get(f"{API}/athletes/{a['athlete_id']}/plan/day", params={"date": "tomorrow"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["detail"]


def test_logging_is_idempotent_by_client_id(live: Any) -> None:
    a = live.signup()
    c, aid = a["client"], a["athlete_id"]
    body = {"drill": "pigeon", "discomfort": 2, "client_id": "phone-1"}
    first = c.post(f"{API}/athletes/{aid}/logs", json=body)
    second = c.post(f"{API}/athletes/{aid}/logs", json=body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    m = {"motion": "internal_rotation", "side": "left", "degrees": 22, "client_id": "m-1"}
    assert c.post(f"{API}/athletes/{aid}/measurements", json=m).status_code == 201
    assert c.post(f"{API}/athletes/{aid}/measurements", json=m).status_code == 201
    lunge = {"direction": "anterior", "reps": 5, "discomfort": 1, "balance": "ok", "client_id": "l"}
    assert c.post(f"{API}/athletes/{aid}/lunge/logs", json=lunge).status_code == 201
    assert c.post(f"{API}/athletes/{aid}/lunge/logs", json=lunge).status_code == 201
    ci = {"pain": 1, "flags": [], "client_id": "c-1"}
    assert c.post(f"{API}/athletes/{aid}/check-ins", json=ci).status_code == 201
    assert c.post(f"{API}/athletes/{aid}/check-ins", json=ci).status_code == 201
    kinds = [e["kind"] for e in c.get(f"{API}/athletes/{aid}/log").json()]
    assert kinds.count("drill") == 1
    assert kinds.count("measurement") == 1
    assert kinds.count("lunge") == 1
    assert kinds.count("check_in") == 1


def test_assessment_lunge_and_safety_flow(live: Any) -> None:
    a = live.signup()
    c, aid = a["client"], a["athlete_id"]
    r = c.post(
        f"{API}/athletes/{aid}/measurements",
        json={"motion": "internal_rotation", "side": "left", "degrees": 18},
    )
    assert r.status_code == 201 and r.json()["id"].startswith("M")
    c.post(
        f"{API}/athletes/{aid}/measurements",
        json={"motion": "internal_rotation", "side": "right", "degrees": 40},
    )
    profile = c.get(f"{API}/athletes/{aid}/profile").json()
    assert profile["assessed"] is True
    assert profile["priorities"][0] == "internal_rotation"
    nxt = c.get(f"{API}/athletes/{aid}/lunge/next").json()
    assert nxt["paused"] is False and len(nxt["directions"]) == 6
    first = nxt["directions"][0]
    logged = c.post(
        f"{API}/athletes/{aid}/lunge/logs",
        json={
            "direction": first["direction"],
            "reps": first["reps"],
            "discomfort": 1,
            "balance": "ok",
        },
    )
    assert logged.status_code == 201 and logged.json()["prescription"]["direction"]
    hurt = c.post(f"{API}/athletes/{aid}/check-ins", json={"pain": 2, "flags": ["night_pain"]})
    assert hurt.status_code == 201 and hurt.json()["safety"]["paused"] is True
    plan = c.get(f"{API}/athletes/{aid}/plan/day").json()
    assert plan["safety"]["paused"] is True and plan["slots"] == []


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("logs", {"drill": "no_such_drill"}, "unknown drill"),
        ("logs", {"drill": "pigeon", "discomfort": 11}, "0 to 10"),
        ("logs", {"drill": "pigeon", "minutes": "ten"}, "minutes"),
        ("logs", {"drill": "pigeon", "date": "2026-13-40"}, "YYYY-MM-DD"),
        ("logs", {"drill": "pigeon", "colour": "red"}, "not a field here"),
        ("logs", {}, "drill: is required"),
        ("measurements", {"side": "left", "motion": "flexion"}, "exactly one value"),
        ("measurements", {"side": "up", "degrees": 3}, "side"),
        ("measurements", {"side": "left", "motion": "flexion", "degrees": 900}, "degrees"),
        ("lunge/logs", {**LUNGE, "direction": "north"}, "lunge direction"),
        ("lunge/logs", {**LUNGE, "reps": -1}, "reps"),
        ("check-ins", {"pain": 3, "flags": ["sore_toe"]}, "unknown flag"),
        ("logs", {"drill": "pigeon", "client_id": "x" * 65}, "client_id"),
    ],
)
def test_bad_bodies_answer_422_with_a_sentence(live: Any, path: str, body: Any, words: str) -> None:
    a = live.signup()
    r = a["client"].post(f"{API}/athletes/{a['athlete_id']}/{path}", json=body)
    assert r.status_code == 422, r.text
    assert words in r.json()["detail"]


def test_not_json_is_422(live: Any) -> None:
    a = live.signup()
    r = a["client"].post(
        f"{API}/athletes/{a['athlete_id']}/logs",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422 and "JSON" in r.json()["detail"]


def test_no_token_401_and_others_404(live: Any) -> None:
    a, b = live.signup(), live.signup()
    with live.client() as anon:
        r = anon.get(f"{API}/athletes/{a['athlete_id']}/plan/day")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = anon.get(f"{API}/me", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 401
    r = b["client"].get(f"{API}/athletes/{a['athlete_id']}/profile")
    assert r.status_code == 404 and "that you can see" in r.json()["detail"]
    r = b["client"].get(f"{API}/athletes/999999/profile")
    assert (
        r.status_code == 404
        and r.json()["detail"].replace("999999", str(a["athlete_id"]))
        == (b["client"].get(f"{API}/athletes/{a['athlete_id']}/profile").json()["detail"])
    )


def test_coach_links_adherence_settings_and_no_reset(live: Any) -> None:
    coach, a = live.signup("coach"), live.signup()
    aid = a["athlete_id"]
    assert coach["client"].get(f"{API}/athletes/{aid}/profile").status_code == 404
    live.link(coach, a)
    assert [x["id"] for x in coach["client"].get(f"{API}/coach/athletes").json()] == [aid]
    a["client"].post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "discomfort": 1})
    r = coach["client"].get(f"{API}/athletes/{aid}/adherence")
    assert r.status_code == 200
    data = r.json()
    assert set(data["adherence"]) == {"last_7_days", "last_28_days"}
    assert data["flags"]["paused"] is False
    # the athlete sees their own adherence, the same as the coach does (issue 14)
    own = a["client"].get(f"{API}/athletes/{aid}/adherence")
    assert own.status_code == 200 and own.json() == data
    order = ["load", "range", "duration", "speed", "stability", "environment"]
    r = coach["client"].patch(
        f"{API}/athletes/{aid}/settings", json={"daily_minutes": 25, "ladder_order": order}
    )
    assert r.status_code == 200, r.text
    assert r.json()["settings"]["daily_minutes"] == 25
    assert r.json()["settings"]["ladder_order"] == order
    r = coach["client"].patch(f"{API}/athletes/{aid}/settings", json={"daily_minutes": 500})
    assert r.status_code == 422 and "5 to 60" in r.json()["detail"]
    # a coach cannot reset the athlete's password (issue 15): the route is gone
    r = coach["client"].post(f"{API}/athletes/{aid}/password-reset")
    assert r.status_code in (404, 405)
    with live.client() as c:
        ok = c.post(f"{API}/auth/token", json={"email": a["email"], "password": a["password"]})
        assert ok.status_code == 200
    assert a["client"].get(f"{API}/me").status_code == 200


def test_export_and_delete_account(live: Any) -> None:
    a = live.signup()
    c, aid = a["client"], a["athlete_id"]
    c.post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "discomfort": 1})
    data = c.get(f"{API}/me/export").json()
    assert data["format"] == "triplane-export" and data["account"]["email"] == a["email"]
    assert len(data["athletes"][0]["drill_logs"]) == 1
    assert c.post(f"{API}/me/delete", json={"password": "nope nope"}).status_code == 422
    assert c.post(f"{API}/me/delete", json={"password": a["password"]}).status_code == 204
    assert c.get(f"{API}/me").status_code == 401
    engine = open_engine(live.db_url)
    with open_service(engine=engine) as svc:
        assert aid not in [x.id for x in svc.athletes()]
    engine.dispose()


def test_login_rate_limit(live: Any) -> None:
    a = live.signup()
    with live.client() as c:
        codes = [
            c.post(
                f"{API}/auth/token", json={"email": a["email"], "password": "wrong!!!!"}
            ).status_code
            for _ in range(6)
        ]
        assert codes[:5] == [401] * 5 and codes[5] == 429
        right = c.post(f"{API}/auth/token", json={"email": a["email"], "password": a["password"]})
        assert right.status_code == 429 and "wait 15 minutes" in right.json()["detail"]


def test_same_contract_on_postgresql(live_pg: Any) -> None:
    a, b = live_pg.signup(), live_pg.signup()
    c, aid = a["client"], a["athlete_id"]
    assert c.get(f"{API}/athletes/{aid}/plan/day").status_code == 200
    body = {"drill": "pigeon", "discomfort": 2, "client_id": "pg-1"}
    assert c.post(f"{API}/athletes/{aid}/logs", json=body).json() == (
        c.post(f"{API}/athletes/{aid}/logs", json=body).json()
    )
    assert b["client"].get(f"{API}/athletes/{aid}/plan/day").status_code == 404
    r = c.post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "client_id": "a\x00b"})
    assert r.status_code == 422
    with httpx.Client(base_url=live_pg.url) as anon:
        assert anon.get("/healthz").status_code == 200

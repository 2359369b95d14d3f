"""The authorization matrix: every route of the app, called as nobody, as the athlete who owns
the data, as another athlete, as a linked coach and as a coach who is not linked.

An athlete sees only their own data, a coach only linked athletes; someone else's athlete id
answers 404 on every API route (never 403: it doesn't confirm the id exists); no credentials
answer 401 (API) or a redirect to the login page (pages). Nothing ever answers 5xx. A route
added to the app without an expectation here fails the test."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from triplane.web.app import create_app

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/sw.js"),
    ("GET", "/manifest.webmanifest"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/signup"),
    ("POST", "/signup"),
    ("GET", "/offline"),
    ("GET", "/static/{path:path}"),
    ("GET", "/"),  # the landing page for a visitor; Today (or Athletes) for a user
    ("GET", "/calendar/{token}.ics"),  # the token is the key: see test_web_calendar.py
    ("GET", "/forgot"),  # a forgotten password: see test_web_reset.py
    ("POST", "/forgot"),
    ("GET", "/reset/{token}"),
    ("POST", "/reset/{token}"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("GET", "/signup/confirm/{token}"),  # an e-mailed sign-up link: test_web_signup_verify.py
    ("POST", "/signup/confirm/{token}"),
    ("POST", "/api/v1/auth/signup/confirm"),
}
# the adherence route answers its own athlete too (issue 14); coaches cannot reset an athlete's
# password (issue 15): no such route any more
COACH_ONLY_API: set[str] = set()
ATHLETE_PAGES = {
    "/today", "/today/log", "/today/routine", "/assess", "/assess/profile", "/lunge",
    "/check-in", "/settings",
    "/history", "/history/delete", "/settings/calendar", "/settings/calendar/revoke",
    "/video", "/video/jobs/{job_id}", "/video/jobs/{job_id}/status",
    "/video/jobs/{job_id}/annotated.png", "/video/jobs/{job_id}/save", "/assess/inclinometer",
    "/settings/reminders", "/settings/reminders/test", "/settings/push/key",
    "/settings/push/subscribe", "/settings/push/unsubscribe", "/progress", "/progress/{name}.svg",
    "/welcome", "/welcome/resume", "/welcome/finish", "/welcome/week", "/welcome/tests/{index}",
    "/welcome/figures/{name}.svg",
}  # fmt: skip
COACH_PAGES = {
    "/coach", "/coach/invite", "/coach/athletes/{athlete_id}",
    "/coach/athletes/{athlete_id}/settings",
}  # fmt: skip
ANY_USER_PAGES = {
    "/drills", "/drills/{drill_id}", "/drills/{drill_id}/figure.svg", "/account",
    "/account/password", "/account/export", "/account/delete", "/account/invite", "/logout",
}  # fmt: skip
LAST = ("/logout", "/api/v1/auth/logout")

API_BODIES: dict[str, Any] = {
    "/api/v1/athletes/{athlete_id}/measurements": {
        "motion": "flexion", "side": "left", "degrees": 110,
    },
    "/api/v1/athletes/{athlete_id}/logs": {"drill": "pigeon", "discomfort": 1},
    "/api/v1/athletes/{athlete_id}/lunge/logs": {
        "direction": "anterior", "reps": 5, "discomfort": 1, "balance": "ok",
    },
    "/api/v1/athletes/{athlete_id}/check-ins": {"pain": 1},
    "/api/v1/athletes/{athlete_id}/settings": {"daily_minutes": 16},
    "/api/v1/invites/accept": {"code": "NOPE-NOPE-NOPE"},
    "/api/v1/me/delete": {"password": "not the password"},
}  # fmt: skip
PAGE_FORMS: dict[str, dict[str, str]] = {
    "/today/log": {"drill": "pigeon", "discomfort": "1"},
    "/assess": {"step": "0", "skip": "1"},
    "/lunge": {"anterior_reps": "5", "anterior_discomfort": "1", "anterior_balance": "ok"},
    "/check-in": {"pain": "0"},
    "/settings": {"daily_minutes": "15"},
    "/account/password": {"current": "wrong password", "new": "x" * 10, "repeat": "x" * 10},
    "/account/delete": {"password": "wrong password", "confirm": "DELETE"},
    "/account/invite": {"code": "NOPE"},
    "/coach/athletes/{athlete_id}/settings": {"daily_minutes": "15"},
    "/video": {"test": "seated_rotation"},  # no file: refused with a sentence
    "/assess/inclinometer": {
        "test": "standing_abduction",
        "left_abduction": "31",
        "right_abduction": "33",
    },
    "/settings/reminders": {"channels_sent": "1", "lead_minutes": "5"},
}
ROLES = ("nobody", "owner", "other_athlete", "linked_coach", "other_coach")


def routes() -> list[tuple[str, str]]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        app = create_app(f"sqlite:///{d}/routes.sqlite3")
        out = []
        flat: list[Any] = []
        for r in app.routes:  # included routers (newer FastAPI) keep their routes inside
            inner = getattr(r, "original_router", None)
            flat.extend(inner.routes if inner is not None else [r])
        for r in flat:
            if isinstance(r, APIRoute) or hasattr(r, "methods"):
                for m in sorted(getattr(r, "methods", None) or []):
                    if m != "HEAD":
                        out.append((m, r.path))  # type: ignore[attr-defined]
        app.state.ctx.engine.dispose()
    return sorted(out, key=lambda mp: (mp[1] in LAST, mp[1], mp[0]))


def page_session(live: Any, email: str, password: str) -> tuple[httpx.Client, str]:
    c = live.client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"email": email, "password": password, "csrf": token})
    assert r.status_code == 303, r.text
    page = c.get("/account").text
    return c, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def world(live: Any) -> dict[str, Any]:
    owner, other = live.signup("athlete", "Owner"), live.signup("athlete", "Other")
    linked, unlinked = live.signup("coach", "Linked"), live.signup("coach", "Unlinked")
    live.link(linked, owner)
    people = {
        "owner": owner,
        "other_athlete": other,
        "linked_coach": linked,
        "other_coach": unlinked,
    }
    for p in people.values():
        p["pages"], p["csrf"] = page_session(live, p["email"], p["password"])
    anon = live.client()
    pre = re.search(r'name="csrf-token" content="([^"]+)"', anon.get("/login").text).group(1)
    people["nobody"] = {"client": live.client(), "pages": anon, "csrf": pre, "role": None}
    return people


def expected(role: str, method: str, path: str) -> set[int] | str:
    api = path.startswith("/api/")
    if (method, path) in PUBLIC:
        return "any"
    if role == "nobody":
        return {401} if api else {303}
    is_coach = role.endswith("coach")
    if api:
        if "{athlete_id}" in path:
            if role in ("other_athlete", "other_coach"):
                return {404}
            if path in COACH_ONLY_API and not is_coach:
                return {403}
            return "ok"
        if path.startswith("/api/v1/coach/"):
            return "ok" if is_coach else {403}
        if path == "/api/v1/me/delete":
            return {422}  # the wrong password: nothing deleted, but the route was reached
        if path == "/api/v1/invites/accept":
            return {422} if not is_coach else {403}
        return "ok"
    if path in ATHLETE_PAGES:
        if is_coach:
            return {403}
        if path == "/history/delete" and role == "other_athlete":
            return {404}  # the owner's entry is not in this athlete's log
        if "{job_id}" in path and role == "other_athlete":
            return {404}  # the owner's video job
        if (method, path) == ("POST", "/video"):
            return {422}  # no file uploaded
        if path == "/settings/push/subscribe":
            return {422}  # no subscription in the form: refused with a sentence
        if path == "/settings/reminders/test":
            return {422}  # no reminder channel chosen: the sentence says how
        if path.endswith("/annotated.png"):
            return {404}  # the owner's job (made in the test) has no picture
        if path == "/welcome/figures/{name}.svg":
            return {404}  # "trend" is a chart, not a figure of the first-run flow
        if (method, path) == ("POST", "/welcome/tests/{index}"):
            return {422}  # no rating chosen: the form says so
        return "ok"
    if path in COACH_PAGES:
        if not is_coach:
            return {403}
        if "{athlete_id}" in path and role == "other_coach":
            return {404}
        return "ok"
    if path in ANY_USER_PAGES:
        if path in ("/account/password", "/account/delete"):
            return {422}
        if path == "/account/invite":
            return {403} if is_coach else {422}
        return "ok"
    raise AssertionError(f"no expectation for {method} {path}: add it to test_web_authz.py")


def _owner_video_job(live: Any, athlete_id: int) -> int:
    """A finished video analysis of the owner's (no picture), for the /video/jobs routes."""
    from triplane.store import jobs
    from triplane.store.db import make_engine

    engine = make_engine(live.db_url)
    m = {"test": "seated_rotation", "motion": "internal_rotation", "side": "left",
         "degrees": 30.0, "confidence": 0.7, "active": True}  # fmt: skip
    with engine.begin() as conn:
        job_id = jobs.enqueue(conn, "video", {"path": "/gone.mp4", "test": "seated_rotation"},
                              athlete_id)  # fmt: skip
        jobs.finish(conn, job_id, {"test": "seated_rotation", "measurements": [m], "warnings": [],
                                   "annotated": None})  # fmt: skip
    engine.dispose()
    return job_id


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_every_role(live: Any, world: dict[str, Any], role: str) -> None:
    me, owner = world[role], world["owner"]
    job_id = _owner_video_job(live, owner["athlete_id"])
    seen = []
    for method, path in routes():
        want = expected(role, method, path)
        if want == "any":
            continue
        # a fresh entry of the owner's to delete, where the route needs one
        entry = "D1"
        if "{entry_id}" in path or path == "/history/delete":
            entry = (
                owner["client"]
                .post(f"/api/v1/athletes/{owner['athlete_id']}/logs", json={"drill": "pigeon"})
                .json()["id"]
            )
        url = (
            path.replace("{athlete_id}", str(owner["athlete_id"]))
            .replace("{job_id}", str(job_id))
            .replace("{drill_id}", "pigeon")
            .replace("{name}", "trend")
            .replace("{index}", "0")
            .replace("{entry_id}", entry)
        )
        if path.startswith("/api/"):
            r = me["client"].request(method, url, json=API_BODIES.get(path))
        elif method == "GET":
            r = me["pages"].get(url)
        else:
            form = {**PAGE_FORMS.get(path, {}), "csrf": me["csrf"]}
            if path == "/history/delete":
                form["entry"] = entry
            r = me["pages"].post(url, data=form)
        assert r.status_code < 500, f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
        if want == "ok":
            assert r.status_code < 400, f"{role} {method} {path}: {r.status_code} {r.text[:300]}"
        else:
            assert r.status_code in want, f"{role} {method} {path}: {r.status_code} not {want}"
            if r.status_code == 303 and role == "nobody":
                assert r.headers["location"] == "/login"
        seen.append((method, path))
    assert len(seen) > 40


def test_page_posts_need_the_csrf_token(live: Any, world: dict[str, Any]) -> None:
    owner = world["owner"]
    r = owner["pages"].post("/check-in", data={"pain": "0"})
    assert r.status_code == 403 and "expired" in r.text
    r = owner["pages"].post("/check-in", data={"pain": "0", "csrf": "forged"})
    assert r.status_code == 403
    # the API with only the session cookie (no bearer) needs the CSRF header too
    aid = owner["athlete_id"]
    r = owner["pages"].post(f"/api/v1/athletes/{aid}/logs", json={"drill": "pigeon"})
    assert r.status_code == 401 and "X-CSRF-Token" in r.json()["detail"]
    r = owner["pages"].post(
        f"/api/v1/athletes/{aid}/logs",
        json={"drill": "pigeon"},
        headers={"X-CSRF-Token": owner["csrf"]},
    )
    assert r.status_code == 201


def test_session_cookie_flags(live: Any) -> None:
    a = live.signup()
    c = live.client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"email": a["email"], "password": a["password"], "csrf": token})
    cookie = r.headers["set-cookie"]
    assert "tp_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    # over HTTPS (directly or through a proxy that says so) the cookie is also Secure: see
    # test_web_tls.py

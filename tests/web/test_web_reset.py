"""A forgotten password (issue 15): a single-use, expiring link e-mailed to the account holder
(a real SMTP server receives it and the test follows the link), nothing without e-mail but
the administrator's command, and no coach can reset an athlete's password any more."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from local_services import SmtpSink, body_of
from triplane.store import schema as t
from triplane.store.db import make_engine

LINK = re.compile(r"https://triplane\.example\.org/reset/([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIPLANE_PUBLIC_URL", "https://triplane.example.org")


def _csrf(c: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get(path).text).group(1)  # type: ignore[union-attr]


def _ask(live: Any, email: str) -> httpx.Response:
    c = live.client()
    return c.post("/forgot", data={"email": email, "csrf": _csrf(c, "/forgot")})


def _token(smtp: SmtpSink, n: int) -> str:
    msgs = smtp.wait(n)
    assert len(msgs) == n
    m = LINK.search(body_of(msgs[-1]))
    assert m, body_of(msgs[-1])
    return m.group(1)


def test_a_reset_link_by_e_mail_works_once(live: Any, smtp: SmtpSink) -> None:
    a = live.signup()
    r = _ask(live, a["email"])
    assert r.status_code == 200 and "a reset link is on its way" in r.text
    token = _token(smtp, 1)
    (msg,) = smtp.messages
    assert msg["To"] == a["email"] and msg["Subject"] == "Triplane: reset your password"
    c = live.client()
    page = c.get(f"/reset/{token}")
    assert page.status_code == 200 and "Choose a new password" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    csrf = _csrf(c, f"/reset/{token}")
    r = c.post(f"/reset/{token}", data={"new": "a new long one", "repeat": "other", "csrf": csrf})
    assert r.status_code == 422 and "differ" in r.text
    r = c.post(f"/reset/{token}", data={"new": "short", "repeat": "short", "csrf": csrf})
    assert r.status_code == 422 and "8 to" in r.text
    new = "violet kettle 4291 lantern"
    r = c.post(f"/reset/{token}", data={"new": new, "repeat": new, "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login?reset=done"
    assert "Your password is changed" in c.get("/login?reset=done").text
    with live.client() as x:
        old = x.post("/api/v1/auth/token", json={"email": a["email"], "password": a["password"]})
        assert old.status_code == 401
        ok = x.post("/api/v1/auth/token", json={"email": a["email"], "password": new})
        assert ok.status_code == 200
    assert a["client"].get("/api/v1/me").status_code == 401  # every session ended
    # used: the link works only once
    assert c.get(f"/reset/{token}").status_code == 404
    again = "cobalt fern 5502 ridge"
    r = c.post(f"/reset/{token}", data={"new": again, "repeat": again, "csrf": csrf})
    assert r.status_code == 422 and "unknown, used or expired" in r.text


def test_the_same_answer_for_an_unknown_address_and_no_mail_bombing(
    live: Any, smtp: SmtpSink
) -> None:
    r = _ask(live, "nobody-here@example.org")
    assert r.status_code == 200 and "If there is an account for nobody-here@example.org" in r.text
    a = live.signup()
    assert _ask(live, a["email"]).status_code == 200
    _token(smtp, 1)
    assert _ask(live, a["email"]).status_code == 200  # again at once: no second e-mail
    smtp.wait(2, timeout=1.5)
    assert len(smtp.messages) == 1


def test_an_expired_link_is_refused(live: Any, smtp: SmtpSink) -> None:
    a = live.signup()
    r = live.client().post("/api/v1/auth/password-reset", json={"email": a["email"]})
    assert r.status_code == 202 and "on its way" in r.json()["detail"]
    token = _token(smtp, 1)
    engine = make_engine(live.db_url)
    with engine.begin() as conn:
        conn.execute(update(t.password_resets).values(expires_at=datetime(2000, 1, 1)))
    engine.dispose()
    r = live.client().post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "password": "x" * 12}
    )
    assert r.status_code == 422 and "expired" in r.json()["detail"]


def test_the_api_confirms_with_the_token(live: Any, smtp: SmtpSink) -> None:
    a = live.signup()
    live.client().post("/api/v1/auth/password-reset", json={"email": a["email"]})
    token = _token(smtp, 1)
    c = live.client()
    confirm = "/api/v1/auth/password-reset/confirm"
    new = "orchid tram 7730 pebble"
    r = c.post(confirm, json={"token": token, "password": new})
    assert r.status_code == 200 and a["email"] in r.json()["detail"]
    ok = c.post("/api/v1/auth/token", json={"email": a["email"], "password": new})
    assert ok.status_code == 200
    r = c.post(confirm, json={"token": token, "password": "maple drum 1184 comet"})
    assert r.status_code == 422


def test_without_e_mail_only_the_admin_command_resets(
    live: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIPLANE_SMTP_URL", raising=False)
    a = live.signup()
    page = live.client().get("/forgot")
    assert page.status_code == 200 and "triplane user reset-password EMAIL" in page.text
    assert 'action="/forgot"' not in page.text
    r = _ask(live, a["email"])
    assert r.status_code == 409 and "cannot send e-mail" in r.text
    r = live.client().post("/api/v1/auth/password-reset", json={"email": a["email"]})
    assert r.status_code == 409 and "triplane user reset-password" in r.json()["detail"]
    engine = make_engine(live.db_url)
    with engine.begin() as conn:
        mine = t.password_resets.select().where(t.password_resets.c.user_id == a["id"])
        assert conn.execute(mine).first() is None
    engine.dispose()


def test_coaches_cannot_reset_an_athletes_password(live: Any) -> None:
    coach, a = live.signup("coach"), live.signup()
    live.link(coach, a)
    from test_web_authz import page_session

    pages, csrf = page_session(live, coach["email"], coach["password"])
    page = pages.get(f"/coach/athletes/{a['athlete_id']}")
    assert page.status_code == 200 and "reset" not in page.text.lower()
    r = pages.post(f"/coach/athletes/{a['athlete_id']}/reset", data={"csrf": csrf})
    assert r.status_code in (404, 405)
    r = coach["client"].post(f"/api/v1/athletes/{a['athlete_id']}/password-reset")
    assert r.status_code in (404, 405)
    assert a["client"].get("/api/v1/me").status_code == 200  # nothing happened to the athlete

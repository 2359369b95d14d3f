"""Reminders in the web app (issue 15): the Settings section, a browser's push subscription
saved per device (the payload decrypted with its private key), a test send that says what
happened per channel, and the in-process runner `triplane serve` uses on SQLite (the same
task bodies as procrastinate's workers)."""

from __future__ import annotations

import re
import time as _time
from datetime import datetime, time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from local_services import Browser, HttpSink, check_vapid
from triplane.store import schema as t
from triplane.store.db import make_engine
from triplane.usecases import tasks


def _pages(live: Any, a: dict[str, Any]) -> tuple[httpx.Client, str]:
    from test_web_authz import page_session

    return page_session(live, a["email"], a["password"])


def test_settings_subscribe_a_browser_and_send_a_test(live: Any, push: HttpSink) -> None:
    a = live.signup()
    pages, csrf = _pages(live, a)
    page = pages.get("/settings")
    assert page.status_code == 200 and 'id="reminders"' in page.text
    assert "/static/push.js" in page.text and "(not set up on this server)" in page.text
    key = pages.get("/settings/push/key").json()["key"]
    assert key == pages.get("/settings/push/key").json()["key"]  # made once, kept
    browser = Browser(f"{push.url}/push/phone")
    sub = browser.subscription()
    r = pages.post(
        "/settings/push/subscribe",
        data={"endpoint": sub["endpoint"], **sub["keys"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    page = pages.get("/settings").text
    assert "(1 device allowed)" in page
    assert re.search(r'value="push"\s+checked', page)  # allowing notifications turned them on
    r = pages.post("/settings/reminders/test", data={"csrf": csrf})
    assert r.status_code == 200 and 'id="reminder-test"' in r.text
    assert "<strong>push</strong>: sent" in r.text
    (req,) = push.received
    payload = browser.decrypt(req)
    assert payload["title"] == "Triplane: test reminder" and payload["url"] == "/today"
    assert payload["tag"].startswith("test:")
    check_vapid(req, key)
    # a bad subscription is refused with a sentence
    r = pages.post("/settings/push/subscribe", data={"endpoint": "nope", "csrf": csrf})
    assert r.status_code == 422 and "endpoint" in r.text
    # stop notifications on this device
    r = pages.post("/settings/push/unsubscribe", data={"endpoint": sub["endpoint"], "csrf": csrf})
    assert r.status_code == 200
    assert "(0 devices allowed)" in pages.get("/settings").text


def test_the_reminders_form_saves_and_refuses_bad_input(live: Any, ntfy: HttpSink) -> None:
    a = live.signup()
    pages, csrf = _pages(live, a)
    form = {"csrf": csrf, "channels_sent": "1", "channels": ["ntfy"], "lead_minutes": "10",
            "quiet_hours": "21:30-07:00", "ntfy_topic": "my-hips", "digest_sent": "1",
            "weekly_review": "1", "digest_time": "07:15"}  # fmt: skip
    r = pages.post("/settings/reminders", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/settings?reminders=saved#reminders"
    page = pages.get("/settings?reminders=saved").text
    assert "Reminder settings saved" in page and 'value="21:30-07:00"' in page
    assert 'value="my-hips"' in page and re.search(r'value="ntfy"\s+checked', page)
    r = pages.post("/settings/reminders", data={**form, "quiet_hours": "all night"})
    assert r.status_code == 422 and "quiet hours are like 21:00-08:00" in r.text.lower()
    assert 'value="21:30-07:00"' in pages.get("/settings").text  # nothing changed


def test_the_in_process_runner_runs_the_same_task_bodies(
    live: Any, ntfy: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the scheduler thread of `triplane serve` dispatches and sends, and retries a
    failed channel after a back-off (RETRY_WAIT, a second here)."""
    a = live.signup()
    pages, csrf = _pages(live, a)
    form = {"csrf": csrf, "channels_sent": "1", "channels": ["ntfy"], "ntfy_topic": "runner"}
    pages.post("/settings/reminders", data=form)
    day = datetime.now().date()
    aid = a["athlete_id"]
    plan = a["client"].get(f"/api/v1/athletes/{aid}/plan/day", params={"date": str(day)})
    slots = plan.json()["slots"]
    at = datetime.combine(day, time.fromisoformat(slots[-1]["start"]))
    monkeypatch.setattr(tasks, "RETRY_WAIT", 1)
    ntfy.status["/"] = 502  # down for the first try
    engine = make_engine(live.db_url)
    runner = tasks.LocalRunner(engine, tick=False)
    d = t.reminder_deliveries
    mine = select(d.c.status, d.c.attempts, d.c.detail).where(d.c.athlete_id == a["athlete_id"])
    try:
        runner.put("dispatch", {"url": live.db_url, "now": at.isoformat()})
        assert _until(lambda: [r for r in _rows(engine, mine) if r[0] != "sending"]), "no try"
        status, attempts, detail = _rows(engine, mine)[0]
        assert (status, attempts) == ("failed", 1) and "502" in detail
        ntfy.status.clear()  # back up: the retry gets through
        assert _until(lambda: ntfy.received, 15), "no retry"
        assert _until(lambda: _rows(engine, mine)[0][0] == "sent")
        assert _rows(engine, mine)[0][:2] == ("sent", 2)
    finally:
        runner.stop.set()
        runner.thread.join(5)
        engine.dispose()
    bodies = [b for b in ntfy.json_bodies() if b["topic"] == "runner"]
    assert len(bodies) == 1 and slots[-1]["drill"]["name"] in bodies[0]["title"]


def _rows(engine: Any, q: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(q).all())


def _until(check: Any, timeout: float = 10.0) -> bool:
    end = _time.time() + timeout
    while _time.time() < end:
        if check():
            return True
        _time.sleep(0.1)
    return False

"""The private calendar subscription URL over real HTTP: made through the API or the settings
page, read without logging in, revoked (then 404), and someone else's athlete id is 404."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest


def page_session(live: Any, email: str, password: str) -> tuple[httpx.Client, str]:
    c = live.client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"email": email, "password": password, "csrf": token})
    assert r.status_code == 303, r.text
    page = c.get("/account").text
    return c, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_subscription_url_create_fetch_revoke(live: Any) -> None:
    icalendar = pytest.importorskip("icalendar")
    owner, other = live.signup("athlete", "Owner"), live.signup("athlete", "Other")
    aid = owner["athlete_id"]
    api = f"/api/v1/athletes/{aid}/calendar-token"
    assert owner["client"].get(api).json()["active"] is False

    made = owner["client"].post(api)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith(live.url + "/calendar/") and url.endswith(".ics")
    assert made.json()["webcal_url"].startswith("webcal://")
    assert owner["client"].get(api).json()["active"] is True

    feed = httpx.get(url, timeout=30)  # no login
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert feed.headers["x-content-type-options"] == "nosniff"
    assert "private" in feed.headers["cache-control"]
    cal = icalendar.Calendar.from_ical(feed.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) > 20 and all(list(e.walk("VALARM")) for e in events)
    assert str(cal["x-wr-calname"]) == "Triplane: Owner"

    # someone else's athlete id answers 404, and changes nothing
    for method in ("GET", "POST", "DELETE"):
        assert other["client"].request(method, api).status_code == 404
    assert httpx.get(url, timeout=30).status_code == 200

    # a new URL replaces the old one
    newer = owner["client"].post(api).json()["url"]
    assert httpx.get(url, timeout=30).status_code == 404
    assert httpx.get(newer, timeout=30).status_code == 200

    gone = owner["client"].delete(api)
    assert gone.status_code == 200 and gone.json() == {"revoked": 1}
    assert httpx.get(newer, timeout=30).status_code == 404
    assert owner["client"].delete(api).json() == {"revoked": 0}  # revoking twice is fine
    for bad in ("nope", "x" * 300, "..%2F..%2Fetc"):
        r = httpx.get(f"{live.url}/calendar/{bad}.ics", timeout=30)
        assert r.status_code == 404, (bad, r.status_code)


def test_settings_page_buttons(live: Any) -> None:
    owner = live.signup("athlete", "Paula")
    pages, csrf = page_session(live, owner["email"], owner["password"])
    page = pages.get("/settings").text
    assert 'action="/settings/calendar"' in page
    assert 'action="/settings/calendar/revoke"' not in page  # nothing to revoke yet

    r = pages.post("/settings/calendar", data={"csrf": csrf})
    assert r.status_code == 200, r.text
    url = re.search(r'id="calendar-url" readonly value="([^"]+)"', r.text).group(1)
    assert httpx.get(url, timeout=30).status_code == 200
    assert 'action="/settings/calendar/revoke"' in pages.get("/settings").text

    assert pages.post("/settings/calendar/revoke", data={}).status_code == 403  # no CSRF token
    assert httpx.get(url, timeout=30).status_code == 200
    r = pages.post("/settings/calendar/revoke", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/settings?calendar=revoked"
    assert httpx.get(url, timeout=30).status_code == 404
    assert "was revoked" in pages.get("/settings?calendar=revoked").text

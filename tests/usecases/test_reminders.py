"""Reminders (issue 15) with real parts: an SMTP server receives the e-mail and the test reads
it, an HTTP server plays ntfy, another plays a browser's push service and the test decrypts
the payload with the subscription's private key and checks the VAPID JWT. Time is given with
`--now`, so nothing waits for the clock."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local_services import (
    Browser,
    HttpSink,
    SmtpSink,
    body_of,
    check_vapid,
)
from triplane.core import reminders as rules

MONDAY = date(2026, 12, 7)  # a work day (09:00-17:00) and a run day (18:00)


@pytest.fixture
def sam(cli: Any, db_url: str, push: HttpSink, monkeypatch: pytest.MonkeyPatch) -> Browser:
    """Sam, who works 09:00-17:00 on weekdays and runs at 18:00 on Mon/Wed/Fri, with every
    channel on and one browser subscribed."""
    monkeypatch.setenv("TRIPLANE_PUBLIC_URL", "https://triplane.example.org")
    assert cli("athlete", "add", "Sam", "--work-hours", "09:00-17:00", "--run-days",
               "mon,wed,fri", "--run-time", "18:00").code == 0  # fmt: skip
    r = cli("reminders", "set", "--channels", "push,email,ntfy", "--email", "sam@example.org",
            "--ntfy-topic", "sam-hips", "--no-weekly")  # fmt: skip
    assert r.code == 0, r.err
    browser = Browser(f"{push.url}/push/device-1")
    _subscribe(db_url, browser)
    return browser


def _subscribe(db_url: str, browser: Browser) -> None:
    from triplane.usecases.reminders import Reminders
    from triplane.usecases.service import open_service

    sub = browser.subscription()
    with open_service(db_url) as svc:
        Reminders(svc.conn, svc).subscribe(
            svc.athlete("Sam"), sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"]
        )


def _slots(cli: Any, day: date) -> list[dict[str, Any]]:
    return list(cli("plan", "day", "--date", day.isoformat(), "--json").json()["slots"])


def _run(cli: Any, at: datetime) -> list[dict[str, Any]]:
    r = cli("reminders", "run", "--once", "--now", at.isoformat(), "--json")
    assert r.code == 0, r.err
    return list(r.json())


def _public_key(db_url: str) -> str:
    from triplane.usecases.reminders import Reminders
    from triplane.usecases.service import open_service

    with open_service(db_url) as svc:
        return Reminders(svc.conn, svc).vapid()[1]


def test_a_snack_reminder_reaches_every_channel_once(
    cli: Any, db_url: str, sam: Browser, smtp: SmtpSink, ntfy: HttpSink, push: HttpSink
) -> None:
    slots = _slots(cli, MONDAY)
    first = slots[0]
    at = datetime.combine(MONDAY, time.fromisoformat(first["start"]))
    assert _run(cli, at - timedelta(minutes=1)) == []  # not yet
    sent = _run(cli, at)
    assert len(sent) == 1
    assert {c["channel"]: c["status"] for c in sent[0]["channels"]} == {
        "push": "sent", "email": "sent", "ntfy": "sent",
    }  # fmt: skip
    # e-mail: read by the SMTP server
    (msg,) = smtp.wait(1)
    assert msg["To"] == "sam@example.org" and "reminders@triplane.test" in msg["From"]
    assert first["drill"]["name"] in msg["Subject"] and first["start"] in msg["Subject"]
    text = body_of(msg)
    assert f"https://triplane.example.org/drills/{first['drill']['id']}?" in text
    # ntfy: the topic, the title and a click-through to the snack's timer
    (note,) = ntfy.json_bodies()
    assert note["topic"] == "sam-hips" and first["drill"]["name"] in note["title"]
    assert note["click"].startswith(f"https://triplane.example.org/drills/{first['drill']['id']}")
    assert note["click"].endswith("#timer")
    # Web Push: decrypted with the browser's private key, signed with the installation's key
    (req,) = push.received
    assert req.path == "/push/device-1" and int(req.headers["ttl"]) > 0
    payload = sam.decrypt(req)
    assert payload["title"] == note["title"]
    assert payload["url"].startswith(f"/drills/{first['drill']['id']}?minutes=")
    assert f"date={MONDAY.isoformat()}" in payload["url"] and payload["url"].endswith("#timer")
    claims = check_vapid(req, _public_key(db_url))
    assert claims["aud"] == push.url and claims["sub"].startswith("mailto:")
    assert claims["exp"] > datetime.now().timestamp()
    # the same minute again, and a later one inside the grace period: nothing is sent twice
    assert _run(cli, at) == []
    assert _run(cli, at + timedelta(minutes=5)) == []
    assert len(smtp.messages) == 1 and len(ntfy.received) == 1 and len(push.received) == 1
    log = cli("reminders", "log", "--json").json()
    assert {(x["channel"], x["status"]) for x in log} == {
        ("push", "sent"), ("email", "sent"), ("ntfy", "sent"),
    }  # fmt: skip


def test_a_day_of_reminders_skips_work_hours_and_a_snack_already_done(
    cli: Any, db_url: str, sam: Browser, smtp: SmtpSink, ntfy: HttpSink, push: HttpSink
) -> None:
    assert cli("reminders", "set", "--channels", "ntfy").code == 0
    slots = _slots(cli, MONDAY)
    expected = []
    for i, s in enumerate(slots):
        start = time.fromisoformat(s["start"])
        if i == 1:  # done early: no nudge for it
            assert cli("done", "--drill", s["drill"]["id"], "--date", MONDAY.isoformat(),
                       "--minutes", str(s["minutes"])).code == 0  # fmt: skip
            continue
        if not time(9) <= start < time(17):
            expected.append(s["drill"]["name"])
    minute = datetime.combine(MONDAY, time(5, 0))
    while minute.date() == MONDAY:  # every 10 minutes (inside the grace) of the day
        _run(cli, minute)
        minute += timedelta(minutes=10)
    titles = [n["title"] for n in ntfy.json_bodies()]
    assert [t.split(" ", 1)[1] for t in titles] == expected
    for t in titles:
        assert not time(9) <= time.fromisoformat(t.split(" ")[0]) < time(17)


def test_a_failed_channel_does_not_block_the_others_and_is_retried(
    cli: Any, db_url: str, sam: Browser, smtp: SmtpSink, ntfy: HttpSink, push: HttpSink
) -> None:
    first = _slots(cli, MONDAY)[0]
    at = datetime.combine(MONDAY, time.fromisoformat(first["start"]))
    ntfy.status["/"] = 503
    (sent,) = _run(cli, at)
    status = {c["channel"]: (c["status"], c["detail"]) for c in sent["channels"]}
    assert status["email"][0] == "sent" and status["push"][0] == "sent"
    assert status["ntfy"] == ("failed", "ntfy answered 503 Service Unavailable")
    log = {x["channel"]: x for x in cli("reminders", "log", "--json").json()}
    assert log["ntfy"]["status"] == "failed" and "503" in log["ntfy"]["detail"]
    # the next minute tries ntfy again (only ntfy), and it works now
    ntfy.status.clear()
    (again,) = _run(cli, at + timedelta(minutes=1))
    assert [c["channel"] for c in again["channels"] if c["status"] == "sent"] == ["ntfy"]
    assert len(smtp.messages) == 1 and len(push.received) == 1 and len(ntfy.received) == 1
    log = {x["channel"]: x for x in cli("reminders", "log", "--json").json()}
    assert log["ntfy"]["status"] == "sent" and log["ntfy"]["attempts"] == 2
    human = cli("reminders", "log").out
    assert "ntfy  sent (after 2 tries)" in human


def test_an_expired_push_subscription_is_removed(
    cli: Any, db_url: str, sam: Browser, push: HttpSink
) -> None:
    second = Browser(f"{push.url}/push/device-2")
    _subscribe(db_url, second)
    push.status["/push/device-1"] = 410
    assert cli("reminders", "set", "--channels", "push").code == 0
    first = _slots(cli, MONDAY)[0]
    (sent,) = _run(cli, datetime.combine(MONDAY, time.fromisoformat(first["start"])))
    (c,) = sent["channels"]
    assert c["status"] == "sent" and "expired (410)" in c["detail"]
    assert [r.path for r in push.received] == ["/push/device-2"]
    assert second.decrypt(push.received[0])["title"].endswith(first["drill"]["name"])
    shown = cli("reminders", "show", "--json").json()
    assert shown["push_devices"] == 1


def test_reminders_follow_the_plan_as_it_is_when_sent(
    cli: Any, db_url: str, sam: Browser, ntfy: HttpSink
) -> None:
    assert cli("reminders", "set", "--channels", "ntfy").code == 0
    day = MONDAY + timedelta(days=5)  # Saturday: no work, no run
    before = _slots(cli, day)
    old = datetime.combine(day, time.fromisoformat(before[0]["start"]))
    assert cli("athlete", "edit", "--wake", "08:00").code == 0  # a later morning moves snacks
    after = _slots(cli, day)
    new = datetime.combine(day, time.fromisoformat(after[0]["start"]))
    assert new > old + timedelta(minutes=30)
    assert _run(cli, old) == []
    (sent,) = _run(cli, new)
    assert ntfy.json_bodies()[0]["title"] == f"{after[0]['start']} {after[0]['drill']['name']}"
    assert sent["key"].startswith(f"snack:{day.isoformat()}:0:")


def test_lead_time_quiet_hours_digest_and_pause(
    cli: Any, db_url: str, sam: Browser, ntfy: HttpSink, smtp: SmtpSink
) -> None:
    day = MONDAY + timedelta(days=5)
    slots = _slots(cli, day)
    start = datetime.combine(day, time.fromisoformat(slots[1]["start"]))
    assert cli("reminders", "set", "--channels", "ntfy", "--lead", "20").code == 0
    assert _run(cli, start - timedelta(minutes=21)) == []
    assert len(_run(cli, start - timedelta(minutes=20))) == 1  # twenty minutes before
    assert _run(cli, start) == []
    # quiet hours over the next snack: nothing
    nxt = time.fromisoformat(slots[2]["start"])
    quiet = f"{(datetime.combine(day, nxt) - timedelta(hours=1)).strftime('%H:%M')}-" + (
        datetime.combine(day, nxt) + timedelta(hours=1)
    ).strftime("%H:%M")
    assert cli("reminders", "set", "--quiet", quiet, "--lead", "0").code == 0
    assert _run(cli, datetime.combine(day, nxt)) == []
    # the digest replaces the per-snack reminders: one e-mail with every snack
    assert cli("reminders", "set", "--channels", "email", "--digest", "--digest-time",
               "07:30", "--quiet", "none").code == 0  # fmt: skip
    sunday = day + timedelta(days=1)
    (d,) = _run(cli, datetime.combine(sunday, time(7, 30)))
    assert d["key"] == f"digest:{sunday.isoformat()}"
    text = body_of(smtp.wait(1)[0])
    for s in _slots(cli, sunday):
        assert f"{s['start']}  {s['drill']['name']}" in text
    second = time.fromisoformat(_slots(cli, sunday)[1]["start"])
    assert _run(cli, datetime.combine(sunday, second)) == []
    # a pause for N days
    r = cli("reminders", "set", "--pause-days", "400")
    assert r.code == 1 and "0 to 365" in r.err and len(r.err.splitlines()) == 1


def test_a_paused_programme_gets_one_gentle_clearance_note(
    cli: Any, db_url: str, sam: Browser, ntfy: HttpSink
) -> None:
    assert cli("reminders", "set", "--channels", "ntfy").code == 0
    day = date.today()
    assert cli("check-in", "--pain", "7").code == 0  # pain above 5 pauses the programme
    sent = []
    for h in range(5, 24):
        sent += _run(cli, datetime.combine(day, time(h, 0)))
        sent += _run(cli, datetime.combine(day, time(h, 40)))
    notes = ntfy.json_bodies()
    assert len(notes) == 1 and notes[0]["title"] == "Triplane: your programme is paused"
    assert "clinician" in notes[0]["message"] and sent[0]["key"].startswith("clearance:")
    tomorrow = day + timedelta(days=1)
    for h in range(6, 23):
        _run(cli, datetime.combine(tomorrow, time(h, 45)))
    assert len(ntfy.received) == 1  # at most once for this pause


def test_reminders_test_says_what_happened_on_each_channel(
    cli: Any, sam: Browser, smtp: SmtpSink, push: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRIPLANE_NTFY_URL", raising=False)
    r = cli("reminders", "test", "--json")
    assert r.code == 0, r.err
    out = {o["channel"]: o for o in r.json()}
    assert out["email"]["status"] == "sent" and out["push"]["status"] == "sent"
    assert out["ntfy"]["status"] == "failed"
    assert "TRIPLANE_NTFY_URL is unset" in out["ntfy"]["detail"]
    assert sam.decrypt(push.received[0])["title"] == "Triplane: test reminder"
    assert smtp.wait(1)[0]["Subject"] == "Triplane: test reminder"
    human = cli("reminders", "test").out
    assert "push: sent" in human and "ntfy: failed - not set up" in human


def test_bad_input_is_one_line_and_changes_nothing(cli: Any, sam: Browser) -> None:
    before = cli("reminders", "show", "--json").json()
    for args, words in (
        (["--channels", "sms"], "unknown channel 'sms'"),
        (["--lead", "500"], "0 to 120"),
        (["--quiet", "late"], "quiet hours are like"),
        (["--ntfy-topic", "a b"], "ntfy topic"),
        (["--digest-time", "7h"], "digest time"),
    ):
        r = cli("reminders", "set", *args)
        assert r.code == 1 and words in r.err and len(r.err.strip().splitlines()) == 1, r.err
    r = cli("reminders", "run", "--once", "--now", "yesterday")
    assert r.code == 1 and "--now is a date and time" in r.err
    assert cli("reminders", "show", "--json").json() == before


# ---- the rules, over generated days --------------------------------------------------------

clock = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def days(draw: Any) -> tuple[Any, ...]:
    wake = draw(clock)
    sleep = draw(clock.filter(lambda t: t != wake))
    work = draw(st.booleans())
    ws, we = draw(clock), draw(clock)
    window = rules.DayWindow(wake, sleep, ws if work else None, we if work else None)
    n = draw(st.integers(0, 8))
    snacks = [
        rules.SnackAt(i, draw(clock), f"d{i}", f"Drill {i}", draw(st.integers(1, 10)))
        for i in range(n)
    ]
    quiet = draw(st.booleans())
    prefs = rules.Prefs(
        channels=tuple(draw(st.sets(st.sampled_from(rules.CHANNELS)))),
        lead_minutes=draw(st.integers(0, 120)),
        quiet_start=draw(clock) if quiet else None,
        quiet_end=draw(clock) if quiet else None,
        digest=draw(st.booleans()),
        digest_time=draw(clock),
        weekly_review=draw(st.booleans()),
    )
    day = draw(st.dates(date(2026, 1, 1), date(2027, 12, 31)))
    return day, snacks, window, prefs


@settings(max_examples=300, deadline=None)
@given(days(), st.booleans())
def test_reminders_never_at_work_asleep_or_in_quiet_hours(d: Any, paused: bool) -> None:
    day, snacks, window, prefs = d
    out = rules.day_reminders(day, snacks, window, prefs, day if paused else None)
    keys = [r.key for r in out]
    assert len(keys) == len(set(keys))
    for r in out:
        assert r.at.date() == day
        assert rules.allowed(r.at.time(), window, prefs)
        m = r.at.hour * 60 + r.at.minute
        if window.work_start and window.work_end:
            assert not rules._inside(m, window.work_start, window.work_end)
    if not prefs.channels:
        assert out == []
    if paused:
        assert [r.kind for r in out] in ([], ["clearance"])
    elif prefs.digest:
        assert not [r for r in out if r.kind == "snack"]
        assert len([r for r in out if r.kind == "digest"]) <= 1
    for r in out:
        if r.kind == "snack":
            s = next(s for s in snacks if r.key.endswith(f":{s.index}:{s.drill_id}"))
            lead = min(prefs.lead_minutes, rules.MAX_LEAD_MINUTES)
            assert datetime.combine(day, s.start) - r.at == timedelta(minutes=lead)


@settings(max_examples=200, deadline=None)
@given(days(), st.integers(0, 24 * 60 - 1))
def test_a_reminder_is_due_in_one_stretch_of_minutes(d: Any, minute: int) -> None:
    day, snacks, window, prefs = d
    out = rules.day_reminders(day, snacks, window, prefs)
    now = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    for r in rules.due(out, now):
        assert r.at <= now < r.at + rules.GRACE
    assert json.dumps([r.key for r in out])
    paused = rules.Prefs(channels=("ntfy",), paused_until=day)
    assert rules.day_reminders(day, snacks, window, paused) == []


def test_plan_day_json_starts_without_the_reminder_and_queue_modules(db_url: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from triplane.cli import main; "
        f"main(['--db', {db_url!r}, 'athlete', 'add', 'Q']); "
        f"main(['--db', {db_url!r}, 'plan', 'day', '--json']); "
        "new = ('triplane.usecases.reminders', 'triplane.io.notify', 'triplane.usecases.tasks', "
        "'triplane.usecases.mail', 'procrastinate', 'pywebpush', 'py_vapid', "
        "'aiohttp', 'requests', 'smtplib', 'cryptography'); "
        "print([m for m in sys.modules if m.split('.')[0] in new or m in new], file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_the_weekly_review_goes_by_e_mail_on_mondays_only(
    cli: Any, sam: Browser, smtp: SmtpSink, ntfy: HttpSink, push: HttpSink
) -> None:
    assert cli("reminders", "set", "--weekly", "--digest-time", "07:10").code == 0
    (sent,) = _run(cli, datetime.combine(MONDAY, time(7, 10)))
    assert sent["key"] == f"weekly:{MONDAY.isoformat()}"
    assert [c["channel"] for c in sent["channels"]] == ["email"]
    (msg,) = smtp.wait(1)
    assert msg["Subject"] == "Triplane: your weekly review"
    text = body_of(msg)
    assert text.startswith("Weekly review for Sam")
    assert "https://triplane.example.org/history" in text
    assert ntfy.received == [] and push.received == []
    tuesday = MONDAY + timedelta(days=1)
    assert [x for x in _run(cli, datetime.combine(tuesday, time(7, 10)))
            if x["key"].startswith("weekly")] == []  # fmt: skip


def test_a_malformed_server_setting_is_a_reason_not_a_crash(
    cli: Any, sam: Browser, ntfy: HttpSink, push: HttpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIPLANE_SMTP_URL", "mail.example.org:25")
    out = {o["channel"]: o for o in cli("reminders", "test", "--json").json()}
    assert out["email"]["status"] == "failed"
    assert out["email"]["detail"].startswith("not set up: TRIPLANE_SMTP_URL is a URL like")
    assert out["ntfy"]["status"] == "sent" and out["push"]["status"] == "sent"


def test_deleting_an_athlete_deletes_their_reminders(
    cli: Any, db_url: str, sam: Browser, ntfy: HttpSink, push: HttpSink
) -> None:
    assert cli("reminders", "test").code == 0
    assert cli("athlete", "delete", "Sam", "--yes").code == 0
    from sqlalchemy import create_engine, func, select

    from triplane.store import schema as t

    engine = create_engine(db_url)
    with engine.connect() as conn:
        for table in t.REMINDER_TABLES:
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
    engine.dispose()


def test_the_clearance_note_goes_out_on_a_later_day_when_the_pause_began_at_night(
    cli: Any, sam: Browser, ntfy: HttpSink
) -> None:
    assert cli("reminders", "set", "--channels", "ntfy").code == 0
    assert cli("check-in", "--pain", "8").code == 0  # paused today (say, late in the evening)
    tomorrow = date.today() + timedelta(days=1)
    (sent,) = _run(cli, datetime.combine(tomorrow, time(6, 35)))  # wake 06:30
    assert sent["key"] == f"clearance:{date.today().isoformat()}"
    assert [c["status"] for c in sent["channels"]] == ["sent"]
    assert _run(cli, datetime.combine(tomorrow + timedelta(days=1), time(6, 35))) == []
    assert len(ntfy.received) == 1

"""Issue 14 §1 §4 §7 over real HTTP: the visitor's landing page, the Progress page (the report's
charts, byte for byte the same SVG as `triplane report`), the runner's own adherence, History by
day with names and a delete that never dead-ends, hashed + gzipped static files, HEAD."""

from __future__ import annotations

import gzip
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from test_web_authz import page_session

from triplane.core.progress import DayAdherence
from triplane.usecases.service import open_service
from triplane.web.assets import Assets
from triplane.web.progress_pages import CHARTS, consistency_words

API = "/api/v1"


def _session(live: Any, who: dict[str, Any]) -> tuple[Any, str]:
    return page_session(live, who["email"], who["password"])


def test_landing_page_for_visitors_and_today_for_users(live: Any) -> None:
    with live.client() as c:
        r = c.get("/")
        assert r.status_code == 200
        text = r.text
        for words in ("three planes", "Snacks through the day", "lunge matrix", "clinician"):
            assert words.lower() in text.lower(), words
        assert 'href="/signup"' in text and 'href="/login"' in text
    a = live.signup("athlete", "Lena")
    pages, _ = _session(live, a)
    r = pages.get("/")  # the first time: the first-run flow (test_web_onboarding.py)
    assert r.status_code == 303 and r.headers["location"] == "/welcome"
    pages.get("/welcome")
    r = pages.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/today"


def test_the_runner_sees_their_own_adherence(live: Any) -> None:
    a = live.signup("athlete", "Ada")
    url = f"{API}/athletes/{a['athlete_id']}/adherence"
    before = a["client"].get(url)
    assert before.status_code == 200, before.text
    assert before.json()["adherence"]["last_7_days"]["done_minutes"] == 0
    a["client"].post(
        f"{API}/athletes/{a['athlete_id']}/logs", json={"drill": "pigeon", "minutes": 4}
    )
    after = a["client"].get(url).json()
    assert after["adherence"]["last_7_days"]["done_minutes"] == 4
    assert after["adherence"]["last_28_days"]["done_minutes"] == 4
    assert "paused" in after["flags"]


def _some_history(a: dict[str, Any]) -> None:
    aid, c = a["athlete_id"], a["client"]
    c.post(
        f"{API}/athletes/{aid}/measurements",
        json={"motion": "internal_rotation", "side": "left", "degrees": 22},
    )
    c.post(f"{API}/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": 3, "discomfort": 2})
    c.post(
        f"{API}/athletes/{aid}/lunge/logs",
        json={"direction": "anterior", "reps": 5, "discomfort": 1, "balance": "ok"},
    )


def test_progress_page_shows_the_report_charts(live: Any) -> None:
    from triplane.report.charts import charts_for, ladder_labels, to_svg
    from triplane.usecases.progress import progress

    # a new runner: an invitation, not a "0 of 7"; no empty charts
    new = live.signup("athlete", "Neo")
    fresh, _ = _session(live, new)
    empty = fresh.get("/progress").text
    assert "A fresh start is one snack away" in empty
    assert not re.search(r">\s*0 of \d+", empty) and "/progress/trend.svg" not in empty
    a = live.signup("athlete", "Pia")
    _some_history(a)
    pages, _ = _session(live, a)
    r = pages.get("/progress")
    assert r.status_code == 200
    page = r.text
    assert re.search(r"1 of the last \d days with some mobility work", page)
    assert "The week in words" in page and "What was done" in page
    assert "`triplane" not in page  # no terminal commands on a web page
    assert re.search(r"Pigeon|Internal rotation", page)
    with open_service(live.db_url) as svc:
        athlete = svc.athlete_by_id(a["athlete_id"])
        prog = progress(svc, athlete)
        charts = charts_for(prog, ladder_labels(svc))
        report = {c.name: to_svg(c.figure, prefix=c.name) for c in charts}
    for name in CHARTS:
        assert f'src="/progress/{name}.svg"' in page
        img = pages.get(f"/progress/{name}.svg")
        assert img.status_code == 200 and img.headers["content-type"].startswith("image/svg+xml")
        assert "default-src 'none'" in img.headers["content-security-policy"]
        assert img.text == report[name], name  # the CLI report's chart, the same code path
        assert img.headers["content-encoding"] == "gzip"
        assert img.num_bytes_downloaded < len(img.content) / 3
    assert pages.get("/progress/nothing.svg").status_code == 404
    # a coach has no Progress page of their own
    coach = live.signup("coach", "Cora")
    cpages, _ = _session(live, coach)
    assert cpages.get("/progress").status_code == 403


def test_history_by_day_with_names_and_a_delete_that_never_dead_ends(live: Any) -> None:
    a = live.signup("athlete", "Hana")
    _some_history(a)
    pages, csrf = _session(live, a)
    page = pages.get("/history").text
    assert re.search(r'<h2 id="day-\d{4}-\d\d-\d\d" class="day-title">', page)
    assert "Pigeon stretch" in page and "Forward lunge" in page
    assert "internal rotation" in page.lower()
    assert ">pigeon:" not in page and "anterior:" not in page  # names, not ids
    entries = re.findall(r'name="entry" value="([A-Z]\d+)"', page)
    assert len(entries) == 3
    # deleting asks first: the button sits behind a closed <details>
    assert page.count('<details class="confirm">') == 3 and "Yes, delete it" in page
    r = pages.post("/history/delete", data={"entry": entries[0], "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"].startswith("/history?deleted=")
    after = pages.get(r.headers["location"]).text
    assert 'id="deleted"' in after and len(re.findall(r'name="entry" value=', after)) == 2
    # the same entry again: the History page with the sentence and the athlete's navigation
    again = pages.post("/history/delete", data={"entry": entries[0], "csrf": csrf})
    assert again.status_code == 404
    assert 'id="history-error"' in again.text and 'href="/today"' in again.text
    assert len(re.findall(r'name="entry" value=', again.text)) == 2
    bad = pages.post("/history/delete", data={"entry": "nonsense", "csrf": csrf})
    assert bad.status_code == 422 and "triplane log list" not in bad.text


def test_static_files_hashed_gzipped_and_cached(live: Any) -> None:
    a = live.signup("athlete", "Sina")
    pages, _ = _session(live, a)
    page = pages.get("/today").text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {u.split("/")[-1].split(".")[0] for u in urls} >= {"pico", "app", "htmx"}
    static = Path(__file__).resolve().parents[2] / "src" / "triplane" / "web" / "static"
    with live.client() as c:
        for u in urls:
            assert re.search(r"\.[0-9a-f]{10}\.", u), u
            r = c.get(u, headers={"Accept-Encoding": "gzip"})
            assert r.status_code == 200, u
            assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
            plain = u.removeprefix("/static/")
            plain = re.sub(r"\.[0-9a-f]{10}\.", ".", plain)
            if plain.endswith((".css", ".js")):
                assert r.headers["content-encoding"] == "gzip", u
                raw = c.get(u, headers={"Accept-Encoding": "identity"})
                assert "content-encoding" not in raw.headers
                assert raw.content == (static / plain).read_bytes()
                assert r.num_bytes_downloaded < raw.num_bytes_downloaded / 2, u  # compressed
            etag = r.headers["etag"]
            assert c.get(u, headers={"If-None-Match": etag}).status_code == 304
        # the plain name still answers (the manifest's icons), but must be revalidated
        icon = c.get("/static/icons/icon-192.png")
        assert icon.status_code == 200 and "no-cache" in icon.headers["cache-control"]
        assert c.get("/static/nothing.css").status_code == 404
        assert c.get("/static/app.0123456789.css").status_code == 404
        # the service worker keeps the hashed files, and they all answer
        sw = c.get("/sw.js").text
        kept = re.findall(r'"(/static/[^"]+)"', sw)
        assert kept and all(re.search(r"\.[0-9a-f]{10}\.", k) for k in kept)
        assert all(c.get(k).status_code == 200 for k in kept)
        assert "triplane-static-v1" not in sw


def test_a_changed_file_gets_a_new_name(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body{}" * 200)
    first = Assets(tmp_path).url("a.css")
    (tmp_path / "a.css").write_text("body{color:red}" * 200)
    second = Assets(tmp_path)
    assert second.url("a.css") != first and second.url("a.css").startswith("/static/a.")
    assert gzip.decompress(second.by_path["a.css"].gz or b"") == (tmp_path / "a.css").read_bytes()


def test_head_works_on_pages(live: Any) -> None:
    a = live.signup("athlete", "Hedda")
    pages, _ = _session(live, a)
    with live.client() as c:
        for path, status in (("/", 200), ("/login", 200), ("/nowhere", 404), ("/today", 303)):
            r = c.head(path)
            assert r.status_code == status and r.content == b"", path
    for path in ("/today", "/progress", "/history", "/drills/pigeon"):
        got, head = pages.get(path), pages.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == got.headers["content-type"]


def test_video_nav_only_when_video_measurement_is_installed(live: Any) -> None:
    from triplane.usecases.video import vision_missing

    a = live.signup("athlete", "Vic")
    pages, _ = _session(live, a)
    assert ('href="/video"' in pages.get("/today").text) == (vision_missing() is None)


@st.composite
def _days(draw: Any) -> tuple[list[DayAdherence], date]:
    today = date(2026, 3, 1) + timedelta(days=draw(st.integers(0, 400)))
    n = draw(st.integers(0, 40))
    out = []
    for i in range(n):
        state = draw(st.sampled_from(["planned", "planned", "away", "paused"]))
        planned = draw(st.sampled_from([0.0, 10.0, 15.0]))
        done = draw(st.sampled_from([0.0, 0.0, 0.5, 3.0, 12.0]))
        out.append(DayAdherence(today - timedelta(days=n - 1 - i), planned, done, state))
    if out:
        last = out[-1]
        out[-1] = DayAdherence(last.date, last.planned, last.done, "today")
    return out, today


@settings(max_examples=200, deadline=None)
@given(_days(), st.sampled_from([7, 28]))
def test_consistency_is_counted_honestly_and_never_shames(
    data: tuple[list[DayAdherence], date], window: int
) -> None:
    days, today = data
    active, counted, sentence = consistency_words(days, today, window)
    in_window = [d for d in days if today - timedelta(days=window - 1) <= d.date <= today]
    assert counted == sum(1 for d in in_window if d.state in ("planned", "today"))
    assert active == sum(1 for d in in_window if d.state in ("planned", "today") and d.active)
    assert 0 <= active <= counted <= window
    if active:
        assert sentence.startswith(f"{active} of the last {counted} days")
    for word in ("missed", "failed", "broke", "lost", "only", "should"):
        assert word not in sentence.lower()
    assert not re.match(r"0 of", sentence)  # never "0 of 7"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(date(2026, 1, 1), date(2026, 3, 1)), st.sampled_from("MDLCAE")),
        max_size=40,
    )
)
def test_history_groups_every_entry_once_newest_day_first(rows: list[tuple[date, str]]) -> None:
    from triplane.web.pages import group_by_day

    # as the service lists them: sorted by (date, id)
    entries = sorted(
        ({"id": f"{k}{i}", "date": d.isoformat()} for i, (d, k) in enumerate(rows)),
        key=lambda e: (e["date"], e["id"]),
    )
    days = group_by_day(entries)
    flat = [e for _, es in days for e in es]
    assert flat == list(reversed(entries))  # every entry once, newest first
    dates = [d for d, _ in days]
    assert dates == sorted(set(dates), reverse=True)  # one group per day, newest day first
    assert all(e["date"] == d.isoformat() for d, es in days for e in es)

"""The Progress page: the report's charts (the same `charts_for` -> `to_svg` path as
`triplane report`), consistency framed as "N of the last 7 days", this week's minutes per motion
against the plan, and the weekly review in words.

The charts are SVG images served from `/progress/{name}.svg` (the page's CSP forbids the inline
styles matplotlib writes); one snapshot per athlete and data version makes the page and its
images, kept in the plan cache, so the images cost nothing after the page.
"""

from __future__ import annotations

import gzip
import re
import threading
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from triplane.core.anatomy import MOTION_LABEL, MOTIONS
from triplane.core.progress import monday, recent_days
from triplane.usecases.accounts import Accounts
from triplane.usecases.service import Athlete
from triplane.web import security
from triplane.web.deps import ctx
from triplane.web.pages import need_athlete, render

router = APIRouter(include_in_schema=False)

# the charts shown, in page order (the report's mobility map is on the Hips page)
CHARTS = ("trend", "consistency", "motion_minutes", "lunge_levels")
CAPTIONS = {
    "trend": "Each motion and side over time; the shaded band is the test's measurement error, "
    "so a change inside it may be noise.",
    "consistency": "Weeks across, days down; darker means more of the day's plan was done.",
    "motion_minutes": "Minutes per motion per week: bars done, outline planned.",
    "lunge_levels": "Each lunge direction's step on each variable, session by session "
    "(darker is harder); the last column is the next session.",
}
_RENDER = threading.Lock()
_CLI = re.compile(r"\s*\(`triplane [^`]*`\)|:?\s*`triplane [^`]*`")


def consistency_words(days: list[Any], today: date, window: int) -> tuple[int, int, str]:
    """(days with some mobility work, days counted, the sentence) over the last `window` days up
    to today. Away and paused days are not counted; the sentence never scolds."""
    active, n = recent_days(days, today, window)
    if n == 0:
        return 0, 0, f"No planned days in the last {window} days (away or paused): none counted."
    if active == 0:
        return 0, n, "A fresh start is one snack away: a few minutes today count."
    return active, n, f"{active} of the last {n} days with some mobility work."


def _snapshot(acc: Accounts, a: Athlete) -> dict[str, Any]:
    from triplane.report.charts import charts_for, ladder_labels, to_svg
    from triplane.report.review import build_review
    from triplane.usecases.progress import progress

    prog = progress(acc.svc, a)
    review = build_review(prog)
    with _RENDER:  # matplotlib's rc_context swaps global settings: one rendering at a time
        svgs = {
            c.name: (c, to_svg(c.figure, prefix=c.name))
            for c in charts_for(prog, ladder_labels(acc.svc))
            if c.name in CHARTS
        }
    charts = {  # 80-120 KB of SVG each, a fifth of that gzipped
        name: {
            "title": c.title,
            "alt": c.alt,
            "svg": svg,
            "gz": gzip.compress(svg.encode("utf-8"), mtime=0),
        }
        for name, (c, svg) in svgs.items()
    }
    days = list(prog.days)
    week = monday(prog.as_of)
    this_week = {w.motion: w for w in prog.motion_weeks if w.week == week}
    minutes = []
    for m in MOTIONS:
        w = this_week.get(m)
        planned, done = (w.planned, w.done) if w else (0.0, 0.0)
        minutes.append(
            {
                "motion": m,
                "label": MOTION_LABEL[m].capitalize(),
                "planned": round(planned),
                "done": round(done),
                "status": w.status if w else "unknown",
            }
        )
    names = {d.id: d.name for d in acc.svc.catalogue.lunge.directions}

    def words(line: str) -> str:  # no terminal commands, and lunge directions by name
        line = _CLI.sub("", line)
        if line.startswith("Lunge matrix:"):
            line = re.sub(r"\b\w+\b", lambda m: names.get(m.group(0), m.group(0)), line)
        return line

    sections = [
        {"heading": s.heading, "lines": [words(x) for x in s.lines]} for s in review.sections
    ]
    return {
        "week7": consistency_words(days, prog.as_of, 7),
        "week28": consistency_words(days, prog.as_of, 28),
        "minutes": minutes,
        "week_start": week,
        "review": sections,
        "charts": charts,
        "order": CHARTS,
        "captions": CAPTIONS,
        "has_history": prog.has_history,
    }


def snapshot(request: Request, acc: Accounts, a: Athlete) -> dict[str, Any]:
    return ctx(request).plans.derived(  # type: ignore[no-any-return]
        "progress", acc, a, a.today(), lambda: _snapshot(acc, a)
    )


@router.get("/progress")
def progress_page(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        data = snapshot(request, acc, a)
    return render(request, "progress.html", user, **data)


@router.get("/progress/{name}.svg")
def progress_chart(request: Request, name: str) -> Response:
    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        if name not in CHARTS:
            return Response("no such chart", 404, media_type="text/plain")
        chart = snapshot(request, acc, a)["charts"][name]
    headers = {
        "Content-Security-Policy": security.SVG_CSP,
        "Cache-Control": "private, no-cache",
        "Vary": "Accept-Encoding",
    }
    body = chart["svg"].encode("utf-8")
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = chart["gz"], "gzip"
    return Response(body, media_type="image/svg+xml", headers=headers)

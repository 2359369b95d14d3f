"""The follow-along timer's data (issue 14 §3): what the drill page and the routine page hand
to app.js. One snack is one item; a routine is the day's remaining snacks as a list of items.

An item's dose is `core.dose.fit(drill dose, snack minutes)`, the dose the Today card shows
(`Slot.prescribed`), and its phases are `core.dose.phases` of that dose: the timer never builds
its own. The figure's timing (`figures.svg.timing`) lets the page move the drawing with the
phases (to the end range and back on each rep, held on a hold, the other side on a switch).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import Any
from urllib.parse import urlencode

from triplane.core import dose as doses
from triplane.core.catalogue.model import Catalogue, Dose, Drill
from triplane.web import security


def figure_timing(drill_id: str) -> dict[str, Any] | None:
    """The figure's loop timing, or None when figures are not installed or it fails."""
    try:
        from triplane.figures.svg import timing
    except ImportError:
        return None
    try:
        return timing(drill_id)
    except Exception:  # noqa: BLE001 - a missing figure must never break the timer
        return None


def prescribed(drill: Drill, minutes: float | None) -> Dose:
    """The snack's dose: the catalogue dose fitted to the snack's minutes (as the plan does)."""
    return doses.fit(drill.dose, minutes) if minutes is not None else drill.dose


def timer_item(
    drill: Drill,
    minutes: float | None,
    day: date | None,
    client_id: str,
    side: str | None = None,
) -> dict[str, Any]:
    """One snack for the timer: its dose in words, the phases, where its figures are."""
    p = prescribed(drill, minutes)
    href = f"/drills/{drill.id}"
    if minutes is not None:  # the Today card's link: the same snack, the same dose
        query: dict[str, str] = {"minutes": f"{minutes:g}"}
        if day:
            query["date"] = day.isoformat()
        query["client_id"] = client_id
        if side in ("left", "right"):
            query["side"] = str(side)
        href += "?" + urlencode(query)
    fig = figure_timing(drill.id)
    if fig is not None:
        base = f"/drills/{drill.id}/figure.svg"
        if fig["sided"]:  # the right side is the figure mirrored
            fig = {**fig, "left": base + "?side=left", "right": base + "?side=right"}
        else:
            fig = {**fig, "left": base, "right": base}
    return {
        "drill": drill.id,
        "name": drill.name,
        "href": href,
        "doseText": doses.text(p),
        "side": side if side in ("left", "right") else None,
        "phases": [ph.as_dict() for ph in doses.phases(p)],
        "seconds": round(doses.seconds(p)),
        "minutes": minutes if minutes is not None else drill.dose.minutes,
        "date": day.isoformat() if day else None,
        "clientId": client_id,
        "cue": drill.cues[0] if drill.cues else "",
        "figure": fig,
    }


def slot_item(cat: Catalogue, slot: dict[str, Any], day: date) -> dict[str, Any]:
    """A Today slot (the plan's JSON plus Today's index and client id) as a timer item."""
    side = slot["side"] if slot["side"] != "both" else None
    return timer_item(
        cat.drills[slot["drill"]["id"]], slot["minutes"], day, slot["client_id"], side
    )


def _figure_style_hash() -> str | None:
    try:
        from triplane.figures.svg import STYLE
    except ImportError:
        return None
    digest = hashlib.sha256(STYLE.encode()).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def _timer_csp() -> str:
    """The site's CSP, plus the one <style> the figures carry: the timer page puts the figure
    in the page (so it can set the drawing's clock) and nothing else inline is allowed."""
    style = _figure_style_hash()
    if style is None:
        return security.CSP
    assert "style-src 'self';" in security.CSP
    return security.CSP.replace("style-src 'self';", f"style-src 'self' {style};")


TIMER_CSP = _timer_csp()

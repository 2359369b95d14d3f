"""Issue 12 §5 over real HTTP: the Today card, the drill page and the timer run one dose."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from typing import Any

from test_web_authz import page_session

from triplane.core import dose as doses
from triplane.core.catalogue import load_catalogue


def test_today_card_drill_page_and_timer_show_the_same_dose(live: Any) -> None:
    a = live.signup()
    c, _ = page_session(live, a["email"], a["password"])
    day = "2026-12-01"
    plan = a["client"].get(f"/api/v1/athletes/{a['athlete_id']}/plan/day", params={"date": day})
    slots = plan.json()["slots"]
    assert slots
    today = c.get("/today", params={"date": day}).text
    links = re.findall(r'href="(/drills/[^"]+)"', today)
    assert links
    cat = load_catalogue()
    for slot in slots:
        card = f"{slot['minutes']} min · {slot['context'].replace('_', ' ')} · "
        card += f'<span class="snack-dose">{html.escape(slot["dose"], quote=False)}</span>'
        assert card in today
        link = next(
            html.unescape(u) for u in links
            if f"/drills/{slot['drill']['id']}?minutes={slot['minutes']}&" in html.unescape(u)
        )  # fmt: skip
        page = c.get(link).text
        assert html.escape(slot["dose"], quote=False) in page or slot["dose"] in page
        timer = json.loads(html.unescape(re.search(r"data-timer='([^']+)'", page).group(1)))
        [timer] = timer["items"]
        fitted = doses.fit(cat.drills[slot["drill"]["id"]].dose, slot["minutes"])
        assert timer["phases"] == [p.as_dict() for p in doses.phases(fitted)]
        assert sum(p["secs"] for p in timer["phases"]) <= slot["minutes"] * 60
        assert timer["seconds"] == slot["dose_detail"]["seconds"]
    bad = c.get(f"/drills/{slots[0]['drill']['id']}", params={"minutes": "-3"})
    assert 400 <= bad.status_code < 500


def test_the_timer_page_allows_only_the_figures_style_and_mirrors_on_request(live: Any) -> None:
    """The figure goes in the page (so the timer can set its clock): the page's CSP allows that
    one <style> by its hash, nothing else inline; the right side is the mirrored drawing."""
    from triplane.figures.svg import STYLE

    a = live.signup()
    c, _ = page_session(live, a["email"], a["password"])
    page = c.get("/drills/half_kneeling_hip_flexor", params={"minutes": "2"})
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in csp
    left = c.get("/drills/half_kneeling_hip_flexor/figure.svg", params={"side": "left"})
    right = c.get("/drills/half_kneeling_hip_flexor/figure.svg", params={"side": "right"})
    assert left.status_code == right.status_code == 200
    assert "(left side)" in left.text and "(right side)" in right.text
    assert f"<style>{STYLE}</style>" in right.text  # the hashed text, byte for byte
    bad = c.get("/drills/half_kneeling_hip_flexor/figure.svg", params={"side": "up"})
    assert bad.status_code == 400
    routine = c.get("/today/routine")
    assert routine.status_code == 200 and routine.headers["content-security-policy"] == csp

"""axe-core (vendored from npm: tests/web/vendor/) on every page a visitor, an athlete and a
coach can reach, at phone (390x844) and desktop size, in light and dark: 0 serious or critical
violations. One browser for the session, one page per person, re-sized and re-coloured in place.

Screenshots of the pages issue 14 changed, in all four looks, go to build/screenshots/web (or
$TRIPLANE_SCREENSHOTS_DIR)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_web_browser import DESKTOP, PHONE, check_page  # skips without chromium/Playwright

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
LOOKS = (("phone", PHONE, "light"), ("phone", PHONE, "dark"),
         ("desktop", DESKTOP, "light"), ("desktop", DESKTOP, "dark"))  # fmt: skip
RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' -> '
         + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '')
             .replace(/\\s+/g, ' ').slice(0, 160)).join(' | '));
}"""
BIGGEST_HEADING = """() => {
  const hs = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .filter(h => h.offsetParent !== null);
  const size = h => parseFloat(getComputedStyle(h).fontSize);
  const h1 = size(document.querySelector('h1'));
  const bigger = hs.filter(h => h.tagName !== 'H1' && size(h) > h1);
  return bigger.length ? bigger[0].tagName + ' ' + bigger[0].textContent.slice(0, 40) : 'H1';
}"""
SHOOT = {"landing", "progress", "progress-empty", "history", "history-confirm", "drill"}


def _page(browser: Any, live: Any) -> Any:
    ctx = browser.new_context(
        base_url=live.url, viewport=PHONE, timezone_id="Europe/Zurich", reduced_motion="reduce"
    )  # no colour transitions half-way when the scheme changes
    return ctx.new_page()


def _login(page: Any, who: dict[str, Any]) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _check(
    page: Any, name: str, found: dict[str, list[str]], shots: Path, shoot: bool = False
) -> None:
    """axe in all four looks (the page is loaded once), screenshots of changed pages; and every
    control labelled, one h1, no heading larger than it."""
    page.mouse.move(0, 0)  # no control left in its hover colour by the last click or swap
    check_page(page)
    for size, viewport, scheme in LOOKS:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme)
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE)
        big = page.evaluate(BIGGEST_HEADING)
        if big != "H1":
            found.setdefault(f"a heading larger than the page title: {big}", []).append(
                f"{name} {size} {scheme}"
            )
        for v in page.evaluate(RUN):
            found.setdefault(v, []).append(f"{name} {size} {scheme}")
        if shoot or name in SHOOT:
            suffix = "" if scheme == "light" else "-dark"
            page.screenshot(path=str(shots / f"{name}-{size}{suffix}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(PHONE)


def _visit(page: Any, path: str, name: str, found: dict[str, list[str]], shots: Path) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    _check(page, name, found, shots)


def _history(live: Any, a: dict[str, Any]) -> None:
    aid, c = a["athlete_id"], a["client"]
    for motion, side, deg in (("internal_rotation", "left", 22), ("internal_rotation", "right", 36),
                              ("flexion", "left", 112), ("flexion", "right", 118)):  # fmt: skip
        c.post(f"/api/v1/athletes/{aid}/measurements",
               json={"motion": motion, "side": side, "degrees": deg})  # fmt: skip
    c.post(f"/api/v1/athletes/{aid}/logs", json={"drill": "pigeon", "minutes": 4, "discomfort": 2})
    c.post(
        f"/api/v1/athletes/{aid}/lunge/logs",
        json={"direction": "anterior", "reps": 5, "discomfort": 1, "balance": "ok"},
    )
    c.post(f"/api/v1/athletes/{aid}/check-ins", json={"pain": 1})


def test_every_page_passes_axe(browser: Any, live: Any, screenshot_dir: Path) -> None:
    found: dict[str, list[str]] = {}
    # a visitor
    page = _page(browser, live)
    for path, name in (("/", "landing"), ("/login", "login"), ("/signup", "signup"),
                       ("/offline", "offline"), ("/nowhere", "not-found")):  # fmt: skip
        _visit(page, path, name, found, screenshot_dir)
    # axe really ran: the contrast rule checked the page's text (here, and so everywhere)
    ran = page.evaluate(
        "async () => (await axe.run(document)).passes.map(p => p.id + ':' + p.nodes.length)"
    )
    assert any(r.startswith("color-contrast:") and not r.endswith(":0") for r in ran), ran
    page.goto("/login")
    page.get_by_label("E-mail").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    _check(page, "login-error", found, screenshot_dir)
    page.context.close()

    # a new athlete: the empty states first
    fresh = live.signup("athlete", "Nina New")
    page = _page(browser, live)
    _login(page, fresh)
    _visit(page, "/progress", "progress-empty", found, screenshot_dir)
    _visit(page, "/history", "history-empty", found, screenshot_dir)
    page.context.close()

    # an athlete with some history
    a = live.signup("athlete", "Sam Runner")
    _history(live, a)
    page = _page(browser, live)
    _login(page, a)
    for path, name in (
        ("/today", "today"), ("/assess", "assess-step"), ("/assess/profile", "profile"),
        ("/drills", "drills"), ("/drills/pigeon", "drill"), ("/lunge", "lunge"),
        ("/check-in", "check-in"), ("/settings", "settings"), ("/history", "history"),
        ("/progress", "progress"), ("/account", "account"), ("/video", "video"),
    ):  # fmt: skip
        _visit(page, path, name, found, screenshot_dir)
    # states: a delete being confirmed, a lunge session logged
    page.goto("/history")
    page.locator("details.confirm summary").first.click()
    _check(page, "history-confirm", found, screenshot_dir)
    page.goto("/lunge")
    page.locator("input[name$=_reps]").first.fill("5")
    for reps in page.locator("input[name$=_reps]").all():  # each is filled in with its reps
        direction = (reps.get_attribute("name") or "").removesuffix("_reps")
        page.locator(f"input[name={direction}_discomfort]").fill("1")  # required with reps
        page.locator(f"select[name={direction}_balance]").select_option("ok")
    page.get_by_role("button", name="Log the session").click()
    page.wait_for_selector("#next-time")
    _check(page, "lunge-done", found, screenshot_dir)

    # a coach, linked to the athlete
    coach = live.signup("coach", "Alex Coach")
    live.link(coach, a)
    cpage = _page(browser, live)
    _login(cpage, coach)
    _visit(cpage, "/coach", "coach", found, screenshot_dir)
    cpage.get_by_role("button", name="Create an invite code").click()
    cpage.wait_for_selector("#new-code")
    _check(cpage, "coach-invite", found, screenshot_dir)
    _visit(cpage, f"/coach/athletes/{a['athlete_id']}", "coach-athlete", found, screenshot_dir)
    _visit(cpage, "/account", "coach-account", found, screenshot_dir)
    page.context.close()
    cpage.context.close()
    report = "\n".join(f"{v}\n    on {', '.join(sorted(set(where)))}" for v, where in found.items())
    if found:
        (screenshot_dir / "axe-report.txt").write_text(report + "\n", encoding="utf-8")
    assert not found, f"axe: serious or critical violations\n{report}"


def test_axe_is_vendored_not_fetched() -> None:
    vendor = Path(__file__).parent / "vendor"
    assert re.search(r"axe v\d+\.\d+\.\d+", AXE[:400])
    assert (vendor / "axe-core.LICENSE").read_text().startswith("Mozilla Public License")

"""Real-browser tests (Playwright driving Debian's chromium): sign-up, the assessment wizard, a
snack done with the guided timer, a lunge session, offline logging sent once, and a coach
seeing the athlete's adherence. Screenshots of every page at phone and desktop width go to
docs/screenshots/web/ (look at them before calling a page done)."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it with apt "
        "when run as root: apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")


UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
    .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
    .filter(el => !((el.labels && el.labels.length) || el.getAttribute('aria-label')
                    || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map(el => el.outerHTML.slice(0, 80))"""


def check_page(page: Any) -> None:
    """Every control has a label, there is one h1, and the language is set."""
    assert page.evaluate(UNLABELLED) == [], page.url
    assert page.locator("h1").count() == 1, page.url
    assert page.locator("html").get_attribute("lang") == "en"


def shoot(page: Any, folder: Path, name: str) -> None:
    """The page at phone width (full height), then at desktop width."""
    check_page(page)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)


def new_page(browser: Any, live: Any) -> Any:
    ctx = browser.new_context(base_url=live.url, viewport=PHONE, timezone_id="Europe/Zurich")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def sign_up(page: Any, role: str, name: str, folder: Path | None = None) -> tuple[str, str]:
    email, password = f"{role}-{uuid.uuid4().hex[:8]}@example.org", "a long passphrase"
    page.goto("/signup")
    if folder is not None:
        shoot(page, folder, "signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("a coach" if role == "coach" else "a runner (athlete)").check()
    page.get_by_role("button", name="Sign up").click()
    return email, password


def log_done(card: Any, discomfort: int) -> None:
    """Today's one tap: "Done", then the discomfort on the compact 0-10 control, "Log it"."""
    card.locator("summary", has_text="Done").click()
    card.locator("fieldset.discomfort label", has_text=re.compile(rf"^{discomfort}$")).click()
    card.get_by_role("button", name="Log it").click()


def log_timer(page: Any, discomfort: int) -> None:
    """The timer's finish step: discomfort, "Log it"."""
    timer = page.locator("#timer-finish")
    timer.locator("label", has_text=re.compile(rf"^{discomfort}$")).click()
    timer.get_by_role("button", name="Log it").click()


def csp_errors(page: Any) -> list[str]:
    return [e for e in page.js_errors if "Content Security Policy" in e or "Refused" in e]


def test_athlete_journey_and_coach(browser: Any, live: Any, screenshot_dir: Path) -> None:
    page = new_page(browser, live)
    page.goto("/login")
    shoot(page, screenshot_dir, "login")
    sign_up(page, "athlete", "Sam Runner", screenshot_dir)

    # the assessment wizard, one test at a time (after the first-run flow's intro)
    page.wait_for_url("**/welcome")
    page.goto("/assess")
    shoot(page, screenshot_dir, "assess-step")
    page.get_by_label("Degrees").first.fill("110")
    page.locator("#right_value").fill("118")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/assess?step=1")
    page.locator("#left_rating").select_option("1")  # extension by eye, graded self-rating
    page.locator("#right_rating").select_option("2")
    page.get_by_role("button", name="Save and continue").click()
    for step in range(2, 6):
        page.wait_for_url(f"**/assess?step={step}")
        if step == 4:  # internal rotation: left clearly restricted
            page.locator("#left_value").fill("18")
            page.locator("#right_value").fill("38")
            page.get_by_role("button", name="Save and continue").click()
        else:
            page.get_by_role("button", name="Skip this test").click()
    page.wait_for_url("**/assess/profile")
    assert page.get_by_role("heading", name="Priorities").is_visible()
    assert "Internal rotation" in page.locator("ol").first.inner_text()
    shoot(page, screenshot_dir, "profile")

    # Today: the next snack is highlighted
    page.goto("/today")
    shoot(page, screenshot_dir, "today")
    nxt = page.locator("li.snack.next")
    assert nxt.count() == 1
    drill_name = nxt.locator(".snack-name").inner_text()

    # a snack done with the guided timer (sped up for the test)
    href = nxt.locator(".snack-name").get_attribute("href")
    page.goto(href + "&speed=200")
    assert page.get_by_role("heading", name=drill_name).is_visible()
    shoot(page, screenshot_dir, "drill")
    page.evaluate(
        "() => { window.beeps = 0;"
        " document.addEventListener('triplane:beep', () => { window.beeps += 1; }); }"
    )
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#timer[data-state=finished]", timeout=60_000)
    assert page.evaluate("window.beeps") >= 4  # get ready, each hold or rep, the end
    shoot(page, screenshot_dir, "drill-finished")
    log_timer(page, 2)
    page.wait_for_selector("#timer[data-state=logged]")
    assert "Logged" in page.locator("#timer-result").inner_text()
    page.goto("/today")
    assert (
        "Done" in page.locator("li.snack").first.inner_text()
        or page.locator("li.snack.done").count() == 1
    )

    # a snack done with one tap (HTMX)
    first_open = page.locator("li.snack:not(.done):not(.skipped)").first
    snack_id = first_open.get_attribute("id")
    log_done(first_open, 1)
    page.wait_for_selector(f"#{snack_id}.done")

    # the lunge session
    page.goto("/lunge")
    shoot(page, screenshot_dir, "lunge")
    assert "crossover" in page.locator("#dir-crossover legend").inner_text()  # id beside name
    # discomfort and balance are never guessed: left blank, nothing is logged
    page.get_by_role("button", name="Log the session").click()
    page.wait_for_selector("#lunge-form .field-error")  # the form back, beside the field
    assert "give the discomfort" in page.content()
    page.goto("/lunge")
    for fieldset in page.locator("fieldset.direction").all():
        direction = (fieldset.get_attribute("id") or "").removeprefix("dir-")
        page.locator(f"input[name={direction}_discomfort]").fill("1")
        page.locator(f"select[name={direction}_balance]").select_option("ok")
    page.locator("select[name=crossover_balance]").select_option("lost")
    page.get_by_role("button", name="Log the session").click()
    page.wait_for_selector("#next-time")
    assert page.get_by_role("heading", name="Next time").is_visible()
    assert "balance" in page.locator("#next-time").inner_text().lower()
    shoot(page, screenshot_dir, "lunge-done")

    for path, name in (
        ("/check-in", "check-in"),
        ("/settings", "settings"),
        ("/history", "history"),
        ("/account", "account"),
        ("/drills", "drills"),
        ("/nowhere", "not-found"),
    ):
        page.goto(path)
        shoot(page, screenshot_dir, name)

    # settings save, and a history correction
    page.goto("/settings")
    page.get_by_label("Daily budget (minutes, 5-60)").fill("20")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/settings?saved=1")
    assert page.get_by_label("Daily budget (minutes, 5-60)").input_value() == "20"
    page.goto("/history")
    before = page.locator("ul.history li").count()
    first = page.locator("ul.history li").first
    first.locator("summary").click()  # deleting asks first
    assert first.get_by_text("It can't be undone").is_visible()
    first.get_by_role("button", name="Yes, delete it").click()
    page.wait_for_url("**/history?deleted=*")
    assert page.locator("ul.history li").count() == before - 1
    assert "Deleted:" in page.locator("#deleted").inner_text()
    assert csp_errors(page) == []

    # a coach invites the athlete and sees the adherence
    coach = new_page(browser, live)
    sign_up(coach, "coach", "Alex Coach")
    coach.wait_for_url("**/coach")
    coach.get_by_role("button", name="Create an invite code").click()
    code = coach.locator("#new-code .code").inner_text()
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", code)
    page.goto("/account")
    page.get_by_label("Invite code from your coach").fill(code)
    page.get_by_role("button", name="Link to coach").click()
    page.wait_for_url("**/account?done=linked")
    assert "Alex Coach" in page.content()
    coach.goto("/coach")
    row = coach.locator("table.coach-table tbody tr").first
    assert "Sam Runner" in row.inner_text()
    assert row.locator("td.adherence").count() == 2
    assert re.search(r"\d+%", row.locator("td.adherence").first.inner_text())
    shoot(coach, screenshot_dir, "coach")
    coach.locator("table.coach-table a").first.click()
    coach.wait_for_url("**/coach/athletes/*")
    assert coach.get_by_role("heading", name="Last 7 days").is_visible()
    shoot(coach, screenshot_dir, "coach-athlete")
    coach.get_by_label("Daily budget (minutes, 5-60)").fill("25")
    coach.get_by_role("button", name="Save for this athlete").click()
    assert coach.get_by_label("Daily budget (minutes, 5-60)").input_value() == "25"
    assert csp_errors(coach) == []
    page.context.close()
    coach.context.close()


def test_offline_log_is_sent_once(browser: Any, live: Any) -> None:
    page = new_page(browser, live)
    sign_up(page, "athlete", "Offline Olga")
    page.wait_for_url("**/welcome")
    page.goto("/today")
    aid = page.locator("body").get_attribute("data-athlete")
    page.context.set_offline(True)
    snack = page.locator("li.snack").first
    log_done(snack, 2)
    page.wait_for_selector("li.snack.done")
    assert "sent when you are back online" in snack.inner_text()
    assert page.evaluate("window.triplaneQueue.load().length") == 1
    saved = page.evaluate("localStorage.getItem('triplane.queue.v1')")
    page.context.set_offline(False)
    for _ in range(100):  # the page flushes its queue on the 'online' event
        if page.evaluate("window.triplaneQueue.load().length") == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.triplaneQueue.load().length") == 0
    count = """async (aid) => {
        const r = await fetch('/api/v1/athletes/' + aid + '/log', {credentials: 'same-origin'});
        return (await r.json()).filter(e => e.kind === 'drill').length;
    }"""
    assert page.evaluate(count, aid) == 1
    # a replay of the same queued log (a retry after a lost answer) stores nothing new
    page.evaluate("(q) => localStorage.setItem('triplane.queue.v1', q)", saved)
    page.evaluate("window.triplaneQueue.flush()")
    assert page.evaluate("window.triplaneQueue.load().length") == 0
    assert page.evaluate(count, aid) == 1
    page.reload()
    page.wait_for_selector("li.snack.done")
    assert page.locator("li.snack.done").count() == 1
    page.context.close()


def test_offline_pages_paused_banner_and_dark_mode(
    browser: Any, live: Any, screenshot_dir: Path
) -> None:
    ctx = browser.new_context(
        base_url=live.url, viewport=PHONE, color_scheme="dark", timezone_id="Europe/Zurich"
    )
    page = ctx.new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    sign_up(page, "athlete", "Dora Dark")
    page.wait_for_url("**/welcome")
    page.goto("/today")
    shoot(page, screenshot_dir, "today-dark")
    # the service worker takes over; then Today and a drill page work without a connection
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # now controlled by the worker, which keeps a copy of Today
    href = page.locator(".snack-name").first.get_attribute("href")
    page.goto(href)  # a drill page, cached on the way
    page.goto("/today")
    # Today keeps its other drill pages too, each with its figure, without opening them
    hrefs = page.locator(".snack-name").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    other = next((h for h in hrefs if h.split("?")[0] != href.split("?")[0]), None)
    if other is not None:
        figure = other.split("?")[0] + "/figure.svg"
        page.wait_for_function(
            "async (u) => !!(await (await caches.open('triplane-pages-v1')).match(u))", arg=figure
        )
    ctx.set_offline(True)
    page.reload()
    assert page.locator("li.snack").count() >= 1
    if other is not None:
        page.goto(other)  # never opened online: its page and figure come from the cache
        page.wait_for_function(
            "() => { const i = document.querySelector('.timer-figure svg, .timer-figure img');"
            " if (i && i.tagName === 'svg') return true;"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
    page.goto(href + "&speed=200")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#timer[data-state=finished]", timeout=60_000)
    log_timer(page, 1)
    page.wait_for_selector("#timer[data-state=queued]")
    ctx.set_offline(False)
    # a red flag pauses the programme: the banner says stop and see a clinician
    page.goto("/check-in")
    page.get_by_label("numbness", exact=False).first.check()
    page.get_by_role("button", name="Check in").click()
    page.wait_for_url("**/today")
    banner = page.locator("#safety-banner")
    assert "Stop and see a clinician" in banner.inner_text()
    shoot(page, screenshot_dir, "today-paused")
    ctx.set_default_timeout(5000)
    ctx.close()

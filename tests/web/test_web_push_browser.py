"""Web Push in a real browser (Playwright driving Debian's chromium, issue 15): the server's
test reminder, encrypted for a subscription and decrypted as the push service would deliver
it, is handed to the app's service worker (DevTools' ServiceWorker.deliverPushMessage), which
shows it as a notification that opens the page it names. Headless chromium has no push
service of its own, so PushManager.subscribe itself is not exercised here."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from local_services import Browser, HttpSink

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Iterator[Any]:
    """The session's one chromium (conftest.py): a second Playwright in the same thread fails."""
    yield browser


def test_the_service_worker_shows_a_reminder_the_server_sent(
    live: Any, chromium: Any, push: HttpSink
) -> None:
    a = live.signup()
    context = chromium.new_context(permissions=["notifications"])
    page = context.new_page()
    page.goto(live.url + "/login")
    page.fill("#email", a["email"])
    page.fill("#password", a["password"])
    page.click("button[type=submit]")
    page.goto(live.url + "/settings#reminders")
    page.wait_for_selector("#push-allow:not([hidden])")  # push.js found PushManager
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    device = Browser(f"{push.url}/push/chromium")
    sub = device.subscription()
    r = page.request.post(
        live.url + "/settings/push/subscribe",
        form={"endpoint": sub["endpoint"], **sub["keys"]},
        headers={"X-CSRF-Token": csrf or ""},
    )
    assert r.ok, r.text()
    page.goto(live.url + "/settings")
    page.click("text=Send a test reminder now")
    assert "push: sent" in page.locator("#reminder-test").inner_text().replace("\n", " ")
    payload = device.decrypt(push.received[-1])
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []

    def seen(event: dict[str, Any]) -> None:
        registrations.extend(event["registrations"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", seen)
    cdp.send("ServiceWorker.enable")
    for _ in range(300):  # at most 30 s: a loaded machine starts the worker slowly
        if registrations:
            break
        page.wait_for_timeout(100)
    (reg,) = [x for x in registrations if not x["isDeleted"]]
    # The worker must be active before a push reaches it; on a loaded machine a push delivered
    # while it was still starting was lost now and then, so deliver again (same tag: the
    # notification replaces itself) until it shows, at most 3 times 15 s.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    shown: list[Any] = []
    for _attempt in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live.url + "/", "registrationId": reg["registrationId"],
             "data": json.dumps(payload)},
        )  # fmt: skip
        for _ in range(150):
            shown = page.evaluate(
                "() => navigator.serviceWorker.ready.then(r => r.getNotifications())"
                ".then(ns => ns.map(n => [n.title, n.body, n.tag, n.data]))"
            )
            if shown:
                break
            page.wait_for_timeout(100)
        if shown:
            break
    assert shown == [[payload["title"], payload["body"], payload["tag"], {"url": "/today"}]]
    context.close()

"""The phone-on-the-shin page (issue 13): the form over HTTP (both sides, method `inclinometer`,
nothing saved when a reading is missing), and the real page in Chromium with its
device-orientation sensor emulated over CDP: zero, hold 2 s at each end range, both sides, save.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from test_web_video import _athlete, _measurements

from triplane.core.measurement_error import INCLINOMETER, INCLINOMETER_TESTS


def _form(page: str) -> dict[str, str]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    client = re.search(r'name="client_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return {"csrf": csrf, "client_id": client}


@pytest.mark.parametrize("test", list(INCLINOMETER_TESTS))
def test_the_page_asks_for_both_sides(live: Any, test: str) -> None:
    _, pages, _ = _athlete(live)
    r = pages.get(f"/assess/inclinometer?test={test}")
    assert r.status_code == 200
    for side in ("left", "right"):
        for motion in INCLINOMETER_TESTS[test]:
            assert f'name="{side}_{motion}"' in r.text
    assert "/static/inclinometer.js" in r.text and "<script>" not in r.text  # CSP: no inline
    assert pages.get("/static/inclinometer.js").status_code == 200


def test_saving_records_both_sides_with_the_method(live: Any) -> None:
    me, pages, _ = _athlete(live)
    form = _form(pages.get("/assess/inclinometer?test=seated_rotation").text)
    data = {**form, "test": "seated_rotation", "left_internal_rotation": "31.5",
            "left_external_rotation": "40", "right_internal_rotation": "22",
            "right_external_rotation": "44.2"}  # fmt: skip
    r = pages.post("/assess/inclinometer", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/assess/profile"
    pages.post("/assess/inclinometer", data=data)  # sent twice: stored once
    ms = _measurements(live, me["athlete_id"])
    got = sorted((m.side, m.motion, m.value, m.device, m.test) for m in ms)
    assert got == sorted([
        ("left", "internal_rotation", 31.5, INCLINOMETER, "seated_rotation"),
        ("left", "external_rotation", 40.0, INCLINOMETER, "seated_rotation"),
        ("right", "internal_rotation", 22.0, INCLINOMETER, "seated_rotation"),
        ("right", "external_rotation", 44.2, INCLINOMETER, "seated_rotation"),
    ])  # fmt: skip
    assert pages.get("/assess/profile").status_code == 200


def test_a_missing_side_or_a_bad_value_saves_nothing(live: Any) -> None:
    me, pages, _ = _athlete(live)
    form = _form(pages.get("/assess/inclinometer?test=standing_abduction").text)
    r = pages.post("/assess/inclinometer", data={**form, "test": "standing_abduction",
                                                 "left_abduction": "30"})  # fmt: skip
    assert r.status_code == 422 and "measure both sides" in r.text
    r = pages.post("/assess/inclinometer", data={**form, "test": "standing_abduction",
                                                 "left_abduction": "30",
                                                 "right_abduction": "400"})  # fmt: skip
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = pages.post("/assess/inclinometer", data={**form, "test": "handstand"})
    assert r.status_code == 422
    assert _measurements(live, me["athlete_id"]) == []


# --- the real page in Chromium ---------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def _orientation(b: float, g: float) -> dict[str, float]:
    return {"alpha": 0.0, "beta": b, "gamma": g}


def _turned(phi: float) -> dict[str, float]:
    """The phone upright, turned by `phi` degrees within its screen plane (the shin swinging
    sideways): W3C angles beta = 90 - |phi|, gamma = -90 or (almost) +90."""
    return _orientation(90.0 - abs(phi), -90.0 if phi > 0 else 89.99)


def test_guided_page_in_chromium_with_an_emulated_sensor(
    live: Any, screenshot_dir: Path, browser: Any
) -> None:
    # the session's one chromium (tests/web/conftest.py): a second Playwright in the same
    # process cannot start while it runs
    me = live.signup("athlete", "Phone")
    ctx = browser.new_context(base_url=live.url, viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/login")
        page.get_by_label("E-mail").fill(me["email"])
        page.get_by_label("Password").fill(me["password"])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto("/assess/inclinometer?test=seated_rotation")
        cdp = ctx.new_cdp_session(page)

        def hold(o: dict[str, float], field: str | None, expect: str) -> None:
            cdp.send("DeviceOrientation.setDeviceOrientationOverride", o)
            if field is None:
                page.wait_for_function(
                    "t => document.getElementById('incl-say').textContent.includes(t)",
                    arg=expect, timeout=15000)  # fmt: skip
            else:
                page.wait_for_function(
                    "id => document.getElementById(id).value !== ''", arg=field,
                    timeout=15000)  # fmt: skip

        page.get_by_role("button", name="Start").click()
        readings = {"left": (32.0, 41.0), "right": (24.0, 47.5)}
        for side, (ir, er) in readings.items():
            hold(_turned(0.0), None, f"{side} leg: Swing the foot out")  # zeroed
            hold(_turned(ir), f"{side}_internal_rotation", "")
            hold(_turned(0.0), None, "")  # back to neutral between the end ranges
            hold(_turned(-er), f"{side}_external_rotation", "")
        page.wait_for_function("() => !document.getElementById('incl-save').disabled")
        page.screenshot(path=str(screenshot_dir / "inclinometer-phone.png"), full_page=True)
        for side, (ir, er) in readings.items():
            assert float(page.locator(f"#{side}_internal_rotation").input_value()) == \
                pytest.approx(ir, abs=0.2)  # fmt: skip
            assert float(page.locator(f"#{side}_external_rotation").input_value()) == \
                pytest.approx(er, abs=0.2)  # fmt: skip
        page.get_by_role("button", name="Save both sides").click()
        page.wait_for_url("**/assess/profile")
        assert errors == []
    finally:
        ctx.close()
    ms = _measurements(live, me["athlete_id"])
    got = {(m.side, m.motion): m.value for m in ms if m.device == INCLINOMETER}
    assert got == pytest.approx({("left", "internal_rotation"): 32.0,
                                 ("left", "external_rotation"): 41.0,
                                 ("right", "internal_rotation"): 24.0,
                                 ("right", "external_rotation"): 47.5}, abs=0.2)  # fmt: skip
    assert math.isfinite(sum(got.values()))


def test_a_save_without_a_connection_waits_on_the_phone_and_is_sent_once(
    live: Any, browser: Any
) -> None:
    # Out on a trail or in a gym basement: Save with no connection keeps the readings on the
    # phone; back online they are sent, recorded once, and the note says so. (The sensor flow is
    # the test above: here the readings are typed into the fields the sensor would fill.)
    me = live.signup("athlete", "Offline")
    ctx = browser.new_context(base_url=live.url, viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("/login")
        page.get_by_label("E-mail").fill(me["email"])
        page.get_by_label("Password").fill(me["password"])
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        page.goto("/assess/inclinometer?test=standing_abduction")
        page.get_by_role("button", name="Start").click()
        page.evaluate(
            "() => { document.getElementById('left_abduction').value = '36.5';"
            " document.getElementById('right_abduction').value = '41.0';"
            " document.getElementById('incl-save').disabled = false; }"
        )
        ctx.set_offline(True)
        page.get_by_role("button", name="Save both sides").click()
        page.wait_for_function(
            "() => document.getElementById('incl-say').textContent.includes('saved on this phone')"
        )
        assert "1 measurement waits" in page.locator("#incl-pending").inner_text()
        assert not [m for m in _measurements(live, me["athlete_id"]) if m.device == INCLINOMETER]
        ctx.set_offline(False)  # the browser fires "online": the page sends what waits
        # "... waits ...: it is sent when you are online" also says "sent": wait for the report
        page.wait_for_function(
            "() => document.getElementById('incl-pending').textContent"
            ".includes('measurement(s) sent.')"
        )
        page.reload()  # opening the page again sends nothing twice
        page.wait_for_load_state()
        assert page.evaluate("() => localStorage.getItem('triplane.inclinometer.v1')") == "[]"
        assert errors == []
    finally:
        ctx.close()
    got = [(m.side, m.motion, m.value) for m in _measurements(live, me["athlete_id"])
           if m.device == INCLINOMETER]  # fmt: skip
    assert sorted(got) == [("left", "abduction", 36.5), ("right", "abduction", 41.0)]

"""The guided "phone on the shin" page (issue 13): seated and prone rotation, standing abduction.

The browser's DeviceOrientation sensor gives the phone's tilt (no install, no network; the page
is plain HTML + /static/inclinometer.js under the app's CSP). The script zeroes on the neutral
position, waits for the reading to hold steady for 2 s at each end range, and fills the form;
the server records each angle with device (method) `inclinometer`, for both sides.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from triplane.core.measurement_error import INCLINOMETER, INCLINOMETER_MDC, INCLINOMETER_TESTS
from triplane.usecases.service import Invalid, TriplaneError
from triplane.web.deps import ctx
from triplane.web.errors import http_status, page_sentence
from triplane.web.pages import _float, _run, _str, checked_form, need_athlete, redirect, render

router = APIRouter(include_in_schema=False)
SIDES = ("left", "right")
STEADY_SECONDS = 2.0
STEADY_DEGREES = 2.0  # the reading must stay within this range for STEADY_SECONDS
NEUTRAL = {
    "seated_rotation": "Sit tall, thigh level, shin hanging straight down.",
    "prone_rotation": "Lie face down, knee bent to 90 degrees, shin pointing at the ceiling.",
    "standing_abduction": "Stand tall on the other leg, this leg hanging straight down.",
}
PLACE = {
    "seated_rotation": "Hold the phone flat against the front of the shin, top edge toward the "
    "knee.",
    "prone_rotation": "Hold the phone flat against the inside of the shin, top edge toward the "
    "heel.",
    "standing_abduction": "Hold the phone flat against the outside of the thigh, top edge up.",
}
MOVE = {
    "internal_rotation": "Swing the foot out (internal rotation) as far as it goes, thigh still.",
    "external_rotation": "Swing the foot in (external rotation) as far as it goes, thigh still.",
    "abduction": "Lift the leg out to the side as far as it goes, trunk upright.",
}


def _page(request: Request, test: str, status: int = 200, error: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        user, _ = need_athlete(request, acc)
        spec = acc.svc.catalogue.tests[test]
    motions = INCLINOMETER_TESTS[test]
    steps = [
        {"side": side, "motion": m, "field": f"{side}_{m}", "say": MOVE[m]}
        for side in SIDES
        for m in motions
    ]
    return render(
        request, "inclinometer.html", user, status=status, error=error, test=test, spec=spec,
        tests=INCLINOMETER_TESTS, steps=steps, neutral=NEUTRAL[test], place=PLACE[test],
        steady_seconds=STEADY_SECONDS, steady_degrees=STEADY_DEGREES, mdc=INCLINOMETER_MDC,
        client_id=uuid.uuid4().hex[:24],
    )  # fmt: skip


@router.get("/assess/inclinometer")
def inclinometer(request: Request, test: str = "seated_rotation") -> Response:
    if test not in INCLINOMETER_TESTS:
        test = "seated_rotation"
    return _page(request, test)


@router.post("/assess/inclinometer")
async def inclinometer_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _save, form, request)


def _save(form: FormData, request: Request) -> Response:
    with ctx(request).tx() as acc:  # who is asking, before looking at the form
        need_athlete(request, acc)
    test = _str(form, "test") or ""
    if test not in INCLINOMETER_TESTS:
        raise Invalid(f"the phone inclinometer measures {', '.join(INCLINOMETER_TESTS)}")
    readings = []
    try:
        for side in SIDES:
            for motion in INCLINOMETER_TESTS[test]:
                raw = _str(form, f"{side}_{motion}")
                if raw is None:
                    raise Invalid(
                        f"the {side} {motion.replace('_', ' ')} is missing: measure both sides"
                    )
                readings.append((side, motion, _float(raw, "degrees") or 0.0))
    except TriplaneError as exc:
        return _page(request, test, status=http_status(exc), error=page_sentence(exc))
    client = _str(form, "client_id") or uuid.uuid4().hex[:24]
    try:
        with ctx(request).tx() as acc:  # one transaction: every reading, or none
            _, a = need_athlete(request, acc)
            for side, motion, degrees in readings:
                acc.svc.add_measurement(
                    a, side=side, motion=motion, test=test, degrees=degrees,
                    device=INCLINOMETER, client_id=f"{client}-{side}-{motion}"[:64],
                )  # fmt: skip
    except Invalid as exc:
        return _page(request, test, status=http_status(exc), error=page_sentence(exc))
    return redirect("/assess/profile")

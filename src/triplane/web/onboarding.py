"""The first-run flow (issue 14 §1): what Triplane does, the week, then the tests; ends on Today.

Shown once, after the first login ("/" sends a runner whose step is still unset here); every
step can be skipped ("Skip for now") or left ("Finish later": Today offers to resume), and
"/welcome/resume" goes back to where the runner left it. The week is written through the
settings use case; the tests through the measurement use case, by self-rating or a link to the
phone inclinometer page where there is one.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from triplane.core.anatomy import MOTION_LABEL, MOTIONS
from triplane.core.measurement_error import INCLINOMETER_TESTS
from triplane.core.settings import SettingsChange
from triplane.usecases import onboarding as flow
from triplane.usecases.accounts import Accounts
from triplane.usecases.service import Athlete, TriplaneError, settings_to_json
from triplane.web import security
from triplane.web.deps import ctx
from triplane.web.errors import http_status
from triplane.web.forms import EMPTY, FormState, form_done, invalid, refusal
from triplane.web.pages import (
    SETTINGS_WORDS,
    _run,
    _str,
    checked_form,
    need_athlete,
    record_test,
    redirect,
    render,
    settings_change,
)

router = APIRouter(include_in_schema=False)
MINUTES = (5, 10, 15, 20)  # the daily budget as choices
# one drill per plane for the intro, and a lunge direction for the matrix
PLANE_FIGURES = (
    ("sagittal", "front_back_leg_swings", "forward and back"),
    ("frontal", "side_to_side_leg_swings", "out to the side and across"),
    ("transverse", "standing_hip_swivels", "turning in and out"),
)
LUNGE_FIGURE = "anterior"
STEPS = 3  # intro, week, tests (shown as "Step n of 3")


def _tests(acc: Accounts) -> list[tuple[str, Any]]:
    cat = acc.svc.catalogue
    return [(m, cat.tests[cat.default_tests[m]]) for m in MOTIONS]


def _url(step: str | None) -> str:
    if step == flow.WEEK:
        return "/welcome/week"
    if step and step.startswith(flow.TESTS):
        return f"/welcome/tests/{step[len(flow.TESTS) :]}"
    if step == flow.DONE:
        return "/today"
    return "/welcome"


def resume_url(acc: Accounts, a: Athlete) -> str | None:
    """Where Today's "finish setting up" points, while the flow is started and not done."""
    step = flow.step_of(acc.svc, a)
    return None if step in (None, flow.DONE) else _url(step)


@router.get("/welcome")
def welcome(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        if flow.step_of(acc.svc, a) is None:  # shown now: never forced through it again
            flow.set_step(acc.svc, a, flow.INTRO)
    return render(
        request,
        "welcome.html",
        user,
        step_no=1,
        steps=STEPS,
        planes=PLANE_FIGURES,
        lunge_figure=LUNGE_FIGURE,
    )


@router.get("/welcome/resume")
def resume(request: Request) -> Response:
    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        step = flow.step_of(acc.svc, a)
    return redirect(_url(step if step != flow.DONE else flow.INTRO))


@router.post("/welcome/finish")
async def finish(request: Request) -> Response:
    """Leave the flow for Today: `later` keeps the step (Today offers to resume)."""
    form = await checked_form(request)
    return await _run(request, _finish, form, request)


def _finish(form: FormData, request: Request) -> Response:
    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        if form.get("later") != "1":
            flow.finished(acc.svc, a)
    return redirect("/today")


# ---- the week ---------------------------------------------------------------------------------


@router.get("/welcome/week")
def week(request: Request) -> Response:
    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        flow.set_step(acc.svc, a, flow.WEEK)
    return _week_page(request)


def _week_page(request: Request, status: int = 200, f: FormState = EMPTY) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        s = settings_to_json(acc.svc.settings_on(a, a.today()))
    return render(
        request,
        "welcome_week.html",
        user,
        status=status,
        f=f,
        s=s,
        minutes=MINUTES,
        step_no=2,
        steps=STEPS,
    )


def week_change(form: FormData) -> SettingsChange:
    """The week form as a settings change (the settings form's names, work hours from two
    times)."""
    change = settings_change(form)
    start, end = _str(form, "work_start"), _str(form, "work_end")
    if bool(start) != bool(end):
        raise invalid("give both the start and the end of work, or neither", "work_end")
    if start and end:
        change = replace(change, work_hours=f"{start}-{end}")
    return change


@router.post("/welcome/week")
async def week_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _week_post, form, request)


def _week_post(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:
            _, a = need_athlete(request, acc)
            if form.get("skip") != "1":
                acc.svc.edit_athlete(a, week_change(form))
            flow.set_step(acc.svc, a, flow.test_step(0))
    except TriplaneError as exc:
        words = {**SETTINGS_WORDS, "work hours": "work_start", "work": "work_start"}
        return _week_page(request, http_status(exc), refusal(exc, form, words=words))
    return form_done(request, "/welcome/tests/0")


# ---- the tests --------------------------------------------------------------------------------


@router.get("/welcome/tests/{index}")
def test_step(request: Request, index: int) -> Response:
    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        if not 0 <= index < len(_tests(acc)):
            flow.finished(acc.svc, a)
            return redirect("/today")
        flow.set_step(acc.svc, a, flow.test_step(index))
    return _test_page(request, index)


def _test_page(request: Request, index: int, status: int = 200, f: FormState = EMPTY) -> Response:
    with ctx(request).tx() as acc:
        user, _ = need_athlete(request, acc)
        tests = _tests(acc)
    motion, test = tests[index]
    return render(
        request,
        "welcome_test.html",
        user,
        status=status,
        f=f,
        index=index,
        total=len(tests),
        motion=motion,
        motion_label=MOTION_LABEL[motion],
        test=test,
        inclinometer=test.id if test.id in INCLINOMETER_TESTS else None,
        client_id=str(f.value("client_id")) if f.sent else uuid.uuid4().hex[:24],
        step_no=3,
        steps=STEPS,
    )


@router.post("/welcome/tests/{index}")
async def test_post(request: Request, index: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _test_post, form, request, index)


def _test_post(form: FormData, request: Request, index: int) -> Response:
    try:
        with ctx(request).tx() as acc:
            _, a = need_athlete(request, acc)
            tests = _tests(acc)
            if not 0 <= index < len(tests):
                raise invalid("this test step does not exist; open Welcome again", "step")
            motion, test = tests[index]
            skipped = form.get("skip") == "1"
            if not skipped and record_test(acc, a, form, motion, test) == 0:
                raise invalid(
                    "choose a rating for at least one side, or press Skip for now", "left_rating"
                )
            last = index + 1 >= len(tests)
            if last:
                flow.finished(acc.svc, a)
            else:
                flow.set_step(acc.svc, a, flow.test_step(index + 1))
    except TriplaneError as exc:
        fields = [*form.keys(), "left_rating", "right_rating"]  # radios unsent when unchosen
        return _test_page(request, index, http_status(exc), refusal(exc, form, fields))
    return form_done(request, "/today?welcome=1" if last else f"/welcome/tests/{index + 1}")


# ---- figures ----------------------------------------------------------------------------------


@router.get("/welcome/figures/{name}.svg")
def figure(request: Request, name: str) -> Response:
    """The intro's figures (a drill per plane, a lunge direction) and each test's figure
    (`test-<index>`), as drawn for the drill pages."""
    with ctx(request).tx() as acc:
        need_athlete(request, acc)
        tests = _tests(acc)
    known = {d for _, d, _ in PLANE_FIGURES} | {LUNGE_FIGURE}
    try:
        from triplane.figures.svg import drill_figure_svg, test_figure_svg

        if name in known:
            svg = drill_figure_svg(name)
        elif name.startswith("test-") and name[5:].isdigit() and int(name[5:]) < len(tests):
            motion, test = tests[int(name[5:])]
            svg = test_figure_svg(test.id, motion)
        else:
            return Response("no such figure", 404, media_type="text/plain")
    except ImportError:
        return Response("no figure", 404, media_type="text/plain")
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": security.SVG_CSP, "Cache-Control": "max-age=86400"},
    )

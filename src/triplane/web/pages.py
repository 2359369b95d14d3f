"""The HTML pages (server-rendered Jinja2 + HTMX): thin routes over the service and accounts.

Each route opens one transaction, checks who is asking, calls the use cases and renders. Forms
carry a CSRF token; a form error re-renders the page with the service's sentence.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from triplane.core.anatomy import MOTION_LABEL, MOTIONS, SEXES, WEEKDAYS
from triplane.core.conditions import drill_ruled_out, restrictions_for, standing_twin
from triplane.core.errors import Forbidden, Unauthenticated
from triplane.core.safety import ACCEPTABLE_MAX, TARGET_SENSATION
from triplane.core.settings import DAILY_MINUTES, FIRST_BIRTH_YEAR, GYM_MINUTES, SettingsChange
from triplane.usecases import coach as coach_uc
from triplane.usecases.accounts import Accounts, User
from triplane.usecases.service import (
    Athlete,
    Invalid,
    NotFound,
    TriplaneError,
    parse_date,
    settings_to_json,
)
from triplane.web import security, timer
from triplane.web.deps import (
    confirm_signup,
    ctx,
    login_with_password,
    page_user,
    signup_user,
    work,
)
from triplane.web.errors import FIELD_LABELS, http_status, page_sentence
from triplane.web.forms import (
    EMPTY,
    FormState,
    form_done,
    invalid,
    refusal,
    user_sentence,
    whole_page,
)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals.update(
    MOTION_LABEL=MOTION_LABEL,
    WEEKDAYS=WEEKDAYS,
    timedelta1=timedelta(days=1),
    DAILY_MINUTES=DAILY_MINUTES,
    GYM_MINUTES=GYM_MINUTES,
    FIRST_BIRTH_YEAR=FIRST_BIRTH_YEAR,
    LABEL=FIELD_LABELS,
)


_P = ParamSpec("_P")
_T = TypeVar("_T")


def render(
    request: Request,
    name: str,
    user: User | None = None,
    status: int = 200,
    cache_key: tuple[Any, ...] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page. With `cache_key` (which must determine every other context value) the HTML
    is kept in the plan cache: rendering costs more than everything else on a cached page."""
    csrf = security.csrf_token(request)
    context.update(request=request, user=user, csrf=csrf)
    context.setdefault("f", EMPTY)  # a form's state: what was typed, what was wrong
    if cache_key is None:
        response: HTMLResponse = templates.TemplateResponse(
            request, name, context, status_code=status
        )
    else:
        key = ("html", name, user, csrf, *cache_key)
        body = ctx(request).plans.cached(
            key, lambda: templates.get_template(name).render(context).encode()
        )
        response = HTMLResponse(body, status)
    security.set_pre_csrf_cookie(request, response)
    response.headers["Cache-Control"] = "no-store" if user is None else "private, no-cache"
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error page with the navigation of whoever is asking (a 4xx is not a log-out)."""
    user = None
    if 400 <= status < 500 and status != 401:
        try:
            with ctx(request).tx() as acc:
                user = page_user(request, acc)
        except Exception:  # noqa: BLE001 - the error page must render whatever happened
            user = None
    return render(request, "error.html", user, status=status, status_code=status,
                  message=user_sentence(message))  # fmt: skip


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, 303)


async def checked_form(request: Request) -> FormData:
    """The form, once its CSRF token is right. A token sent in the header (HTMX) or the query
    (the upload form's action) is checked before the body is parsed; so is the case where no
    token could be right. A multipart body must carry its token there: it is never parsed (nor
    spooled to disk) before the token is checked. The body's size is capped by BodyLimit."""
    expired = Forbidden("this form has expired (or came from another site); reload and try again")
    early = request.headers.get(security.CSRF_HEADER) or request.query_params.get(
        security.CSRF_FIELD
    )
    if not security.csrf_possible(request) or (early and not security.csrf_ok(request, early)):
        raise expired
    if not early and security.is_multipart(request.headers.get("content-type", "")):
        raise expired  # our upload forms put the token in their action's query
    form = await request.form()
    sent = early or form.get(security.CSRF_FIELD)
    if not security.csrf_ok(request, str(sent) if sent else None):
        raise expired
    return form


def need_user(request: Request, acc: Accounts) -> User:
    user = page_user(request, acc)
    if user is None:
        raise Unauthenticated("sign in first")
    return user


def need_athlete(request: Request, acc: Accounts) -> tuple[User, Athlete]:
    user = need_user(request, acc)
    return user, acc.own_athlete(user)


def need_coach(request: Request, acc: Accounts) -> User:
    user = need_user(request, acc)
    if user.role != "coach":
        raise Forbidden("this page is for coaches")
    return user


def _int(value: Any, what: str, field: str | None = None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise invalid(f"{what} is a whole number, not '{str(value)[:20]}'", field or what) from None


def _float(value: Any, what: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        raise Invalid(f"{what} is a number, not '{str(value)[:20]}'") from None
    if not math.isfinite(number):
        raise Invalid(f"{what} is a number, not '{str(value)[:20]}'")
    return number


def _str(form: FormData, key: str) -> str | None:
    v = form.get(key)
    return str(v).strip() if v not in (None, "") else None


# ---- home, sign-up, login -------------------------------------------------------------------


@router.get("/")
def home(request: Request) -> Response:
    from triplane.usecases import onboarding

    with ctx(request).tx() as acc:
        user = page_user(request, acc)
        new = (
            user is not None
            and user.athlete_id is not None
            and onboarding.step_of(acc.svc, acc.svc.athlete_by_id(user.athlete_id)) is None
        )
    if user is None:
        return render(request, "landing.html")
    if new:  # the first login: the first-run flow, once
        return redirect("/welcome")
    return redirect("/coach" if user.role == "coach" else "/today")


@router.get("/signup")
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", form={})


@router.post("/signup")
async def signup(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _signup, form, request)


def _signup(form: FormData, request: Request) -> Response:
    try:
        user, secret, sent = signup_user(
            request,
            str(form.get("email", "")),
            str(form.get("password", "")),
            str(form.get("name", "")),
            str(form.get("role", "athlete")),
            _str(form, "tz"),
            "session",
        )
    except TriplaneError as exc:
        return render(
            request,
            "signup.html",
            status=http_status(exc),
            error=page_sentence(exc),
            form=dict(form),
        )
    if user is None:  # the server sends e-mail: the same page whether or not the address is new
        return render(request, "signup.html", form={}, sent=sent)
    assert secret is not None
    return _signed_in(request, user, secret, "/")  # "/": the first-run flow


def _signed_in(request: Request, user: User, secret: str, athlete_home: str) -> Response:
    response = redirect("/coach" if user.role == "coach" else athlete_home)
    security.set_session_cookie(request, response, secret)
    return response


@router.get("/signup/confirm/{token}")
def signup_confirm_page(request: Request, token: str) -> Response:
    """The e-mailed link shows a button (a GET never creates the account: mail scanners
    open links)."""
    with ctx(request).tx() as acc:
        valid = acc.signup_link_valid(token)
    return _link_page(request, "signup_confirm.html", token, valid)


def _link_page(request: Request, name: str, token: str, valid: bool) -> Response:
    """The page an e-mailed link opens (404 when used or expired); its address holds a
    secret, so it is never sent on as a Referer."""
    response = render(request, name, status=200 if valid else 404, token=token, valid=valid)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.post("/signup/confirm/{token}")
async def signup_confirm(request: Request, token: str) -> Response:
    await checked_form(request)
    return await _run(request, _signup_confirm, request, token)


def _signup_confirm(request: Request, token: str) -> Response:
    try:
        user, secret = confirm_signup(request, token, "session")
    except TriplaneError as exc:
        return render(request, "signup_confirm.html", status=http_status(exc), token=token,
                      valid=False, error=page_sentence(exc))  # fmt: skip
    return _signed_in(request, user, secret, "/assess")


@router.get("/login")
def login_page(request: Request, reset: str | None = None) -> Response:
    return render(request, "login.html", form={}, reset_done=reset == "done")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _login, form, request)


def _login(form: FormData, request: Request) -> Response:
    email = str(form.get("email", ""))
    try:
        user, secret, device = login_with_password(
            request, email, str(form.get("password", "")), "session"
        )
    except TriplaneError as exc:
        return render(
            request,
            "login.html",
            status=http_status(exc),
            error=page_sentence(exc),
            form={"email": email},
        )
    response = _signed_in(request, user, secret, "/")  # "/": the first-run flow, then Today
    security.set_device_cookie(request, response, device)
    return response


# ---- a forgotten password: a single-use link by e-mail (issue 15) -----------------------------


@router.get("/forgot")
def forgot_page(request: Request) -> Response:
    from triplane import config

    return render(request, "forgot.html", form={}, can_email=config.smtp() is not None)


@router.post("/forgot")
async def forgot(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _forgot, form, request)


def _forgot(form: FormData, request: Request) -> Response:
    from triplane.usecases.mail import send_reset_link

    email = str(form.get("email", ""))[:254]
    try:
        sent = send_reset_link(ctx(request).engine, email)
    except TriplaneError as exc:
        return render(request, "forgot.html", status=http_status(exc), error=page_sentence(exc),
                      form={"email": email}, can_email=False)  # fmt: skip
    return render(request, "forgot.html", form={}, sent=sent, can_email=True)


@router.get("/reset/{token}")
def reset_page(request: Request, token: str) -> Response:
    with ctx(request).tx() as acc:
        valid = acc.reset_link_valid(token)
    return _link_page(request, "reset.html", token, valid)


@router.post("/reset/{token}")
async def reset(request: Request, token: str) -> Response:
    form = await checked_form(request)
    return await _run(request, _reset, form, request, token)


def _reset(form: FormData, request: Request, token: str) -> Response:
    try:
        if form.get("new") != form.get("repeat"):
            raise Invalid("the two new passwords differ; type the same one twice")
        with ctx(request).tx() as acc:
            acc.reset_with_link(token, str(form.get("new", "")))
    except TriplaneError as exc:
        return render(request, "reset.html", status=http_status(exc), token=token, valid=True,
                      error=page_sentence(exc))  # fmt: skip
    return redirect("/login?reset=done")


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    secret = request.cookies.get(security.SESSION_COOKIE)
    if secret:
        with ctx(request).tx() as acc:
            acc.revoke_token(secret)
    response = redirect("/login")
    security.clear_session_cookie(response)
    return response


async def _run(request: Request, fn: Callable[_P, _T], *args: _P.args, **kw: _P.kwargs) -> _T:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args, **kw)


# ---- today ------------------------------------------------------------------------------------


def _now_local(a: Athlete) -> datetime:
    return datetime.now(ZoneInfo(a.tz)).replace(tzinfo=None)


def _today_slots(
    acc: Accounts, plan: dict[str, Any], a: Athlete, day: date
) -> list[dict[str, Any]]:
    """The day's snacks, each marked done or skipped from the day's log."""
    states = acc.svc.snack_states(a, [s["drill"]["id"] for s in plan["slots"]], day)
    slots = []
    # a folded card shows its discomfort: the core's rule marks each snack with the first
    # unused log of its drill, so the n-th snack of a drill has the n-th such log
    discomforts: dict[str, list[int | None]] = {}
    for g in acc.svc.athlete_log(a).drill_logs:
        if g.date == day:
            discomforts.setdefault(g.drill, []).append(g.discomfort)
    for i, (s, state) in enumerate(zip(plan["slots"], states, strict=True)):
        discomfort = discomforts[s["drill"]["id"]].pop(0) if state is not None else None
        client_id = f"snack-{day.isoformat()}-{i}-{s['drill']['id']}"[:64]
        slots.append(
            {**s, "index": i, "state": state, "client_id": client_id, "discomfort": discomfort}
        )
    return slots


def today_summary(slots: list[dict[str, Any]]) -> str:
    """'2 of 5 done, 6 of 15 min' (app.js writes the same line when it counts queued logs)."""
    done = [s for s in slots if s["state"] == "done"]
    skipped = sum(1 for s in slots if s["state"] == "skipped")
    line = (
        f"{len(done)} of {len(slots)} done, "
        f"{sum(s['minutes'] for s in done):g} of {sum(s['minutes'] for s in slots):g} min"
    )
    return line + (f", {skipped} skipped" if skipped else "")


def _plan_and_slots(acc: Accounts, a: Athlete, day: date) -> tuple[dict[str, Any], Any]:
    plan = acc.svc.plan_day(a, day).as_dict()
    return plan, _today_slots(acc, plan, a, day)


def _today_context(
    acc: Accounts,
    request: Request,
    a: Athlete,
    day: date,
    version: tuple[Any, ...] | None = None,
) -> dict[str, Any]:
    c = ctx(request)
    plan, slots = c.plans.derived(
        "today",
        acc,
        a,
        day,
        lambda: _plan_and_slots(acc, a, day),
        version,
    )
    now = _now_local(a).strftime("%H:%M") if day == a.today() else "00:00"
    pending = [s for s in slots if s["state"] is None]
    upcoming = [s for s in pending if s["start"] >= now] or pending
    next_index = upcoming[0]["index"] if upcoming else None
    return {
        "plan": plan,
        "slots": slots,
        "next_index": next_index,
        "day": day,
        "athlete": a,
        "summary": today_summary(slots),
        "pending": len(pending),
        "acceptable_max": ACCEPTABLE_MAX,
    }


@router.get("/today")
def today(request: Request, date: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        user = need_user(request, acc)
        if user.athlete_id is None:
            acc.own_athlete(user)  # a coach: Forbidden, with the sentence
        a, version = acc.athlete_and_version(user, user.athlete_id)  # type: ignore[arg-type]
        day = parse_date(date) or a.today()
        data = _today_context(acc, request, a, day, version)
        from triplane.web.onboarding import resume_url

        data["setup_resume"] = resume_url(acc, a)  # the first-run flow, left half-way
        data["coach"] = coach_uc.for_today(acc, a, day)  # the coach's comments (issue 14 §6)
    # The cached HTML's key: everything the page is made of (data comes from these alone);
    # anything new the page shows (a query flag, a cookie) must join the key.
    key = (a, day, a.today(), version, data["next_index"], data["setup_resume"])
    return render(request, "today.html", user, cache_key=key, **data, target=TARGET_SENSATION)


@router.post("/today/log")
async def today_log(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _today_log, form, request)


def _today_log(form: FormData, request: Request) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        day = parse_date(_str(form, "date")) or a.today()
        acc.svc.log_drill(
            a,
            str(form.get("drill", "")),
            day,
            _float(form.get("minutes"), "minutes"),
            _int(form.get("discomfort"), "discomfort"),
            form.get("skipped") == "1",
            client_id=_str(form, "client_id"),
        )
        data = _today_context(acc, request, a, day)
    if request.headers.get("hx-request"):  # the list and its summary line, next one marked
        return render(request, "_today_snacks.html", user, **data)
    return redirect(f"/today?date={day.isoformat()}")


@router.get("/today/routine")
def today_routine(request: Request, date: str | None = None) -> Response:
    """The day's remaining snacks played one after another by the follow-along timer."""
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        day = parse_date(date) or a.today()
        data = _today_context(acc, request, a, day)
        cat = acc.svc.catalogue
        items = [timer.slot_item(cat, s, day) for s in data["slots"] if s["state"] is None]
    config = {"items": items, "today": f"/today?date={day}", "acceptableMax": ACCEPTABLE_MAX}
    response = render(
        request,
        "routine.html",
        user,
        items=items,
        day=day,
        timer=json.dumps(config),
        target=TARGET_SENSATION,
        acceptable_max=ACCEPTABLE_MAX,
    )
    response.headers["Content-Security-Policy"] = timer.TIMER_CSP
    return response


# ---- drills -----------------------------------------------------------------------------------


def _figure(drill_id: str) -> bool:
    try:
        from triplane.figures import drill_figure_svg  # noqa: F401
    except ImportError:
        return False
    return True


@router.get("/drills")
def drills(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user = need_user(request, acc)
        items = list(acc.svc.catalogue.drills.values())
    return render(request, "drills.html", user, drills=items)


@router.get("/drills/{drill_id}")
def drill(
    request: Request,
    drill_id: str,
    side: str | None = None,
    minutes: float | None = None,
    date: str | None = None,
    client_id: str | None = None,
) -> Response:
    with ctx(request).tx() as acc:
        user = need_user(request, acc)
        cat = acc.svc.catalogue
        if drill_id not in cat.drills:
            raise NotFound(f"there is no drill '{drill_id[:40]}'; see Drills")
        d = cat.drills[drill_id]
        standing = cat.drills.get(d.standing_version or "")
        not_for_you = None
        if user.athlete_id is not None:  # the standing twin only when the athlete may do it
            a = acc.svc.athlete_by_id(user.athlete_id)
            r = restrictions_for(cat, acc.svc.settings_on(a, a.today()))
            standing = standing_twin(cat, d, r)
            not_for_you = drill_ruled_out(d, r)
        day = parse_date(date)
        if minutes is not None and not (math.isfinite(minutes) and 0 < minutes <= 120):
            raise Invalid(f"minutes is a number from 0 to 120, not {minutes:g}")
        after = _next_snack(acc, request, user, day, client_id) if day and client_id else None
    # the snack's own dose (the Today card links here with its minutes): the same fitted dose
    # the plan shows, and the timer runs exactly its phases, both sides as the dose says (the
    # tighter side is named, not done alone)
    item = timer.timer_item(d, minutes, day, client_id or f"timer-{uuid.uuid4().hex[:20]}", side)
    back = f"/today?date={day.isoformat()}" if day else "/today"
    config = {"items": [item], "today": back, "next": after, "acceptableMax": ACCEPTABLE_MAX}
    response = render(
        request,
        "drill.html",
        user,
        d=d,
        item=item,
        standing=standing,
        not_for_you=not_for_you,
        side=item["side"],
        timer=json.dumps(config),
        figure=_figure(d.id),
        target=TARGET_SENSATION,
        labels=MOTION_LABEL,
        acceptable_max=ACCEPTABLE_MAX,
    )
    response.headers["Content-Security-Policy"] = timer.TIMER_CSP
    return response


def _next_snack(
    acc: Accounts, request: Request, user: User, day: date, client_id: str
) -> dict[str, str] | None:
    """The snack after this one on Today that is still to do: the timer's "Next snack"."""
    if user.athlete_id is None:
        return None
    a = acc.svc.athlete_by_id(user.athlete_id)
    slots = _today_context(acc, request, a, day)["slots"]
    here = next((s["index"] for s in slots if s["client_id"] == client_id), None)
    if here is None:
        return None
    later = [s for s in slots if s["state"] is None and s["index"] > here]
    if not later:
        return None
    item = timer.slot_item(acc.svc.catalogue, later[0], day)
    return {"href": item["href"] + "#timer", "name": item["name"]}


@router.get("/drills/{drill_id}/figure.svg")
def drill_figure(request: Request, drill_id: str, side: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        need_user(request, acc)
        known = drill_id in acc.svc.catalogue.drills
    if not known:
        return Response("no such drill", 404, media_type="text/plain")
    if side not in (None, "left", "right"):
        return Response("side is left or right", 400, media_type="text/plain")
    try:
        from triplane.figures import drill_figure_svg

        svg = drill_figure_svg(drill_id, side)  # right: the figure mirrored
    except Exception:  # noqa: BLE001 - a missing figure must never break the page
        return Response("no figure", 404, media_type="text/plain")
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": security.SVG_CSP, "Cache-Control": "max-age=86400"},
    )


# ---- assessment wizard ------------------------------------------------------------------------


def _steps(acc: Accounts) -> list[tuple[str, Any]]:
    cat = acc.svc.catalogue
    return [(m, cat.tests[cat.default_tests[m]]) for m in MOTIONS]


@router.get("/assess")
def assess(request: Request, step: int = 0) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        steps = _steps(acc)
        if step >= len(steps) or step < 0:
            return redirect("/assess/profile")
        motion, test = steps[step]
    return render(
        request,
        "assess.html",
        user,
        step=step,
        total=len(steps),
        motion=motion,
        test=test,
        client_id=uuid.uuid4().hex[:24],
    )


@router.post("/assess")
async def assess_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _assess_post, form, request)


def _assess_post(form: FormData, request: Request) -> Response:
    step = _int(form.get("step"), "step") or 0
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        steps = _steps(acc)
        if not 0 <= step < len(steps):
            raise Invalid("this assessment step does not exist; start again from Assess")
        motion, test = steps[step]
        try:
            recorded = record_test(acc, a, form, motion, test)
            if recorded == 0 and form.get("skip") != "1":
                raise Invalid("give a value or a self-rating for at least one side, or press Skip")
        except TriplaneError as exc:
            return render(
                request,
                "assess.html",
                user,
                status=http_status(exc),
                error=page_sentence(exc),
                step=step,
                total=len(steps),
                motion=motion,
                test=test,
                client_id=_str(form, "client_id") or uuid.uuid4().hex[:24],
            )
    return redirect(f"/assess?step={step + 1}")


def record_test(acc: Accounts, a: Athlete, form: FormData, motion: str, test: Any) -> int:
    """A test's result for each side that has one (`{side}_value` in the test's unit, or
    `{side}_rating` 0-3 by eye); how many sides were recorded."""
    recorded = 0
    for side in ("left", "right"):
        value = _str(form, f"{side}_value")
        rating = _int(form.get(f"{side}_rating"), "the self-rating", f"{side}_rating")
        if value is None and rating is None:
            continue
        kwargs: dict[str, Any] = {}
        if value is not None:
            kwargs = {"pass_fail": {"result": value}}.get(test.unit) or {
                test.unit: _float(value, test.unit)
            }
        else:
            kwargs = {"rating": rating}
        acc.svc.add_measurement(
            a,
            side=side,
            motion=motion,
            test=test.id,
            painful=form.get(f"{side}_painful") == "1",
            client_id=f"{_str(form, 'client_id') or ''}-{side}"[:64] or None,
            **kwargs,
        )
        recorded += 1
    return recorded


@router.get("/assess/profile")
def assess_profile(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        profile = acc.svc.profile(a)
        norm = acc.svc.catalogue.norm_sets[profile.norm_set]
    from triplane.core.plan import WEIGHTS

    return render(
        request, "profile.html", user, profile=profile, norm=norm, athlete=a, weights=WEIGHTS
    )


# ---- lunge matrix -----------------------------------------------------------------------------


@router.get("/lunge")
def lunge(request: Request) -> Response:
    return _lunge_page(request)


def _lunge_page(request: Request, status: int = 200, f: FormState = EMPTY) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        state, plans = acc.svc.lunge_next(a)
        matrix = acc.svc.catalogue.lunge
        items = [p.as_dict(matrix) for p in plans]
        cues = {d.id: d for d in matrix.directions}
    return render(
        request,
        "lunge.html",
        user,
        status=status,
        f=f,
        state=state,
        items=items,
        cues=cues,
        client_id=str(f.value("client_id")) if f.sent else uuid.uuid4().hex[:20],
    )


@router.post("/lunge")
async def lunge_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _lunge_post, form, request)


def _lunge_field(direction: str, exc: TriplaneError) -> str:
    """Which of a direction's inputs a refusal is about (reps unless it says otherwise)."""
    part = next((p for p in ("discomfort", "balance", "load") if p in str(exc).lower()), "reps")
    return f"{direction}_{part}"


def _lunge_post(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:  # one session: every direction or none is written
            user, a = need_athlete(request, acc)
            matrix = acc.svc.catalogue.lunge
            done = []
            base = _str(form, "client_id") or uuid.uuid4().hex[:20]
            for d in matrix.directions:
                reps = _int(form.get(f"{d.id}_reps"), f"{d.name}: reps", f"{d.id}_reps")
                if reps is None:
                    continue
                discomfort = _int(
                    form.get(f"{d.id}_discomfort"), f"{d.name}: discomfort", f"{d.id}_discomfort"
                )
                balance = _str(form, f"{d.id}_balance")
                if discomfort is None or balance is None:  # never guess 0/10 or balance kept
                    raise invalid(
                        f"{d.name}: give the discomfort (0-10) and whether balance was kept, or "
                        "clear its reps to leave it out",
                        f"{d.id}_discomfort" if discomfort is None else f"{d.id}_balance",
                    )
                try:
                    acc.svc.log_lunge(
                        a,
                        d.id,
                        reps,
                        discomfort,
                        balance,
                        form.get(f"{d.id}_sharp") == "1",
                        _str(form, f"{d.id}_load"),
                        client_id=f"{base}-{d.id}"[:64],
                    )
                except TriplaneError as exc:
                    if getattr(exc, "field", None) is None:
                        exc.field = _lunge_field(d.id, exc)
                    raise
                done.append(d.id)
            if not done:
                raise Invalid("fill in the reps of at least one direction you did")
            state, plans = acc.svc.lunge_next(a, a.today() + timedelta(days=1))
            items = [p.as_dict(matrix) for p in plans]
    except TriplaneError as exc:
        return _lunge_page(request, http_status(exc), refusal(exc, form))
    page = render(request, "lunge_done.html", user, state=state, items=items, done=done)
    return whole_page(request, page)


# ---- check-in, settings, history --------------------------------------------------------------


@router.get("/check-in")
def check_in(request: Request) -> Response:
    return _check_in_page(request)


def _check_in_page(
    request: Request, status: int = 200, f: FormState = EMPTY, refused: str | None = None
) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        flags = list(acc.svc.catalogue.red_flags.values())
        safety = acc.svc.plan_day(a).safety
    return render(
        request,
        "check_in.html",
        user,
        status=status,
        f=f,
        flags=flags,
        safety=safety,
        client_id=uuid.uuid4().hex,
        refused=refused,
    )


@router.post("/check-in")
async def check_in_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _check_in_post, form, request)


def _check_in_post(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:
            user, a = need_athlete(request, acc)
            pain = _int(form.get("pain"), "pain")
            if pain is None:
                raise invalid("choose your pain from 0 (none) to 10 (worst)", "pain")
            cleared = form.get("cleared_by_clinician") == "1"
            cid = acc.svc.check_in(
                a,
                pain,
                [str(f) for f in form.getlist("flags")],
                cleared,
                client_id=_str(form, "client_id"),
            )
            refused = acc.svc.clearance(a, cid)["why"] if cleared else None
    except TriplaneError as exc:
        fields = [*form.keys(), "pain", "flags"]  # radios and boxes unsent when unchosen
        return _check_in_page(request, http_status(exc), refusal(exc, form, fields))
    if refused:  # say why the clearance did not end a pause, on the same page
        return whole_page(request, _check_in_page(request, refused=refused))
    return form_done(request, "/today")


@router.get("/settings")
def settings(request: Request) -> Response:
    return _settings_page(request)


def _settings_page(
    request: Request,
    test_outcomes: list[Any] | None = None,
    reminders_error: str | None = None,
    status: int = 200,
    f: FormState = EMPTY,
) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        s = settings_to_json(acc.svc.settings_on(a, a.today()))
        cat = acc.svc.catalogue

        calendar = work(acc).running.calendar_token_status(a)
        reminders = _reminders_json(acc, a)
    return render(
        request,
        "settings.html",
        user,
        s=s,
        athlete=a,
        conditions={c.id: c.label for c in cat.conditions.values()},
        approaches=cat.conditions["hip_replacement"].variant_ids,
        sexes=SEXES,
        norm_sets=cat.norm_sets,
        calendar=calendar,
        reminders=reminders,
        test_outcomes=test_outcomes,
        reminders_error=reminders_error,
        status=status,
        f=f,
    )


def _reminders_json(acc: Accounts, a: Athlete) -> dict[str, Any]:

    return work(acc).reminders.settings_json(a)


def settings_change(form: FormData) -> SettingsChange:
    """The settings form's fields as the core's SettingsChange (blank = unchanged)."""
    changes: dict[str, Any] = {}
    for key in ("run_time", "gym_time", "wake", "sleep", "norm_set", "work_hours"):
        if key in form:
            changes[key] = _str(form, key)
    for key in ("run_days", "gym_days", "work_days"):
        if f"{key}_sent" in form:
            changes[key] = ",".join(str(v) for v in form.getlist(key)) or ""
    for key in ("daily_minutes", "gym_minutes", "birth_year"):
        if key in form:
            changes[key] = _int(form.get(key), FIELD_LABELS[key], key)
    if "kneeling_sent" in form:
        changes["kneeling_ok"] = form.get("kneeling_ok") == "1"
    if "conditions_sent" in form:
        changes["conditions"] = tuple(str(c) for c in form.getlist("conditions"))
        if "hip_replacement" in changes["conditions"] and _str(form, "hip_approach"):
            changes["hip_approach"] = _str(form, "hip_approach")
    if _str(form, "sex"):
        changes["sex"] = _str(form, "sex")
    if _str(form, "ladder_order"):
        changes["ladder_order"] = tuple(str(_str(form, "ladder_order")).split(","))
    if "long_run_day" in form:
        changes["long_run_day"] = _str(form, "long_run_day")
    return SettingsChange(**changes)


@router.post("/settings")
async def settings_post(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _settings_post, form, request)


def _settings_post(form: FormData, request: Request) -> Response:
    away = "away_from" in form
    try:
        with ctx(request).tx() as acc:
            user, a = need_athlete(request, acc)
            if away:
                add_away(acc, a, form)
            else:
                acc.svc.edit_athlete(a, settings_change(form), author=(user.name, user.role))
    except TriplaneError as exc:  # the form again, as typed; the transaction wrote nothing
        state = refusal(
            exc, form, form_id="away-form" if away else "settings-form", words=SETTINGS_WORDS
        )
        return _settings_page(request, status=http_status(exc), f=state)
    return form_done(request, "/settings?saved=1")


# how the use cases' sentences name the settings form's fields
SETTINGS_WORDS = {
    "budget": "daily_minutes",
    "approach": "hip_approach",
    "norm": "norm_set",
    "gym session": "gym_minutes",
    "bed": "sleep",
    "wake": "wake",
    "away to": "away_to",
    "away from": "away_from",
    "period ends": "away_to",
}


def add_away(acc: Accounts, a: Athlete, form: FormData) -> None:
    if not _str(form, "away_from"):
        raise invalid("give the first day away", "away_from")
    start = parse_date(_str(form, "away_from"), "away from")
    end = parse_date(_str(form, "away_to") or _str(form, "away_from"), "away to")
    assert start is not None and end is not None
    acc.svc.add_away(a, start, end, _str(form, "away_reason") or "away")


# ---- reminders (issue 15) ---------------------------------------------------------------------


@router.post("/settings/reminders")
async def settings_reminders(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _settings_reminders, form, request)


def _settings_reminders(form: FormData, request: Request) -> Response:

    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        changes: dict[str, Any] = {
            "lead_minutes": _int(form.get("lead_minutes"), "the lead time"),
            "quiet_hours": _str(form, "quiet_hours") or ("" if "quiet_hours" in form else None),
            "digest_time": _str(form, "digest_time"),
            "pause_days": _int(form.get("pause_days"), "the pause"),
            "ntfy_topic": _str(form, "ntfy_topic") or ("" if "ntfy_topic" in form else None),
        }
        if "channels_sent" in form:
            changes["channels"] = ",".join(str(c) for c in form.getlist("channels"))
        if "digest_sent" in form:
            changes["digest"] = form.get("digest") == "1"
            changes["weekly_review"] = form.get("weekly_review") == "1"
        try:
            with acc.conn.begin_nested():  # a refused change leaves everything as it was
                work(acc).reminders.set_prefs(a, **changes)
        except TriplaneError as exc:
            error: TriplaneError | None = exc
        else:
            error = None
    if error is not None:
        return _settings_page(
            request, reminders_error=page_sentence(error), status=http_status(error)
        )
    return redirect("/settings?reminders=saved#reminders")


@router.post("/settings/reminders/test")
async def settings_reminders_test(request: Request) -> Response:
    await checked_form(request)
    return await _run(request, _settings_reminders_test, request)


def _settings_reminders_test(request: Request) -> Response:
    from triplane.usecases import reminders

    c = ctx(request)
    with c.tx() as acc:
        _, a = need_athlete(request, acc)
    try:
        outcomes = reminders.send_test(c.engine, a)
    except TriplaneError as exc:
        return _settings_page(request, reminders_error=page_sentence(exc), status=http_status(exc))
    return _settings_page(request, test_outcomes=[o.as_dict() for o in outcomes])


@router.get("/settings/push/key")
def push_key(request: Request) -> Response:
    """The installation's VAPID public key (the browser's applicationServerKey)."""

    with ctx(request).tx() as acc:
        need_athlete(request, acc)
        key = work(acc).reminders.vapid()[1]
    return Response(json.dumps({"key": key}), media_type="application/json")


@router.post("/settings/push/subscribe")
async def push_subscribe(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _push_subscribe, form, request)


def _push_subscribe(form: FormData, request: Request) -> Response:

    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        r = work(acc).reminders
        r.subscribe(
            a,
            str(form.get("endpoint", "")),
            str(form.get("p256dh", "")),
            str(form.get("auth", "")),
            request.headers.get("user-agent", ""),
        )
        prefs = r.prefs(a)
        if "push" not in prefs.channels:  # allowing notifications means wanting them
            r.set_prefs(a, channels=",".join((*prefs.channels, "push")))
    return Response(json.dumps({"ok": True}), media_type="application/json")


@router.post("/settings/push/unsubscribe")
async def push_unsubscribe(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _push_unsubscribe, form, request)


def _push_unsubscribe(form: FormData, request: Request) -> Response:

    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        work(acc).reminders.unsubscribe(a, _str(form, "endpoint") or "")
    return Response(json.dumps({"ok": True}), media_type="application/json")


# ---- the calendar subscription (issue 5) ------------------------------------------------------


@router.post("/settings/calendar")
async def settings_calendar(request: Request) -> Response:
    await checked_form(request)
    return await _run(request, _settings_calendar, request)


def _settings_calendar(request: Request) -> Response:
    from triplane.web.api import calendar_urls

    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        token = work(acc).running.create_calendar_token(a)
    urls = calendar_urls(request, token)
    return render(
        request, "calendar_created.html", user, url=urls["url"], webcal_url=urls["webcal_url"]
    )


@router.post("/settings/calendar/revoke")
async def settings_calendar_revoke(request: Request) -> Response:
    await checked_form(request)
    return await _run(request, _settings_calendar_revoke, request)


def _settings_calendar_revoke(request: Request) -> Response:

    with ctx(request).tx() as acc:
        _, a = need_athlete(request, acc)
        work(acc).running.revoke_calendar_tokens(a)
    return redirect("/settings?calendar=revoked")


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str) -> Response:
    """The private subscription URL: no login, the token is the key (only its hash is stored).
    An unknown or revoked token answers 404."""

    c = ctx(request)
    with c.tx() as acc:
        run = work(acc).running
        a = run.athlete_for_calendar_token(token)
        body = c.plans.derived("ics", acc, a, a.today(), lambda: run.feed(a))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Cache-Control": "private, max-age=900",
            "Content-Disposition": 'inline; filename="triplane.ics"',
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        },
    )


def _entry_text(e: dict[str, Any], cat: Any) -> str:
    """A log entry in words: drill, lunge direction and test names instead of their ids."""
    head, sep, rest = str(e["what"]).partition(": ")
    if not sep:
        return str(e["what"])
    if e["kind"] == "drill" and head in cat.drills:
        head = cat.drills[head].name
    elif e["kind"] == "lunge":
        names = {d.id: d.name for d in cat.lunge.directions}
        head = names.get(head, head)
    elif e["kind"] == "measurement":
        test, _, motion_side = head.partition(" ")
        motion, _, side = motion_side.partition(" ")
        name = cat.tests[test].name if test in cat.tests else test
        head = f"{name}, {MOTION_LABEL.get(motion, motion)} {side}".strip()
    return f"{head}: {rest}"


def group_by_day(entries: list[dict[str, Any]]) -> list[tuple[date, list[dict[str, Any]]]]:
    """Entries (oldest first, as the service lists them) grouped by day, newest day and newest
    entry first."""
    days: list[tuple[date, list[dict[str, Any]]]] = []
    for e in reversed(entries):
        day = date.fromisoformat(e["date"])
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(e)
    return days


def _history_days(acc: Accounts, a: Athlete, limit: int = 300) -> tuple[list[Any], int]:
    """The newest `limit` entries grouped by day, newest day first: [(date, [entry...])]."""
    entries = acc.svc.log_entries(a)
    cat = acc.svc.catalogue
    shown = [{**e, "text": _entry_text(e, cat)} for e in entries[-limit:]] if limit else []
    return group_by_day(shown), len(entries)


def _history_page(
    request: Request, acc: Accounts, user: User, a: Athlete, status: int = 200, **extra: Any
) -> HTMLResponse:
    days, total = _history_days(acc, a)
    shown = sum(len(es) for _, es in days)
    return render(
        request, "history.html", user, status=status, days=days, shown=shown, total=total, **extra
    )


@router.get("/history")
def history(request: Request, deleted: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        return _history_page(request, acc, user, a, deleted=(deleted or "")[:200])


@router.post("/history/delete")
async def history_delete(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _history_delete, form, request)


def _history_delete(form: FormData, request: Request) -> Response:
    entry = str(form.get("entry", ""))
    try:
        with ctx(request).tx() as acc:
            _, a = need_athlete(request, acc)
            what = next((e for e in acc.svc.log_entries(a) if e["id"] == entry), None)
            acc.svc.delete_entry(a, entry)
            text = f"{what['date']} {_entry_text(what, acc.svc.catalogue)}" if what else entry
    except TriplaneError as exc:  # the page again, the sentence beside that entry (no dead end)
        if isinstance(exc, NotFound):  # in words, not the entry's id
            exc = NotFound("that entry is no longer there; it may have been deleted already")
        state = refusal(exc, form, fields=(), form_id=f"delete-{entry}"[:80])
        with ctx(request).tx() as acc:
            user, a = need_athlete(request, acc)
            return _history_page(request, acc, user, a, status=http_status(exc), f=state)
    from urllib.parse import quote

    return form_done(request, f"/history?deleted={quote(text)}")


# ---- account ----------------------------------------------------------------------------------


@router.get("/account")
def account(request: Request, done: str | None = None) -> Response:
    return _account_page(request, done=done)


def _account_page(
    request: Request, status: int = 200, f: FormState = EMPTY, done: str | None = None
) -> Response:
    with ctx(request).tx() as acc:
        user = need_user(request, acc)
        coaches = acc.coaches_of(user)
    return render(request, "account.html", user, status=status, f=f, coaches=coaches, done=done)


SECRET_FIELDS = ("current", "new", "repeat", "password")  # never sent back into a page


def _account_refusal(exc: TriplaneError, form: FormData, form_id: str, field: str) -> FormState:
    """An account form's refusal: the sentence beside `field` unless the error names its own,
    and no password typed into the page again."""
    if getattr(exc, "field", None) is None:
        exc.field = field
    kept = {k: v for k, v in form.items() if k not in SECRET_FIELDS}
    state = refusal(exc, form, fields=list(form.keys()), form_id=form_id)
    state.values = kept or {"sent": "1"}
    return state


@router.post("/account/password")
async def account_password(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _account_password, form, request)


def _account_password(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:
            user = need_user(request, acc)
            if form.get("new") != form.get("repeat"):
                raise invalid("the two new passwords differ; type the same one twice", "repeat")
            try:
                acc.change_password(
                    user,
                    str(form.get("current", "")),
                    str(form.get("new", "")),
                    keep_session=request.cookies.get(security.SESSION_COOKIE),
                )
            except TriplaneError as exc:
                if getattr(exc, "field", None) is None:
                    exc.field = "current" if "current" in str(exc) else "new"
                raise
    except TriplaneError as exc:
        state = _account_refusal(exc, form, "password-form", "new")
        return _account_page(request, http_status(exc), state)
    return form_done(request, "/account?done=password")


@router.get("/account/export")
def account_export(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user = need_user(request, acc)
        data = acc.export(user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="triplane-export.json"'},
    )


@router.post("/account/delete")
async def account_delete(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _account_delete, form, request)


def _account_delete(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:
            user = need_user(request, acc)
            if form.get("confirm") != "DELETE":
                raise invalid("type DELETE in capitals to confirm; nothing was deleted", "confirm")
            acc.delete_account(user, str(form.get("password", "")))
    except TriplaneError as exc:
        state = _account_refusal(exc, form, "delete-form", "password")
        return _account_page(request, http_status(exc), state)
    response = form_done(request, "/login")
    security.clear_session_cookie(response)
    return response


@router.post("/account/invite")
async def account_invite(request: Request) -> Response:
    form = await checked_form(request)
    return await _run(request, _account_invite, form, request)


def _account_invite(form: FormData, request: Request) -> Response:
    try:
        with ctx(request).tx() as acc:
            user = need_user(request, acc)
            acc.accept_invite(user, str(form.get("code", "")))
    except TriplaneError as exc:
        state = _account_refusal(exc, form, "invite-form", "code")
        return _account_page(request, http_status(exc), state)
    return form_done(request, "/account?done=linked")


@router.get("/offline")
def offline(request: Request) -> Response:
    return render(request, "offline.html")

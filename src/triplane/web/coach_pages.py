"""The coach's pages (issue 14 §6): thin routes over `triplane.usecases.coach`.

The list of athletes (most in need of attention first), an athlete's page (snacks of the last
7 days with their discomfort and comments, the coach's choices, who changed what), the week
(edited, then confirmed), drills (pin or ban) and lunge directions (cap or lock). A form with
an error comes back on its own page with the sentence beside it and what was typed kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from triplane.core import coaching
from triplane.core.anatomy import WEEKDAYS
from triplane.core.conditions import drill_ruled_out, restrictions_for
from triplane.core.lunge import HOLD_KINDS
from triplane.core.settings import SettingsChange
from triplane.usecases import coach as uc
from triplane.usecases.accounts import Accounts, User
from triplane.usecases.service import Athlete, Invalid, parse_date, settings_to_json
from triplane.web.deps import ctx
from triplane.web.errors import page_sentence
from triplane.web.pages import (
    _int,
    _run,
    _str,
    checked_form,
    need_athlete,
    need_coach,
    redirect,
    render,
    settings_change,
)

router = APIRouter(include_in_schema=False)
DONE = {
    "week": "The week is saved.",
    "settings": "Saved.",
    "drills": "Saved: the plan follows it from today.",
    "lunges": "Saved: the lunge session follows it from today.",
    "comment": "Comment saved: the athlete sees it on Today.",
    "deleted": "Comment deleted.",
    "nothing": "Nothing changed.",
}


def _linked(request: Request, acc: Accounts, athlete_id: int) -> tuple[User, Athlete]:
    user = need_coach(request, acc)
    return user, acc.coach_athlete(user, athlete_id)


# ---- the list of athletes --------------------------------------------------------------------


@router.get("/coach")
def coach(request: Request, code: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        user = need_coach(request, acc)
        rows = uc.dashboard(acc, user)
        invites = acc.open_invites(user)
    return render(request, "coach.html", user, rows=rows, invites=invites, code=code)


@router.post("/coach/invite")
async def coach_invite(request: Request) -> Response:
    await checked_form(request)
    with ctx(request).tx() as acc:
        code = acc.create_invite(need_coach(request, acc))
    return redirect(f"/coach?code={code}")


# ---- one athlete -----------------------------------------------------------------------------


def _athlete_page(
    acc: Accounts, request: Request, user: User, a: Athlete, **extra: Any
) -> dict[str, Any]:
    s = acc.svc.settings_on(a, a.today())
    log = acc.svc.athlete_log(a)
    adherence = acc.adherence(a)
    flags = acc.flags(a)
    pain = coaching.pain_reports(
        a.today(), log.drill_logs, log.lunge_logs, log.check_ins, acc.svc.names()
    )
    attention = coaching.attention(
        flags["paused"],
        pain,
        adherence["last_7_days"]["ratio"],
        adherence["last_28_days"]["ratio"],
    )
    history = acc.svc.settings_history(a)
    return {
        "athlete": a,
        "adherence": adherence,
        "flags": flags,
        "attention": attention,
        "profile": acc.svc.profile(a),
        "plan": ctx(request).plans.plan_day(acc, a, None),
        "days": uc.snacks(acc, user, a.id),
        "entries": list(reversed(acc.svc.log_entries(a)))[:60],
        "s": settings_to_json(s),
        "choices": _choices(acc, s),
        "history": [e for e in reversed(history) if e["changes"]][:10],
        "default_order": acc.svc.catalogue.lunge.default_order,
        "today": a.today(),
        **extra,
    }


def _choices(acc: Accounts, s: Any) -> dict[str, Any]:
    names = acc.svc.names()
    return {
        "banned": [names.get(d, d) for d in s.banned_drills],
        "pinned": [(names.get(d, d), n) for d, n in s.pinned_drills],
        "holds": [(names.get(d, d), kind) for d, kind in s.lunge_holds],
    }


@router.get("/coach/athletes/{athlete_id}")
def coach_athlete(request: Request, athlete_id: int, done: str | None = None) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        data = _athlete_page(acc, request, user, a, done=DONE.get(done or ""))
    return render(request, "coach_athlete.html", user, **data)


@router.post("/coach/athletes/{athlete_id}/settings")
async def coach_settings(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_settings, form, request, athlete_id)


def _coach_settings(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        change = settings_change(form)  # the coach's form holds the ladder order
        acc.svc.edit_athlete(
            a,
            SettingsChange(daily_minutes=change.daily_minutes, ladder_order=change.ladder_order),
            author=(user.name, user.role),
        )
    return redirect(f"/coach/athletes/{athlete_id}?done=settings")


# ---- comments --------------------------------------------------------------------------------


@router.post("/coach/athletes/{athlete_id}/comments")
async def coach_comment(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_comment, form, request, athlete_id)


def _coach_comment(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        try:
            day = parse_date(_str(form, "date"), "the comment's day") or a.today()
            uc.comment(acc, user, a.id, day, _str(form, "text") or "", _str(form, "drill"))
        except Invalid as exc:
            data = _athlete_page(
                acc,
                request,
                user,
                a,
                comment_error=page_sentence(exc),
                comment_for=(_str(form, "date"), _str(form, "drill")),
                comment_text=_str(form, "text") or "",
            )
            return render(request, "coach_athlete.html", user, status=422, **data)
    return redirect(f"/coach/athletes/{athlete_id}?done=comment#day-{day.isoformat()}")


@router.post("/coach/athletes/{athlete_id}/comments/delete")
async def coach_comment_delete(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_comment_delete, form, request, athlete_id)


def _coach_comment_delete(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        comment_id = _int(form.get("comment"), "the comment") or 0
        uc.delete_comment(acc, user, a.id, comment_id)
    return redirect(f"/coach/athletes/{athlete_id}?done=deleted")


# ---- the week: edit, then confirm ------------------------------------------------------------


def week_changes(form: FormData) -> dict[str, Any]:
    """The week form's fields as the service's change names: run days with a time each (or
    the usual run time), the long-run day, gym days, time and length, and minutes a day."""
    days = [d for d in WEEKDAYS if d in form.getlist("run_days")]
    per_day = [f"{d}={_str(form, f'run_time_{d}')}" for d in days if _str(form, f"run_time_{d}")]
    changes: dict[str, Any] = {
        "run_days": ",".join(days),
        "run_times": ",".join(per_day),
        "long_run_day": _str(form, "long_run_day") or "",
        "gym_days": ",".join(d for d in WEEKDAYS if d in form.getlist("gym_days")),
    }
    for key in ("run_time", "gym_time"):
        if _str(form, key):
            changes[key] = _str(form, key)
    for key in ("daily_minutes", "gym_minutes"):
        value = _int(form.get(key), key.replace("_", " "))
        if value is not None:
            changes[key] = value
    return changes


def _week_values(s: dict[str, Any]) -> dict[str, Any]:
    """The form's values from the settings in force (for the first view of the form)."""
    return {
        "run_days": s["run_days"],
        "run_time": s["run_time"] or "",
        "run_times": dict(s["run_times"]),
        "long_run_day": s["long_run_day"] or "",
        "gym_days": s["gym_days"],
        "gym_time": s["gym_time"] or "",
        "gym_minutes": s["gym_minutes"],
        "daily_minutes": s["daily_minutes"],
    }


def _form_values(form: FormData) -> dict[str, Any]:
    """What was typed, to fill the form again (after an error, or 'Change it')."""
    return {
        "run_days": form.getlist("run_days"),
        "run_time": _str(form, "run_time") or "",
        "run_times": {d: _str(form, f"run_time_{d}") or "" for d in WEEKDAYS},
        "long_run_day": _str(form, "long_run_day") or "",
        "gym_days": form.getlist("gym_days"),
        "gym_time": _str(form, "gym_time") or "",
        "gym_minutes": _str(form, "gym_minutes") or "",
        "daily_minutes": _str(form, "daily_minutes") or "",
    }


@router.get("/coach/athletes/{athlete_id}/week")
def coach_week(request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        s = settings_to_json(acc.svc.settings_on(a, a.today()))
    return render(request, "coach_week.html", user, athlete=a, v=_week_values(s))


@router.post("/coach/athletes/{athlete_id}/week")
async def coach_week_post(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_week_post, form, request, athlete_id)


def _coach_week_post(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        values = _form_values(form)
        try:
            changes = week_changes(form)
            if form.get("confirm") == "1":
                said = uc.edit_week(acc, user, a.id, changes)
                done = "week" if said else "nothing"
                return redirect(f"/coach/athletes/{athlete_id}?done={done}")
            said = uc.preview_week(acc, user, a.id, changes)
        except Invalid as exc:
            return render(
                request,
                "coach_week.html",
                user,
                status=422,
                athlete=a,
                v=values,
                error=page_sentence(exc),
            )
        hidden = [
            (k, str(v)) for k, v in form.multi_items() if k not in ("csrf", "confirm", "edit")
        ]
        if form.get("edit") == "1" or not said:
            return render(
                request,
                "coach_week.html",
                user,
                athlete=a,
                v=values,
                error=None if said else "nothing would change: edit a field first",
                status=200 if said else 422,
            )
    return render(request, "coach_week_confirm.html", user, athlete=a, changes=said, hidden=hidden)


# ---- drills: pin or ban -------------------------------------------------------------------


def _drill_rows(acc: Accounts, a: Athlete) -> list[dict[str, Any]]:
    s = acc.svc.settings_on(a, a.today())
    r = restrictions_for(acc.svc.catalogue, s)
    pins = dict(s.pinned_drills)
    week = acc.svc.plan_week(a, a.today())
    per_week: dict[str, int] = {}
    for day in week:
        for sl in day.slots:
            per_week[sl.drill.id] = per_week.get(sl.drill.id, 0) + 1
    rows = []
    for dr in sorted(acc.svc.catalogue.drills.values(), key=lambda d: d.name):
        rows.append(
            {
                "drill": dr,
                "ruled_out": drill_ruled_out(dr, r),
                "banned": dr.id in s.banned_drills,
                "pinned": pins.get(dr.id),
                "this_week": per_week.get(dr.id, 0),
                "twins": sorted(acc.svc.names()[t] for t in uc.twins(acc, dr.id)),
            }
        )
    return rows


@router.get("/coach/athletes/{athlete_id}/drills")
def coach_drills(request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        rows = _drill_rows(acc, a)
    return render(
        request,
        "coach_drills.html",
        user,
        athlete=a,
        rows=rows,
        pin_max=coaching.PIN_MAX_DAYS,
        pin_default=coaching.PIN_DEFAULT_DAYS,
    )


@router.post("/coach/athletes/{athlete_id}/drills")
async def coach_drills_post(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_drills_post, form, request, athlete_id)


def _coach_drills_post(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        drill = _str(form, "drill") or ""
        action = _str(form, "action")
        try:
            if action == "ban":
                uc.ban_drill(acc, user, a.id, drill, with_twin=form.get("twin") == "1")
            elif action == "pin":
                days = _int(form.get("days"), "days a week") or coaching.PIN_DEFAULT_DAYS
                uc.pin_drill(acc, user, a.id, drill, days)
            elif action == "release":
                uc.release_drill(acc, user, a.id, drill)
            else:
                raise Invalid("choose pin, ban or release")
        except Invalid as exc:
            return render(
                request,
                "coach_drills.html",
                user,
                status=422,
                athlete=a,
                rows=_drill_rows(acc, a),
                pin_max=coaching.PIN_MAX_DAYS,
                pin_default=coaching.PIN_DEFAULT_DAYS,
                error=page_sentence(exc),
                error_drill=drill,
                days_typed=_str(form, "days"),
            )
    return redirect(f"/coach/athletes/{athlete_id}/drills?done=1#drill-{drill}")


# ---- lunge directions: cap or lock --------------------------------------------------------


def _direction_rows(acc: Accounts, a: Athlete) -> list[dict[str, Any]]:
    s = acc.svc.settings_on(a, a.today())
    holds = dict(s.lunge_holds)
    _, plans = acc.svc.lunge_next(a)
    matrix = acc.svc.catalogue.lunge
    left_out = dict(acc.svc.lunge_ruled_out(a))
    rows = []
    for p in plans:
        direction = p.prescription.direction
        rows.append(
            {
                "id": direction,
                "name": matrix.direction(direction).name,
                "plan": p,
                "level": p.current.as_dict(),
                "hold": holds.get(direction),
            }
        )
    for direction, why in left_out.items():
        rows.append(
            {
                "id": direction,
                "name": matrix.direction(direction).name,
                "left_out": why,
                "hold": None,
            }
        )
    return rows


@router.get("/coach/athletes/{athlete_id}/lunges")
def coach_lunges(request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        rows = _direction_rows(acc, a)
    return render(request, "coach_lunges.html", user, athlete=a, rows=rows, kinds=HOLD_KINDS)


@router.post("/coach/athletes/{athlete_id}/lunges")
async def coach_lunges_post(request: Request, athlete_id: int) -> Response:
    form = await checked_form(request)
    return await _run(request, _coach_lunges_post, form, request, athlete_id)


def _coach_lunges_post(form: FormData, request: Request, athlete_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = _linked(request, acc, athlete_id)
        direction = _str(form, "direction") or ""
        hold = _str(form, "hold")
        try:
            uc.hold_lunge(acc, user, a.id, direction, None if hold in (None, "free") else hold)
        except Invalid as exc:
            rows = _direction_rows(acc, a)
            return render(
                request,
                "coach_lunges.html",
                user,
                status=422,
                athlete=a,
                rows=rows,
                kinds=HOLD_KINDS,
                error=page_sentence(exc),
                error_direction=direction,
            )
    return redirect(f"/coach/athletes/{athlete_id}/lunges?done=1")


# ---- the athlete's side: who changed what ----------------------------------------------------


@router.get("/settings/changes")
def settings_changes_page(request: Request) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        history = [e for e in reversed(acc.svc.settings_history(a)) if e["changes"]]
    return render(request, "settings_changes.html", user, athlete=a, history=history)


def today_coach(acc: Accounts, a: Athlete, day: date) -> dict[str, Any]:
    """What Today shows of the coach (`_coach_today.html`)."""
    return uc.for_today(acc, a, day)

"""The command line: a thin face over the use cases (Typer for parsing, Rich for people).

Start-up is kept short: the `--json` paths import neither Rich nor Alembic; heavy modules are
imported inside the commands that need them.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

app = typer.Typer(
    name="triplane",
    help="3D hip mobility and strength for trail runners: assess, plan, log, progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
athlete_app = typer.Typer(help="Add, list, show and edit athletes.", no_args_is_help=True)
assess_app = typer.Typer(
    help="Record hip measurements and see the mobility profile.", no_args_is_help=True
)
plan_app = typer.Typer(help="Today's or this week's movement snacks.", no_args_is_help=True)
lunge_app = typer.Typer(
    help="The lunge matrix: next prescription and logging.", no_args_is_help=True
)
log_app = typer.Typer(help="List and correct log entries.", no_args_is_help=True)
drills_app = typer.Typer(help="The drill catalogue.", no_args_is_help=True)
app.add_typer(athlete_app, name="athlete")
app.add_typer(assess_app, name="assess")
app.add_typer(plan_app, name="plan")
app.add_typer(lunge_app, name="lunge")
app.add_typer(log_app, name="log")
app.add_typer(drills_app, name="drills")


class _Global:
    db: str | None = None
    demo: bool = False


G = _Global()

AthleteOpt = Annotated[
    str | None,
    typer.Option("--athlete", "-a", help="Athlete name (optional when there is only one)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLAlchemy URL (default: $TRIPLANE_DATABASE_URL, else a "
            "SQLite file in your user data folder).",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the separate demo database.")] = False,
) -> None:
    G.db, G.demo = db, demo


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"triplane: {message}\n")
    raise typer.Exit(code)


def service():  # type: ignore[no-untyped-def]
    from triplane.usecases.service import open_service

    return open_service(G.db, G.demo)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False)


def _date(value: str | None, what: str = "--date") -> date | None:
    from triplane.usecases.service import parse_date

    return parse_date(value, what)


# ---- athletes -----------------------------------------------------------------------------------


def _settings_change(
    *,
    no_kneeling: bool | None = None,
    condition: list[str] | None = None,
    approach: str | None = None,
    ladder_order: str | None = None,
    **options: Any,
) -> Any:
    """The options of `athlete add` and `athlete edit` as the core's SettingsChange (the
    options keep the field names, but for these four)."""
    from triplane.core.settings import SettingsChange

    return SettingsChange(
        kneeling_ok=None if no_kneeling is None else not no_kneeling,
        conditions=tuple(condition) if condition is not None else None,
        hip_approach=approach,
        ladder_order=tuple(ladder_order.split(",")) if ladder_order is not None else None,
        **options,
    )


RunDays = Annotated[str | None, typer.Option("--run-days", help="e.g. mon,wed,fri,sun")]
RunTime = Annotated[
    str | None, typer.Option("--run-time", help="HH:MM, or two: 06:30,18:00 (two runs a day)")
]
RunTimes = Annotated[
    str | None,
    typer.Option("--run-times", help="per weekday, e.g. mon=06:30,sat=08:00 (mon=06:30+18:00)"),
]
GymDays = Annotated[str | None, typer.Option("--gym-days", help="e.g. tue,thu")]
GymTime = Annotated[str | None, typer.Option("--gym-time", help="HH:MM")]
GymMinutes = Annotated[int | None, typer.Option("--gym-minutes", help="length of a gym session")]
Wake = Annotated[str | None, typer.Option("--wake", help="HH:MM (default 06:30)")]
Sleep = Annotated[str | None, typer.Option("--sleep", help="HH:MM (default 22:30)")]
Budget = Annotated[
    int | None, typer.Option("--daily-minutes", help="minutes of drills a day (default 15)")
]
Condition = Annotated[
    list[str] | None, typer.Option("--condition", help="e.g. hip_replacement (repeatable)")
]
WorkHours = Annotated[str | None, typer.Option("--work-hours", help="e.g. 09:00-17:00")]
WorkDays = Annotated[str | None, typer.Option("--work-days", help="default mon-fri")]
LongRun = Annotated[str | None, typer.Option("--long-run-day", help="e.g. sun")]
Approach = Annotated[
    str | None,
    typer.Option(
        "--approach",
        help="hip replacement approach: posterior, anterior or unknown (default: unknown, "
        "every precaution)",
    ),
]
BirthYear = Annotated[
    int | None, typer.Option("--birth-year", help="optional; picks age-specific norms")
]
Sex = Annotated[
    str | None,
    typer.Option("--sex", help="optional: female, male (or unspecified); picks norms"),
]
Tz = Annotated[str | None, typer.Option("--tz", help="IANA time zone, e.g. Europe/Zurich")]


@athlete_app.command("add")
def athlete_add(
    name: Annotated[str, typer.Argument(help="The athlete's name.")],
    run_days: RunDays = None,
    run_time: RunTime = None,
    gym_days: GymDays = None,
    gym_time: GymTime = None,
    gym_minutes: GymMinutes = None,
    wake: Wake = None,
    sleep: Sleep = None,
    daily_minutes: Budget = None,
    no_kneeling: Annotated[
        bool, typer.Option("--no-kneeling", help="Kneeling hurts: standing versions only.")
    ] = False,
    condition: Condition = None,
    work_hours: WorkHours = None,
    work_days: WorkDays = None,
    long_run_day: LongRun = None,
    tz: Tz = None,
    approach: Approach = None,
    birth_year: BirthYear = None,
    sex: Sex = None,
    run_times: RunTimes = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an athlete with their week: runs, gym, waking hours, work hours, budget."""
    change = _settings_change(
        run_days=run_days,
        run_time=run_time,
        run_times=run_times,
        gym_days=gym_days,
        gym_time=gym_time,
        gym_minutes=gym_minutes,
        wake=wake,
        sleep=sleep,
        daily_minutes=daily_minutes,
        no_kneeling=no_kneeling,
        condition=condition,
        work_hours=work_hours,
        work_days=work_days,
        long_run_day=long_run_day,
        approach=approach,
        birth_year=birth_year,
        sex=sex,
    )
    with service() as svc:
        a = svc.add_athlete(name, tz=tz, change=change)
        summary = svc.athlete_summary(a)
    if as_json:
        emit_json(summary)
    else:
        print(
            f"Added {a.name}. Next: assess the hips (triplane assess add --help) or see "
            "today's plan (triplane plan day)."
        )


@athlete_app.command("list")
def athlete_list(as_json: JsonOpt = False) -> None:
    """List the athletes in the database."""
    with service() as svc:
        rows = [{"id": a.id, "name": a.name, "tz": a.tz} for a in svc.athletes()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        print("No athletes yet: add one with `triplane athlete add NAME`.")
    for r in rows:
        print(f"{r['name']}  ({r['tz']})")


@athlete_app.command("show")
def athlete_show(
    name: Annotated[str | None, typer.Argument(help="Athlete name.")] = None,
    athlete: AthleteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show an athlete's settings in force today."""
    from triplane.usecases.running import Running

    with service() as svc:
        a = svc.athlete(name or athlete)
        summary = svc.athlete_summary(a)
        routine = Running(svc).routine(a)
    summary["routine"] = {**routine.as_dict(), "text": routine.text_repr()}
    if as_json:
        emit_json(summary)
        return
    s = summary["settings"]
    out = console()
    out.print(f"[bold]{a.name}[/bold]  time zone {a.tz}")
    out.print(f"  awake {s['wake']}-{s['sleep']}, {s['daily_minutes']} min of drills a day")
    runs = ",".join(s["run_days"]) or "none declared"
    times = ",".join(x for x in (s["run_time"], s.get("second_run_time")) if x)
    out.print(f"  runs: {runs}" + (f" at {times}" if times else ""))
    if s.get("run_times"):
        out.print("  run times: " + ", ".join(f"{d} {x}" for d, x in s["run_times"].items()))
    gyms = ",".join(s["gym_days"]) or "none"
    out.print(
        f"  gym: {gyms}"
        + (f" at {s['gym_time']} for {s['gym_minutes']} min" if s["gym_time"] else "")
    )
    if s["work_start"]:
        out.print(
            f"  work: {','.join(s['work_days'])} {s['work_start']}-{s['work_end']} "
            "(standing drills only)"
        )
    out.print("  kneeling: " + ("fine" if s["kneeling_ok"] else "no (standing versions)"))
    if s["conditions"]:
        approach = f" ({s.get('hip_approach') or 'unknown'} approach)"
        labels = [c + (approach if c == "hip_replacement" else "") for c in s["conditions"]]
        out.print("  conditions: " + ", ".join(labels))
    if s.get("birth_year") or s.get("sex"):
        born = f"born {s['birth_year']}" if s.get("birth_year") else None
        out.print("  for norms: " + ", ".join(v for v in (s.get("sex"), born) if v))
    if s.get("long_run_day"):
        out.print(f"  long run: {s['long_run_day']}")
    if s.get("lunge_cap"):
        out.print(f"  lunge matrix capped by the coach: {s['lunge_cap']}")
    if routine.runs_counted:
        used = " (used instead of the declared runs)" if routine.enough else ""
        out.print(f"  learned from imported runs{used}: {routine.text_repr()}")


@athlete_app.command("edit")
def athlete_edit(
    name: Annotated[str | None, typer.Argument(help="Athlete name.")] = None,
    athlete: AthleteOpt = None,
    rename: Annotated[str | None, typer.Option("--rename", help="New name.")] = None,
    effective: Annotated[
        str | None, typer.Option("--from", help="Changes apply from this date (default today).")
    ] = None,
    run_days: RunDays = None,
    run_time: RunTime = None,
    gym_days: GymDays = None,
    gym_time: GymTime = None,
    gym_minutes: GymMinutes = None,
    wake: Wake = None,
    sleep: Sleep = None,
    daily_minutes: Budget = None,
    no_kneeling: Annotated[
        bool | None, typer.Option("--no-kneeling/--kneeling", help="Whether kneeling is fine.")
    ] = None,
    condition: Condition = None,
    work_hours: WorkHours = None,
    work_days: WorkDays = None,
    long_run_day: LongRun = None,
    tz: Tz = None,
    norm_set: Annotated[
        str | None, typer.Option("--norm-set", help="e.g. wilson2014, or auto (by age and sex)")
    ] = None,
    ladder_order: Annotated[
        str | None,
        typer.Option(
            "--ladder-order",
            help="order the lunge variables advance in, e.g. "
            "range,duration,speed,stability,environment,load",
        ),
    ] = None,
    approach: Approach = None,
    birth_year: BirthYear = None,
    sex: Sex = None,
    run_times: RunTimes = None,
    lunge_cap: Annotated[
        str | None,
        typer.Option(
            "--lunge-cap",
            help="a coach's cap: lighter lunge sessions that never count as history, from "
            "--from on, e.g. --lunge-cap 'sore calf'; --lunge-cap off lifts it",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an athlete's week or preferences (a dated change: history keeps its meaning)."""
    change = _settings_change(
        run_days=run_days,
        run_time=run_time,
        run_times=run_times,
        gym_days=gym_days,
        gym_time=gym_time,
        gym_minutes=gym_minutes,
        wake=wake,
        sleep=sleep,
        daily_minutes=daily_minutes,
        no_kneeling=no_kneeling,
        condition=condition,
        work_hours=work_hours,
        work_days=work_days,
        long_run_day=long_run_day,
        norm_set=norm_set,
        ladder_order=ladder_order,
        approach=approach,
        birth_year=birth_year,
        sex=sex,
        lunge_cap=lunge_cap,
    )
    with service() as svc:
        a = svc.athlete(name or athlete)
        a = svc.edit_athlete(
            a, change, effective=_date(effective, "--from"), new_name=rename, tz=tz
        )
        summary = svc.athlete_summary(a)
    if as_json:
        emit_json(summary)
    else:
        print(f"Updated {a.name}.")


@athlete_app.command("delete")
def athlete_delete(
    name: Annotated[str, typer.Argument(help="Athlete name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Really delete, with all their data.")] = False,
) -> None:
    """Delete an athlete and everything recorded for them."""
    if not yes:
        fail(
            f"this deletes {name} and all their data; add --yes to confirm "
            "(`triplane export` first keeps a copy)"
        )
    with service() as svc:
        svc.delete_athlete(svc.athlete(name))
    print(f"Deleted {name}.")


# ---- assessment ---------------------------------------------------------------------------------


@assess_app.command("add")
def assess_add(
    side: Annotated[str, typer.Option("--side", help="left or right")],
    athlete: AthleteOpt = None,
    motion: Annotated[str | None, typer.Option("--motion", help="e.g. internal_rotation")] = None,
    test: Annotated[
        str | None,
        typer.Option("--test", help="e.g. seated_rotation (default: the motion's usual test)"),
    ] = None,
    degrees: Annotated[str | None, typer.Option("--degrees")] = None,  # checked by the service
    cm: Annotated[str | None, typer.Option("--cm")] = None,  # checked by the service
    score: Annotated[str | None, typer.Option("--score")] = None,  # checked by the service
    result: Annotated[str | None, typer.Option("--result", help="pass or fail")] = None,
    rating: Annotated[
        int | None, typer.Option("--rating", help="0-3 self-rating, no device")
    ] = None,
    day: DateOpt = None,
    painful: Annotated[bool, typer.Option("--painful", help="The test hurt.")] = False,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="inclinometer_app, goniometer, tape_measure, video, self_rating, observation",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one measurement (history is kept; the newest one counts)."""
    with service() as svc:
        a = svc.athlete(athlete)
        mid = svc.add_measurement(
            a,
            side=side,
            motion=motion,
            test=test,
            degrees=degrees,
            cm=cm,
            score=score,
            result=result,
            rating=rating,
            day=_date(day),
            painful=painful,
            device=device,
        )
        profile = svc.profile(a, _date(day))
    if as_json:
        emit_json({"id": f"M{mid}", "profile": profile.as_dict()})
        return
    print(f"Recorded (M{mid}).")
    for line in profile.advice:
        print(f"  ! {line}")


@assess_app.command("show")
def assess_show(athlete: AthleteOpt = None, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """The mobility profile: each motion and side against the norm, asymmetries, priorities."""
    with service() as svc:
        a = svc.athlete(athlete)
        profile = svc.profile(a, _date(day))
        cat = svc.catalogue
    if as_json:
        emit_json(profile.as_dict())
        return
    from rich.table import Table

    from triplane.core.anatomy import MOTION_LABEL

    colour = {"ok": "green", "borderline": "yellow", "restricted": "red", "unknown": "dim"}
    table = Table(title=f"{a.name}: hip mobility (norms: {cat.norm_sets[profile.norm_set].name})")
    table.caption = f"Norm set {profile.norm_set}, {profile.norm_choice}"
    for col in ("motion", "plane", "left", "right", "asymmetry"):
        table.add_column(col)

    def cell(side: Any) -> str:
        if side.value is None:
            return "[dim]not measured[/dim]"
        unit = {"degrees": "°", "cm": " cm"}.get(side.unit or "", f" ({side.unit})")
        ratio = f" {side.ratio:.0%}" if side.ratio is not None else ""
        hurt = " [red]hurt[/red]" if side.painful else ""
        band = f" ±{side.error_band:g}° (video)" if side.error_band else ""
        return f"{side.value:g}{unit}{band}{ratio} [{colour[side.status]}]{side.status}[/]{hurt}"

    for m in profile.motions:
        asym = "" if m.asymmetry_degrees is None else f"{m.asymmetry_degrees:g}°"
        if m.asymmetry_flagged:
            asym = f"[red]{asym} flagged[/red]"
        table.add_row(MOTION_LABEL[m.motion], m.plane, cell(m.left), cell(m.right), asym)
    out = console()
    out.print(table)
    if profile.priorities:
        out.print(
            "Priorities (most restricted first): "
            + ", ".join(MOTION_LABEL[p] for p in profile.priorities)
        )
    elif profile.assessed:
        out.print("Nothing restricted: the plan keeps all six motions moving.")
    else:
        out.print("Not assessed yet: `triplane assess tests` lists the tests and how to do them.")
    for line in profile.advice:
        out.print(f"[yellow]! {line}[/yellow]")
    if profile.referral:
        out.print(f"[bold yellow]! {profile.referral}[/bold yellow]")


@assess_app.command("tests")
def assess_tests(as_json: JsonOpt = False) -> None:
    """The assessment tests, with how to do them."""
    from triplane.usecases.service import current_catalogue

    cat = current_catalogue()
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "motions": list(s.motions),
            "unit": s.unit,
            "range": [s.minimum, s.maximum],
            "mdc": s.mdc,
            "instructions": list(s.instructions),
            "phone": s.phone_how,
            "by_eye": s.by_eye,
            "rating_guide": list(s.rating_guide),
        }
        for s in cat.tests.values()
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        print(f"{r['id']}: {r['name']} ({', '.join(r['motions'])}; {r['unit']})")
        for i, step in enumerate(r["instructions"], 1):
            print(f"   {i}. {step}")
        print(f"   phone: {r['phone']}")
        print(f"   no device: {r['by_eye']}")


# ---- plans --------------------------------------------------------------------------------------


@plan_app.command("day")
def plan_day(athlete: AthleteOpt = None, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """The day's movement snacks (and lunge-matrix session, when due)."""
    with service() as svc:
        a = svc.athlete(athlete)
        plan = svc.plan_day(a, _date(day))
        if as_json:
            emit_json(plan.as_dict())
            return
        states = svc.snack_states(a, [s.drill.id for s in plan.slots], plan.date)
    _print_day(plan.as_dict(), a.name, states=states)


@plan_app.command("week")
def plan_week(
    athlete: AthleteOpt = None,
    start: Annotated[
        str | None, typer.Option("--start", help="first day (default: this week's Monday)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Seven days of snacks, starting Monday (or --start)."""
    with service() as svc:
        a = svc.athlete(athlete)
        days = [p.as_dict() for p in svc.plan_week(a, _date(start, "--start"))]
    if as_json:
        emit_json({"days": days})
        return
    for d in days:
        _print_day(d, a.name, compact=True)


def _print_day(
    d: dict[str, Any], name: str, compact: bool = False, states: list[str | None] | None = None
) -> None:
    out = console()
    day = date.fromisoformat(d["date"])
    head = f"[bold]{day:%A %d %B %Y}[/bold] - {name} - {d['day_type'].replace('_', ' + ')} day"
    out.print(head)
    safety = d["safety"]
    if safety["paused"]:
        style = "bold white on red" if safety["level"] == "urgent" else "bold red"
        out.print(f"[{style}]STOP AND SEE A CLINICIAN.[/] {safety['advice']}")
        return
    if d.get("away"):
        out.print(f"  away ({d['away']}): nothing planned.")
        return
    if safety["level"] != "none":
        out.print(f"[yellow]! {safety['advice']}[/yellow]")
    lines: list[tuple[str, str]] = []  # (start, text): snacks and the lunge session in time order
    next_day = f"{day + timedelta(days=1):%a}"

    def at(item: dict[str, Any]) -> tuple[str, str]:
        """Sort key and shown time; after midnight (a night-shift day) the time names the day."""
        late = bool(item.get("day_offset"))
        shown = f"{item['start']} {next_day}" if late else item["start"]
        return f"{int(late)}{item['start']}", shown

    for s, state in zip(d["slots"], states or [None] * len(d["slots"]), strict=True):
        side = "" if s["side"] == "both" else f" ({s['side']} side)"
        key, shown = at(s)
        text = (
            f"  {shown}  {s['minutes']} min  [cyan]{s['drill']['name']}[/cyan]{side}"
            f"  [dim]{s['context'].replace('_', ' ')} - {s['dose']}[/dim]"
            + (f"  [green]{state}[/green]" if state else "")
        )
        if s["note"] and not compact:
            text += f"\n         [yellow]{s['note']}[/yellow]"
        lines.append((key, text))
    ls = d["lunge_session"]
    if ls:
        key, shown = at(ls)
        lines.append(
            (
                key,
                f"  {shown}  {ls.get('minutes', 0)} min  [magenta]Lunge matrix[/magenta] "
                f"({len(ls['directions'])} directions, estimate; `triplane lunge next`)"
                + (f"\n         [dim]{ls['note']}[/dim]" if ls["note"] and not compact else ""),
            )
        )
    for _, text in sorted(lines, key=lambda line: line[0]):
        out.print(text)
    lunge_min = ls.get("minutes", 0) if ls else 0
    out.print(
        f"  [dim]{d['total_minutes']} min in all"
        + (f" (lunge matrix {lunge_min} min included)" if lunge_min else "")
        + "[/dim]"
    )
    if not compact:
        out.print(
            "  [dim]Target: a mild stretch, at most 3-4/10; slow and controlled. "
            "Log with `triplane done --drill ID`.[/dim]"
        )
        for n in d["notes"]:
            out.print(f"  [yellow]{n}[/yellow]")


# ---- logging ------------------------------------------------------------------------------------


@app.command("done")
def done(
    drill: Annotated[str, typer.Option("--drill", help="Drill id (see the plan).")],
    athlete: AthleteOpt = None,
    day: DateOpt = None,
    minutes: Annotated[float | None, typer.Option("--minutes")] = None,
    discomfort: Annotated[int | None, typer.Option("--discomfort", help="0-10")] = None,
    skipped: Annotated[bool, typer.Option("--skipped", help="Planned but not done.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Log a snack as done (or skipped)."""
    with service() as svc:
        a = svc.athlete(athlete)
        log_id = svc.log_drill(a, drill, _date(day), minutes, discomfort, skipped)
        safety = svc.plan_day(a, _date(day)).safety if discomfort is not None else None
    if as_json:
        out_json: dict[str, Any] = {"id": f"D{log_id}"}
        if safety is not None:
            out_json["safety"] = safety.as_dict()
        emit_json(out_json)
        return
    print(
        f"Logged (D{log_id})."
        + (" Skipped: it carries forward, within your budget." if skipped else "")
    )
    from triplane.core.safety import ACCEPTABLE_MAX, HIGH_DISCOMFORT_WINDOW_DAYS, SAFE_MAX

    if discomfort is not None and discomfort > ACCEPTABLE_MAX:
        if safety is not None and safety.paused:
            print("STOP AND SEE A CLINICIAN. " + " ".join(safety.advice))
        else:
            print(
                "That hurt more than a drill should. It is not offered again for "
                f"{HIGH_DISCOMFORT_WINDOW_DAYS} days (unless you log it at {SAFE_MAX}/10 or "
                "less); if drills keep hurting, see a clinician."
            )


@app.command("away")
def away(
    start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="YYYY-MM-DD")],
    athlete: AthleteOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="sick, travel, ...")] = "away",
) -> None:
    """Days away: nothing planned, nothing owed."""
    s, e = _date(start, "--from"), _date(end, "--to")
    assert s is not None and e is not None
    with service() as svc:
        a = svc.athlete(athlete)
        aid = svc.add_away(a, s, e, reason)
    print(f"Away {s} to {e} (A{aid}).")


@app.command("check-in")
def check_in(
    pain: Annotated[int, typer.Option("--pain", help="0-10")],
    athlete: AthleteOpt = None,
    flag: Annotated[
        list[str] | None,
        typer.Option(
            "--flag",
            help="red flag id (repeatable): "
            "night_pain, numbness_tingling, cannot_bear_weight, "
            "groin_pain_with_impact, fever_or_unwell, bladder_bowel",
        ),
    ] = None,
    cleared: Annotated[bool, typer.Option("--cleared-by-clinician")] = False,
    day: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record pain and red flags. Red flags or pain above 5 pause the programme."""
    with service() as svc:
        a = svc.athlete(athlete)
        cid = svc.check_in(a, pain, flag or [], cleared, _date(day))
        plan = svc.plan_day(a, _date(day))
        clearance = svc.clearance(a, cid) if cleared else None
    safety = plan.safety
    if as_json:
        data: dict[str, Any] = {"id": f"C{cid}", "safety": safety.as_dict()}
        if clearance is not None:
            data["clearance"] = clearance
        emit_json(data)
        return
    if clearance is not None:
        if clearance["cleared"]:
            print(f"Clearance recorded (C{cid}): the pause is over.")
        else:
            print(
                f"Check-in recorded (C{cid}), but the clearance did not end a pause: "
                f"{clearance['why']}."
            )
    if safety.paused:
        print("STOP AND SEE A CLINICIAN. " + " ".join(safety.advice))
    else:
        print(f"Checked in (C{cid}). Programme running.")


# ---- lunge matrix -------------------------------------------------------------------------------


@lunge_app.command("next")
def lunge_next(athlete: AthleteOpt = None, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """Every direction of the matrix with its prescription."""
    from triplane.usecases.service import lunge_json

    with service() as svc:
        a = svc.athlete(athlete)
        state, plans = svc.lunge_next(a, _date(day))
        data = lunge_json(state, plans, svc.catalogue)
        left_out = svc.lunge_ruled_out(a, _date(day))
        names = {d.id: d.name for d in svc.catalogue.lunge.directions}
    data["ruled_out"] = [{"direction": d, "why": why} for d, why in left_out]
    if as_json:
        emit_json(data)
        return
    out = console()
    if data["paused"]:
        out.print(f"[bold red]Lunge matrix paused.[/] {data['advice']}")
        return
    from rich.table import Table

    table = Table(title=f"{a.name}: lunge matrix")
    table.add_column("id", no_wrap=True)  # what `lunge log --direction` takes: never cut
    table.add_column("direction", overflow="fold")
    table.add_column("reps", no_wrap=True)
    table.add_column("load · range · environment · speed · stability", overflow="fold")
    table.add_column("clean", no_wrap=True)
    for d in data["directions"]:
        steps = (d[v] for v in ("load", "range", "environment", "speed", "stability"))
        table.add_row(
            d["direction"],
            d["name"],
            str(d["reps"]),
            " · ".join(steps) + (" (capped)" if d["capped"] else ""),
            f"{d['clean_sessions']}/2",
        )
    out.print(table)
    for d in data["directions"]:
        out.print(f"  {d['name']} ({d['direction']}): {d['why']}", soft_wrap=True)
    for d, why in left_out:
        out.print(f"  [dim]{names[d]}: left out for you ({why}).[/dim]")
    from triplane.core.safety import SAFE_MAX

    out.print(
        f"[dim]Stay in control at the speed prescribed; discomfort at most {SAFE_MAX}/10. Log each "
        "direction with `triplane lunge log --direction ID`.[/dim]"
    )


@lunge_app.command("log")
def lunge_log(
    direction: Annotated[str, typer.Option("--direction")],
    reps: Annotated[int, typer.Option("--reps", help="reps per side done")],
    discomfort: Annotated[int, typer.Option("--discomfort", help="0-10")],
    balance: Annotated[str, typer.Option("--balance", help="ok or lost")],
    athlete: AthleteOpt = None,
    sharp_pain: Annotated[bool, typer.Option("--sharp-pain")] = False,
    load: Annotated[str | None, typer.Option("--load", help="e.g. 8kg")] = None,
    day: DateOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log one direction of a lunge-matrix session."""
    with service() as svc:
        a = svc.athlete(athlete)
        res = svc.log_lunge(a, direction, reps, discomfort, balance, sharp_pain, load, _date(day))
    if as_json:
        emit_json({"id": f"L{res['id']}", "prescription": res["prescription"]})
        return
    print(f"Logged (L{res['id']}).")
    from triplane.core.safety import ACCEPTABLE_MAX

    if sharp_pain or discomfort > ACCEPTABLE_MAX:
        print("STOP AND SEE A CLINICIAN: the lunge matrix is paused until a clear check-in.")


# ---- the log ------------------------------------------------------------------------------------


@log_app.command("list")
def log_list(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """Everything recorded, oldest first, with ids to correct a wrong entry."""
    with service() as svc:
        a = svc.athlete(athlete)
        entries = svc.log_entries(a)
    if as_json:
        emit_json(entries)
        return
    if not entries:
        print("Nothing logged yet.")
    for e in entries:
        print(f"{e['id']:>6}  {e['date']}  {e['kind']:<11} {e['what']}")


@log_app.command("delete")
def log_delete(
    entry: Annotated[str, typer.Argument(help="Entry id from `triplane log list`, e.g. D12.")],
    athlete: AthleteOpt = None,
) -> None:
    """Delete a wrong entry."""
    with service() as svc:
        a = svc.athlete(athlete)
        svc.delete_entry(a, entry)
    print(f"Deleted {entry.upper()}.")


# ---- drills -------------------------------------------------------------------------------------


@drills_app.command("list")
def drills_list(as_json: JsonOpt = False) -> None:
    """Every drill in the catalogue."""
    from triplane.usecases.service import current_catalogue

    cat = current_catalogue()
    rows = [
        {
            "id": d.id,
            "name": d.name,
            "planes": list(d.planes),
            "motions": list(d.motions),
            "position": d.position,
            "loads_knee": d.loads_knee,
            "standing_version": d.standing_version,
        }
        for d in cat.drills.values()
    ]
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        print(f"{r['id']:<38} {r['name']}  [{r['position']}; {', '.join(r['motions'])}]")


@drills_app.command("show")
def drills_show(
    drill_id: Annotated[str, typer.Argument(metavar="ID", help="Drill or lunge direction id.")],
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Write its animated figure here.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """One drill: what it is for, dose, cues, mistakes, standing version."""
    from triplane.core.safety import TARGET_SENSATION
    from triplane.usecases.service import current_catalogue

    cat = current_catalogue()
    directions = {d.id: d for d in cat.lunge.directions}
    if drill_id not in cat.drills and drill_id not in directions:
        fail(f"unknown drill '{drill_id}'; see `triplane drills list`")
    if svg is not None:
        _write_figure(drill_id, svg)
    if drill_id in directions:
        d = directions[drill_id]
        data: dict[str, Any] = {
            "id": d.id,
            "name": d.name,
            "planes": list(d.planes),
            "description": d.description,
            "cues": list(d.cues),
            "arm_drivers": list(d.arm_drivers),
            "demands": list(d.demands),
        }
    else:
        dr = cat.drills[drill_id]
        data = {
            "id": dr.id,
            "name": dr.name,
            "purpose": dr.purpose,
            "planes": list(dr.planes),
            "motions": list(dr.motions),
            "position": dr.position,
            "loads_knee": dr.loads_knee,
            "style": dr.style,
            "standing_version": dr.standing_version,
            "dose": dr.dose.text(),
            "tempo": dr.dose.tempo,
            "cues": list(dr.cues),
            "mistakes": list(dr.mistakes),
            "contraindications": list(dr.contraindications),
            "demands": list(dr.demands),
            "equipment": list(dr.equipment),
            "sources": list(dr.sources),
            "target_sensation": TARGET_SENSATION,
        }
    if as_json:
        emit_json(data)
        return
    print(data["name"])
    for key in ("purpose", "description", "dose", "tempo", "position", "standing_version"):
        if data.get(key):
            print(f"  {key.replace('_', ' ')}: {data[key]}")
    if data.get("demands"):
        from triplane.core.anatomy import DEMANDS

        print("  asks of the hip and knee: " + "; ".join(DEMANDS[x] for x in data["demands"]))
    for key in ("cues", "mistakes", "arm_drivers"):
        if data.get(key):
            print(f"  {key.replace('_', ' ')}:")
            for c in data[key]:
                print(f"    - {c}")
    if "target_sensation" in data:
        print(f"  {data['target_sensation']}")
    if svg is not None:
        print(f"  figure written to {svg}")


def _write_figure(entry_id: str, out: Path) -> None:
    from triplane.figures import drill_figure_svg
    from triplane.usecases.service import coach_drills_dir

    try:
        out.write_text(drill_figure_svg(entry_id, coach_dir=coach_drills_dir()), encoding="utf-8")
    except OSError as exc:
        fail(f"can't write {out}: {exc.strerror}")


@drills_app.command("figures")
def drills_figures(
    out: Annotated[Path, typer.Option("--out", help="Folder for one SVG per drill and direction.")],
) -> None:
    """Write the animated figure of every drill and lunge direction."""
    from triplane.figures import write_all_figures
    from triplane.usecases.service import coach_drills_dir

    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = write_all_figures(out, coach_dir=coach_drills_dir())
    except OSError as exc:
        fail(f"can't write figures to {out}: {exc.strerror}")
    print(f"Wrote {len(paths)} figures to {out}.")


# ---- export / import ----------------------------------------------------------------------------


AccountsOpt = Annotated[
    bool,
    typer.Option(
        "--accounts",
        help="Include the web accounts (users, password hashes: SENSITIVE, coach links, "
        "invites, calendar tokens).",
    ),
]


@app.command("export")
def export(athlete: AthleteOpt = None, accounts: AccountsOpt = False) -> None:
    """Print everything that belongs to athletes as JSON (for a whole backup: `backup`)."""
    with service() as svc:
        chosen = [svc.athlete(athlete)] if athlete else None
        if accounts:
            from triplane.usecases.backup import export_with_accounts

            data = export_with_accounts(svc, chosen)
        else:
            data = svc.export(chosen)
    emit_json(data)
    if accounts:
        sys.stderr.write("triplane: this export holds password hashes: keep the file private\n")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `triplane export`.")],
    merge: Annotated[
        bool, typer.Option("--merge", help="Add to a database that already has athletes.")
    ] = False,
    accounts: AccountsOpt = False,
) -> None:
    """Restore an export into an empty database (or --merge)."""
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"can't read {file}: {exc}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(
            f"{file} is not complete JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "is it truncated? Export again with `triplane export > backup.json`"
        )
    with service() as svc:
        if accounts:
            from triplane.usecases.backup import import_with_accounts

            counts = import_with_accounts(svc, data, merge=merge)
        else:
            counts = svc.import_(data, merge=merge)
    users = (counts.get("accounts") or {}).get("users")
    also = f" and {users} account(s)" if accounts else ""
    print(f"Imported {counts['athletes']} athlete(s){also}.")
    if not accounts and isinstance(data, dict) and data.get("accounts"):
        print("The file also holds web accounts; add --accounts to import them.")


# ---- backup / restore ---------------------------------------------------------------------------


@app.command("backup")
def backup_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="The backup file to write.")],
) -> None:
    """A consistent backup of the whole database, accounts included, safe while serving
    (SQLite: a database file; PostgreSQL: one snapshot as JSON). Restore with `restore`."""
    from triplane.store.db import open_engine
    from triplane.usecases.backup import backup

    engine = open_engine(G.db, G.demo)
    try:
        res = backup(engine, out)
    finally:
        engine.dispose()
    kind = "a SQLite database file" if res["kind"] == "sqlite" else "JSON"
    print(f"Backed up {res['rows']} rows of {res['tables']} tables to {out} ({kind}).")
    print("It holds password hashes: keep it private (it is readable by you only).")


@app.command("restore")
def restore_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `triplane backup`.")],
) -> None:
    """Restore a backup into an empty database (--db), all or nothing."""
    from triplane.store.db import open_engine
    from triplane.usecases.backup import restore

    engine = open_engine(G.db, G.demo)
    try:
        res = restore(engine, file)
    finally:
        engine.dispose()
    users = res["counts"].get("users", 0)
    print(f"Restored {res['rows']} rows of {res['tables']} tables ({users} account(s)).")


# ---- demo ---------------------------------------------------------------------------------------


@app.command("demo")
def demo(
    ensure: Annotated[
        bool, typer.Option("--ensure", help="Create the demo athlete only if missing.")
    ] = False,
    weeks: Annotated[int, typer.Option("--weeks", help="weeks of history")] = 8,
) -> None:
    """Create the athlete `demo` with weeks of realistic history (in the current database)."""
    from triplane.usecases.demo import create_demo

    if not 1 <= weeks <= 52:
        fail("--weeks is 1 to 52")
    with service() as svc:
        created = create_demo(svc, weeks=weeks, replace=not ensure)
    if created:
        print(f"Created the demo athlete with {weeks} weeks of history.")
    else:
        print("The demo athlete is ready.")


# ---- report -------------------------------------------------------------------------------------


@app.command("report")
def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="report.html (self-contained), report.pdf, or a folder for PNG + SVG charts.",
        ),
    ],
    athlete: AthleteOpt = None,
    day: DateOpt = None,
) -> None:
    """Progress charts and the weekly review, as HTML, PDF or a folder of charts."""
    from triplane.report.build import ReportError, report_kind, write_report

    try:
        report_kind(out)
    except ReportError as exc:
        fail(str(exc))
    with service() as svc:
        a = svc.athlete(athlete)
        try:
            kind, files = write_report(svc, a, out, _date(day))
        except ReportError as exc:
            fail(str(exc))
    what = {"html": "HTML report", "pdf": "PDF report", "folder": f"{len(files)} files"}[kind]
    print(f"Wrote the {what} for {a.name} to {out}.")


# ---- web app and accounts ----------------------------------------------------------------------

user_app = typer.Typer(help="Web accounts: reset a forgotten password.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    certfile: Annotated[
        Path | None, typer.Option("--certfile", help="TLS certificate (PEM) for HTTPS.")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="TLS key (PEM).")] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (use PostgreSQL for more than 1).")
    ] = 1,
    proxy: Annotated[
        str | None,
        typer.Option(
            "--proxy",
            help="Behind a reverse proxy: trust X-Forwarded-For/Proto from these addresses "
            "(comma-separated IPs or networks; `--proxy` alone means 127.0.0.1). The client "
            "is the right-most address not among them.",
        ),
    ] = None,
) -> None:
    """Start the web app (pages for athletes and coaches, and the REST API under /api/v1)."""
    from triplane.web.serve import run_server

    run_server(G.db, G.demo, host, port, certfile, keyfile, workers, proxy)


@user_app.command("reset-password")
def user_reset_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail.")],
) -> None:
    """Give an account a new temporary password (all its sessions end)."""
    from triplane.usecases.accounts import Accounts

    with service() as svc:
        temporary = Accounts(svc.conn, svc).reset_password(email)
    print(f"New temporary password for {email.strip().lower()}: {temporary}")
    print("Give it to the person; they change it under Account.")


# ---- commands that live in their own modules -------------------------------------------------


def _register_more() -> None:
    from triplane import cli_reminders, cli_running, cli_vision

    cli_running.register(app, lunge_app)
    cli_vision.register(app)
    cli_reminders.register(app)


_register_more()


# ---- entry point --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit code."""
    from typer.main import get_command

    args = sys.argv[1:] if argv is None else argv
    args = _default_proxy(list(args))
    command = get_command(app)
    try:
        rv = command.main(args=args, prog_name="triplane", standalone_mode=False)
        return rv if isinstance(rv, int) else 0  # click returns an Exit's code here
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except KeyboardInterrupt:
        sys.stderr.write("triplane: interrupted; nothing was saved\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line
        return _report(exc)


def _default_proxy(args: list[str]) -> list[str]:
    """`serve --proxy` without addresses means the proxy on this machine (127.0.0.1)."""
    if "serve" in args and "--proxy" in args:
        i = args.index("--proxy")
        if i + 1 == len(args) or args[i + 1].startswith("-"):
            args.insert(i + 1, "127.0.0.1")
    return args


def _report(exc: Exception) -> int:
    from triplane.core.errors import TriplaneError
    from triplane.store.db import StoreError

    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # click's usage errors
        hint = f" (see `triplane {' '.join(_command_words())} --help`)"
        sys.stderr.write(f"triplane: {exc.format_message()}{hint}\n")
        return int(exc.exit_code) or 2
    if isinstance(exc, typer.Abort):
        sys.stderr.write("triplane: aborted; nothing was saved\n")
        return 1
    if isinstance(exc, TriplaneError):
        sys.stderr.write(f"triplane: {exc.sentence(option_of(exc.field))}\n")
        return 1
    if isinstance(exc, StoreError):
        sys.stderr.write(f"triplane: {exc}\n")
        return 1
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        sys.stderr.write(f"triplane: database error: {msg}; nothing was saved\n")
        return 1
    if isinstance(exc, ModuleNotFoundError):
        sys.stderr.write(f"triplane: {missing_part_hint(exc.name)}\n")
        return 1
    if isinstance(exc, OSError):
        sys.stderr.write(f"triplane: {exc.strerror or exc}: {exc.filename or ''}\n")
        return 1
    sys.stderr.write(
        f"triplane: unexpected error ({type(exc).__name__}: {exc}); nothing was saved. "
        "Please report it.\n"
    )
    return 1


# The optional parts of Triplane and the modules that tell they are missing. Everything else a
# command imports is a plain dependency of `pip install triplane`.
EXTRA_OF_MODULE = {
    "psycopg": ("postgres", "PostgreSQL needs its driver"),
    "psycopg_binary": ("postgres", "PostgreSQL needs its driver"),
    "procrastinate": ("postgres", "the task queue on PostgreSQL needs procrastinate"),
    "mediapipe": ("vision", "video measurement needs the vision extra"),
    "cv2": ("vision", "video measurement needs the vision extra"),
}


def missing_part_hint(module: str | None) -> str:
    """One sentence for a module that is not installed: the extra to add, or a reinstall."""
    top = (module or "").split(".")[0]
    if top in EXTRA_OF_MODULE:
        extra, why = EXTRA_OF_MODULE[top]
        return f"{why} (module {top} is not installed): pip install 'triplane[{extra}]'"
    return (
        f"part of Triplane is missing (module {top or 'unknown'} is not installed): "
        "reinstall it with pip install --force-reinstall triplane"
    )


# fields whose option is not `--` + the field's name with dashes
OPTION_OF_FIELD = {
    "conditions": "--condition",
    "hip_approach": "--approach",
    "kneeling_ok": "--no-kneeling",
    "effective": "--from",
    "new_name": "--rename",
}


def option_of(field: str | None) -> str | None:
    """The command-line option a use case's field is given by (daily_minutes: --daily-minutes)."""
    if field is None:
        return None
    return OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))


def _command_words() -> list[str]:
    return [a for a in sys.argv[1:3] if not a.startswith("-")][:2]


def run() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    # Run as `python -m triplane.cli`, this file is `__main__`, but the command modules import
    # `triplane.cli`: use that one module so options such as --db reach every command.
    from triplane import cli as _cli

    raise SystemExit(_cli.main())

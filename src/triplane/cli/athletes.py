"""`triplane athlete add | list | show | edit | delete`: athletes and their week."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from triplane.cli.app import AthleteOpt, JsonOpt, app, console, fail, option_date, service
from triplane.cli.output import emit_json

athlete_app = typer.Typer(help="Add, list, show and edit athletes.", no_args_is_help=True)
app.add_typer(athlete_app, name="athlete")


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

    with service() as svc:
        a = svc.athlete(name or athlete)
        summary = svc.athlete_summary(a)
        routine = svc.running.routine(a)
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
            a, change, effective=option_date(effective, "--from"), new_name=rename, tz=tz
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

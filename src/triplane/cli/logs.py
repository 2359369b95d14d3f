"""Logging: `triplane done | away | check-in`, and `triplane log list | delete` to correct."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from triplane.cli.app import AthleteOpt, DateOpt, JsonOpt, app, option_date, service
from triplane.cli.output import emit_json

log_app = typer.Typer(help="List and correct log entries.", no_args_is_help=True)
app.add_typer(log_app, name="log")


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
        log_id = svc.log_drill(a, drill, option_date(day), minutes, discomfort, skipped)
        safety = svc.plan_day(a, option_date(day)).safety if discomfort is not None else None
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
    s, e = option_date(start, "--from"), option_date(end, "--to")
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
        cid = svc.check_in(a, pain, flag or [], cleared, option_date(day))
        plan = svc.plan_day(a, option_date(day))
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

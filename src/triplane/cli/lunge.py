"""`triplane lunge next | log`: the lunge matrix (`lunge export-fit` lives in running)."""

from __future__ import annotations

from typing import Annotated

import typer

from triplane.cli.app import AthleteOpt, DateOpt, JsonOpt, app, console, option_date, service
from triplane.cli.output import emit_json

lunge_app = typer.Typer(
    help="The lunge matrix: next prescription and logging.", no_args_is_help=True
)
app.add_typer(lunge_app, name="lunge")


@lunge_app.command("next")
def lunge_next(athlete: AthleteOpt = None, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """Every direction of the matrix with its prescription."""
    from triplane.usecases.service import lunge_json

    with service() as svc:
        a = svc.athlete(athlete)
        state, plans = svc.lunge_next(a, option_date(day))
        data = lunge_json(state, plans, svc.catalogue)
        left_out = svc.lunge_ruled_out(a, option_date(day))
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
        res = svc.log_lunge(
            a, direction, reps, discomfort, balance, sharp_pain, load, option_date(day)
        )
    if as_json:
        emit_json({"id": f"L{res['id']}", "prescription": res["prescription"]})
        return
    print(f"Logged (L{res['id']}).")
    from triplane.core.safety import ACCEPTABLE_MAX

    if sharp_pain or discomfort > ACCEPTABLE_MAX:
        print("STOP AND SEE A CLINICIAN: the lunge matrix is paused until a clear check-in.")

"""`triplane plan day | week`: the movement snacks of a day or a week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import typer

from triplane.cli.app import AthleteOpt, DateOpt, JsonOpt, app, console, option_date, service
from triplane.cli.output import emit_json

plan_app = typer.Typer(help="Today's or this week's movement snacks.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


@plan_app.command("day")
def plan_day(athlete: AthleteOpt = None, day: DateOpt = None, as_json: JsonOpt = False) -> None:
    """The day's movement snacks (and lunge-matrix session, when due)."""
    with service() as svc:
        a = svc.athlete(athlete)
        plan = svc.plan_day(a, option_date(day))
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
        days = [p.as_dict() for p in svc.plan_week(a, option_date(start, "--start"))]
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

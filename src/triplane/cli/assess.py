"""`triplane assess add | show | tests`: hip measurements and the mobility profile."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from triplane.cli.app import AthleteOpt, DateOpt, JsonOpt, app, console, option_date, service
from triplane.cli.output import emit_json

assess_app = typer.Typer(
    help="Record hip measurements and see the mobility profile.", no_args_is_help=True
)
app.add_typer(assess_app, name="assess")


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
            day=option_date(day),
            painful=painful,
            device=device,
        )
        profile = svc.profile(a, option_date(day))
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
        profile = svc.profile(a, option_date(day))
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
    for s in cat.tests.values():
        print(f"{s.id}: {s.name} ({', '.join(s.motions)}; {s.unit})")
        for i, step in enumerate(s.instructions, 1):
            print(f"   {i}. {step}")
        print(f"   phone: {s.phone_how}")
        print(f"   no device: {s.by_eye}")

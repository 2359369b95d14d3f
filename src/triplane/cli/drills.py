"""`triplane drills list | show | figures`: the drill catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from triplane.cli.app import JsonOpt, app, fail
from triplane.cli.output import emit_json

drills_app = typer.Typer(help="The drill catalogue.", no_args_is_help=True)
app.add_typer(drills_app, name="drills")


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
    for d in cat.drills.values():
        print(f"{d.id:<38} {d.name}  [{d.position}; {', '.join(d.motions)}]")


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

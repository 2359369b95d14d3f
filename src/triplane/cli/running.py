"""Running: `triplane activities import | list`, `event add | import | list`, `calendar` and
`lunge export-fit` (issue 5). The use cases live in triplane.usecases.running; these commands
parse, call and print, importing heavy modules inside the commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from triplane.cli.app import AthleteOpt, DateOpt, JsonOpt, app, fail, option_date, service
from triplane.cli.lunge import lunge_app
from triplane.cli.output import emit_json

#: Show a progress bar on a terminal from this many files; off a terminal, a line every
#: PROGRESS_LINE_EVERY files once there are at least PROGRESS_LINES_FROM.
PROGRESS_BAR_FROM = 5
PROGRESS_LINES_FROM = 200
PROGRESS_LINE_EVERY = 100


def write_atomically(out: Path, data: bytes) -> None:
    """Write `data` to `out` whole or not at all (a temporary file, then a rename)."""
    import contextlib
    import tempfile

    out = Path(out)
    if out.is_dir():
        fail(f"{out} is a folder; give a file name for --out")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        fail(f"can't write {out}: the folder {folder} does not exist; nothing was written")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    except OSError as exc:
        fail(f"can't write {out}: {exc.strerror or exc}; nothing was written")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        fail(f"can't write {out}: {exc.strerror or exc}; nothing was written")


def _check_out(out: Path) -> None:
    """Fail early, before any work, when --out can't be written."""
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        fail(f"{out} is a folder; give a file name for --out")
    if not folder.is_dir():
        fail(f"can't write {out}: the folder {folder} does not exist; nothing was written")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        fail(f"can't write {out}: permission denied; nothing was written")


def _duration(seconds: float) -> str:
    m = int(round(seconds / 60))
    return f"{m // 60}h{m % 60:02d}" if m >= 60 else f"{m} min"


activities_app = typer.Typer(
    help="Runs and other activities from FIT, GPX and TCX files.", no_args_is_help=True
)
event_app = typer.Typer(
    help="Races and long runs: the lunge matrix eases off in the 48 hours before.",
    no_args_is_help=True,
)
app.add_typer(activities_app, name="activities")
app.add_typer(event_app, name="event")

# ---- activities -----------------------------------------------------------------------


@activities_app.command("import")
def activities_import(
    paths: Annotated[
        list[Path],
        typer.Argument(help="FIT/GPX/TCX files, folders of them, Garmin or Strava zips."),
    ],
    athlete: AthleteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import activities; duplicates are recognised, bad files skipped with the reason."""

    missing = [p for p in paths if not p.exists()]
    if missing:
        fail(f"{missing[0]} does not exist: check the path; nothing was imported")
    with service() as svc:
        a = svc.athlete(athlete)
        run = svc.running
        total = run.count_files(paths)
        tty = sys.stderr.isatty()
        if tty and total >= PROGRESS_BAR_FROM:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            with Progress(
                TextColumn("Importing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            ) as bar:
                task = bar.add_task("", total=total)

                def step(name: str) -> None:
                    bar.update(task, advance=1, description=Path(name).name[:40])

                summary = run.import_activities(a, paths, on_progress=step)
        elif total >= PROGRESS_LINES_FROM:
            done = [0]

            def line(name: str) -> None:
                done[0] += 1
                if done[0] % PROGRESS_LINE_EVERY == 0:
                    sys.stderr.write(f"triplane: read {done[0]} of {total} files\n")

            summary = run.import_activities(a, paths, on_progress=line)
        else:
            summary = run.import_activities(a, paths)
    data = summary.as_dict()
    if as_json:
        emit_json(data)
    else:
        for s in summary.skipped:
            sys.stderr.write(f"triplane: skipped {s.message}\n")
        print(
            f"Imported {data['imported']} activities for {a.name} ({data['runs']} runs, "
            f"{data['other_activities']} other); {data['duplicates']} duplicates, "
            f"{data['skipped']} skipped."
        )
        for d in summary.duplicates:
            print(f"  duplicate: {d.source} ({d.duplicate_of})")
    if summary.skipped and not summary.activities and not summary.duplicates:
        raise typer.Exit(1)  # nothing usable at all


@activities_app.command("list")
def activities_list(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """Imported activities, newest first, in the athlete's time zone."""

    with service() as svc:
        a = svc.athlete(athlete)
        rows = svc.running.activities(a)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        print(f"No activities for {a.name} yet: `triplane activities import FILES`.")
        return
    print(f"{a.name}: {len(rows)} activities (times in {a.tz})")
    for r in rows:
        dist = f"{r['distance_m'] / 1000:.1f} km" if r["distance_m"] else "-"
        print(
            f"  {r['date']} {r['time']}  {r['sport']:<18} {_duration(r['duration_s']):>7}"
            f"  {dist:>8}  {r['source_file']}"
        )


# ---- events ---------------------------------------------------------------------------


@event_app.command("add")
def event_add(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD")],
    kind: Annotated[str, typer.Option("--kind", help="race or long_run")],
    athlete: AthleteOpt = None,
    at: Annotated[str | None, typer.Option("--time", help="HH:MM start")] = None,
    name: Annotated[str, typer.Option("--name", help="e.g. Eiger Ultra 51k")] = "",
    duration: Annotated[
        str | None,
        typer.Option(
            "--duration", help="expected length, e.g. 8h or 2h30 (race 4h, long run 2h30)"
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a race or long run."""

    d = option_date(day)
    assert d is not None
    with service() as svc:
        a = svc.athlete(athlete)
        res = svc.running.add_event(a, d, kind, at, name, duration)
    if as_json:
        emit_json(res)
        return
    label = "Race" if kind.strip().lower() == "race" else "Long run"
    if res["added"]:
        print(
            f"{label} on {d} ({res['id']}). The lunge matrix holds, without long range or "
            "added load, in the 48 hours before."
        )
    else:
        print(f"Already on the calendar ({res['id']}).")


@event_app.command("import")
def event_import(
    file: Annotated[Path, typer.Argument(help="A training plan's calendar (.ics).")],
    athlete: AthleteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Races and long runs from a training plan's calendar file."""
    from triplane.io.ics import MAX_ICS_BYTES

    try:
        if file.stat().st_size > MAX_ICS_BYTES:  # refused before it is read
            fail(
                f"{file} is {file.stat().st_size / 1e6:.0f} MB; a training plan's calendar "
                f"is far smaller, and {MAX_ICS_BYTES // (1024 * 1024)} MB is the limit"
            )
        data = file.read_bytes()
    except FileNotFoundError:
        fail(f"{file} does not exist: check the path")
    except OSError as exc:
        fail(f"can't read {file}: {exc.strerror or exc}")
    with service() as svc:
        a = svc.athlete(athlete)
        res = svc.running.import_events(a, data, str(file))
    if as_json:
        emit_json(res)
        return
    print(
        f"Found {res['found']} races and long runs in {file}: {len(res['added'])} added, "
        f"{res['duplicates']} already known."
    )
    for e in res["added"]:
        when = f" {e['time']}" if e["time"] else ""
        print(f"  {e['id']}  {e['date']}{when}  {e['kind'].replace('_', ' ')}  {e['name']}")


@event_app.command("list")
def event_list(athlete: AthleteOpt = None, as_json: JsonOpt = False) -> None:
    """Races and long runs on the calendar (delete one with `triplane log delete E3`)."""

    with service() as svc:
        a = svc.athlete(athlete)
        rows = svc.running.events(a)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        print("No races or long runs yet: `triplane event add --date D --kind race`.")
    for e in rows:
        when = f" {e['time']}" if e["time"] else ""
        print(f"  {e['id']}  {e['date']}{when}  {e['kind'].replace('_', ' ')}  {e['name']}")


# ---- calendar -------------------------------------------------------------------------


@app.command("calendar")
def calendar(
    out: Annotated[Path, typer.Option("--out", "-o", help="the .ics file to write")],
    athlete: AthleteOpt = None,
    start: Annotated[
        str | None, typer.Option("--start", help="first day, YYYY-MM-DD (default: today)")
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="how many weeks (1-52)")] = 4,
) -> None:
    """The plan as a calendar file (snacks and lunge sessions, with reminders)."""

    first = option_date(start, "--start")
    _check_out(out)
    with service() as svc:
        a = svc.athlete(athlete)
        data = svc.running.calendar(a, first, weeks)
    write_atomically(out, data)
    print(
        f"Wrote {weeks} week{'s' if weeks != 1 else ''} of {a.name}'s plan to {out}. "
        "Import it again after a change: events are updated, not duplicated."
    )


# ---- the lunge matrix on a watch ------------------------------------------------------


@lunge_app.command("export-fit")
def lunge_export_fit(
    out: Annotated[Path, typer.Option("--out", "-o", help="the .fit file to write")],
    athlete: AthleteOpt = None,
    day: DateOpt = None,
) -> None:
    """The day's lunge-matrix session as a FIT workout for a Garmin watch."""

    d = option_date(day)
    _check_out(out)
    with service() as svc:
        a = svc.athlete(athlete)
        data = svc.running.lunge_fit(a, d)
    write_atomically(out, data)
    print(f"Wrote the lunge matrix to {out}: copy it to the watch's GARMIN/NewFiles folder.")

"""Video measurement (issue 6): `triplane measure` and `triplane worker`.

The vision extra is imported only inside the commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from triplane.cli.app import G, app, fail, option_date, service
from triplane.cli.output import emit_json


@app.command("measure")
def measure(
    video: Annotated[Path, typer.Argument(help="The clip (MP4/MOV straight from the phone).")],
    test: Annotated[
        str,
        typer.Option(
            "--test",
            help="seated_rotation, standing_abduction, modified_thomas, lunge or free.",
        ),
    ],
    side: Annotated[
        str | None, typer.Option("--side", help="left or right (default: both).")
    ] = None,
    athlete: Annotated[
        str | None,
        typer.Option("--athlete", "-a", help="Athlete name (optional when there is only one)."),
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Record the measurements (device video).")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    frames: Annotated[
        bool,
        typer.Option("--frames", help="With --json: add the per-frame angle series (`frames`)."),
    ] = False,
    annotate: Annotated[
        Path | None,
        typer.Option("--annotate", help="Write out.png (the key frame) or out.mp4 (every frame)."),
    ] = None,
    discomfort: Annotated[
        int | None, typer.Option("--discomfort", help="Lunge --save: discomfort 0-10.")
    ] = None,
    balance: Annotated[
        str | None, typer.Option("--balance", help="Lunge --save: ok or lost.")
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option("--direction", help="Lunge --save: the direction, if not the video's."),
    ] = None,
    sharp_pain: Annotated[
        bool, typer.Option("--sharp-pain", help="Lunge --save: a sharp pain during the set.")
    ] = False,
    date_: Annotated[
        str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")
    ] = None,
) -> None:
    """Measure hip angles from a phone video; --save records them."""
    from triplane.usecases import video as v

    missing = v.vision_missing()
    if missing:
        fail(missing)
    v.check_test(test, side)
    if save and test == "free":
        fail("free movement is not an assessment test, so it cannot be saved; "
             "measure one of the tests, or leave out --save")  # fmt: skip
    if save and test == "lunge" and (discomfort is None or balance is None):
        fail("--test lunge --save needs --discomfort 0-10 and --balance ok|lost: "
             "a video cannot see how the set felt")  # fmt: skip
    if not save and (discomfort is not None or balance is not None or direction or sharp_pain):
        fail("--discomfort, --balance, --direction and --sharp-pain go with --test lunge --save")
    if frames and not json_:
        fail("--frames adds the per-frame series to the JSON: use it with --json")
    day = option_date(date_)
    if save:  # say who before a long analysis, not after
        with service() as svc:
            svc.athlete(athlete)

    data = _measure_with_progress(video, test, side, annotate, quiet=json_, frames=frames)
    saved: dict[str, Any] | None = None
    if save:
        with service() as svc:  # one transaction: all the records, or none
            a = svc.athlete(athlete)
            saved = v.save(svc, a, data, discomfort=discomfort, balance=balance,
                           direction=direction, sharp_pain=sharp_pain, day=day)  # fmt: skip
    if json_:
        emit_json({**data, "saved": saved})
        return
    _print(data, saved)


def _measure_with_progress(
    video: Path,
    test: str,
    side: str | None,
    annotate: Path | None,
    quiet: bool,
    frames: bool = False,
) -> dict[str, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from triplane.usecases import video as v

    with _native_stderr_silenced() as stream:
        err = Console(file=stream, stderr=True)
        columns = (
            TextColumn("measuring {task.fields[name]}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} frames"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("measure", total=None, name=video.name)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            return v.measure(video, test, side, annotate=annotate, progress=progress, frames=frames)


@contextmanager
def _native_stderr_silenced() -> Iterator[TextIO]:
    """MediaPipe and TensorFlow Lite log from C++ straight to file descriptor 2; send that to
    /dev/null while measuring, so an error stays one line. Yields a stream on the real stderr
    (for the progress bar)."""
    import os
    import sys

    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr is not a file (tests): leave it
        yield sys.stderr
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    stream = os.fdopen(os.dup(saved), "w", buffering=1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)
    try:
        yield stream
    finally:
        stream.flush()
        os.dup2(saved, fd)
        os.close(saved)
        stream.close()


_PHONE = ("internal_rotation", "external_rotation", "abduction")


def _print(data: dict[str, Any], saved: dict[str, Any] | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from triplane.core.anatomy import MOTION_LABEL

    c = Console(highlight=False)
    vid, proc = data["video"], data["processing"]
    c.print(
        f"[bold]{data['test'].replace('_', ' ')}[/bold]: {vid['frames']} frames at "
        f"{vid['fps']:g} fps, {data['frames_used']['count']} used; analysed at "
        f"{proc['fps']:g} frames/s"
    )
    if data["measurements"]:
        table = Table("motion", "side", "degrees", "error band", "confidence", "frame")
        for m in data["measurements"]:
            table.add_row(
                MOTION_LABEL.get(m["motion"], m["motion"]), m["side"], f"{m['degrees']:g}",
                f"+/-{m['error_band']:g}", f"{m['confidence']:.2f}", str(m["frame"]),
            )  # fmt: skip
        c.print(table)
    for m in data.get("not_measurable") or []:
        c.print(
            f"{MOTION_LABEL.get(m['motion'], m['motion'])}, {m['side']}: not measurable from "
            f"video (error band +/-{m['error_band']:g} degrees)"
        )
    if any(m["motion"] in _PHONE for m in data.get("not_measurable") or []):
        c.print("measure rotation and abduction with the phone on the shin: web app, "
                "Hips > Phone inclinometer")  # fmt: skip
    ranges = Table("side", "joint", "plane", "min", "max", "error band", "confidence (min/max)")
    for scope, joints in data["ranges"].items():
        for joint, planes in joints.items():
            if "min" in planes:  # a trunk value: one range, no planes
                planes = {"": planes}
            for plane, r in planes.items():
                band = r.get("error_band")
                ranges.add_row(
                    scope, joint, plane, f"{r['min']:g}", f"{r['max']:g}",
                    "" if band is None else f"+/-{band:g}",
                    f"{r['min_confidence']:.2f}/{r['max_confidence']:.2f}",
                )  # fmt: skip
    c.print(ranges)
    lunge = data.get("lunge_log")
    if lunge:
        c.print(f"lunge set: {lunge['reps']} reps, direction {lunge['direction']}")
    for w in data["warnings"]:
        c.print(f"[yellow]warning:[/yellow] {w}")
    if data.get("annotated"):
        c.print(f"annotated: {data['annotated']}")
    if saved is not None:
        if "lunge_log" in saved:
            c.print(f"saved: lunge log of {saved['reps']} {saved['direction']} reps")
        else:
            c.print(f"saved: {len(saved['measurements'])} measurement(s), device video")


@app.command("worker")
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run the queued jobs, then exit (else keep polling).")
    ] = False,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between looks at an empty queue (SQLite).")
    ] = 2.0,
) -> None:
    """Run the background tasks. PostgreSQL: a procrastinate worker for reminders (a periodic
    task every minute), e-mails and video analyses; start as many as you like, on any machine
    sharing the upload folder. SQLite: runs the queued video analyses (`triplane serve` sends
    the reminders itself)."""
    import os
    import signal
    import sys
    import threading

    from triplane.store.db import open_engine
    from triplane.usecases import video as v

    missing = v.vision_missing()
    engine = open_engine(G.db, G.demo)
    if engine.dialect.name == "postgresql":
        from triplane.usecases import tasks

        queues = tasks.QUEUES if not missing else tuple(q for q in tasks.QUEUES if q != "video")
        sys.stderr.write(
            f"triplane worker {os.getpid()}: procrastinate on PostgreSQL, queues "
            f"{', '.join(queues)}, uploads in {v.upload_dir()}\n"
        )
        if missing:
            sys.stderr.write(
                "triplane worker: video analyses are left to workers with the vision extra "
                f"({missing})\n"
            )
        os.environ.setdefault("GLOG_minloglevel", "2")
        try:
            tasks.run_worker(engine, queues, wait=not once)
        finally:
            engine.dispose()
        return
    if missing:
        engine.dispose()
        fail(f"the worker cannot start: {missing}")
    os.environ.setdefault("GLOG_minloglevel", "2")
    stop = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        sys.stderr.write("triplane worker: stopping after the current job\n")
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    sys.stderr.write(
        f"triplane worker {os.getpid()}: {engine.dialect.name} database, "
        f"uploads in {v.upload_dir()}\n"
    )

    def report(job: Any) -> None:
        what = "done" if job.status == "done" else f"failed: {job.error}"
        sys.stderr.write(f"job {job.id} ({job.payload.get('test')}): {what}\n")

    try:
        ran = v.work(engine, once=once, poll=poll, stop=stop, on_job=report)
    finally:
        engine.dispose()
    sys.stderr.write(f"triplane worker {os.getpid()}: {ran} job(s) run\n")

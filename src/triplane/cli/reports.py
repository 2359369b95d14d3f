"""`triplane report`: progress charts and the weekly review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from triplane.cli.app import AthleteOpt, DateOpt, app, fail, option_date, service


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
            kind, files = write_report(svc, a, out, option_date(day))
        except ReportError as exc:
            fail(str(exc))
    what = {"html": "HTML report", "pdf": "PDF report", "folder": f"{len(files)} files"}[kind]
    print(f"Wrote the {what} for {a.name} to {out}.")

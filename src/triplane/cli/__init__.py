"""The command line: a thin face over the use cases (Typer for parsing, Rich for people).

`main` is the console script (`triplane`), `python -m triplane` and `python -m triplane.cli`.
Start-up is kept short: the `--json` paths import neither Rich nor Alembic; heavy modules are
imported inside the commands that need them. The Typer app and the error mapping are in
`app.py`; each command group has its module (athletes, assess, plan, lunge, logs, drills, data,
reports, serve, running, vision, reminders).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit code."""
    from triplane.cli.app import run as run_app

    return run_app(sys.argv[1:] if argv is None else argv)


def run() -> None:
    raise SystemExit(main())

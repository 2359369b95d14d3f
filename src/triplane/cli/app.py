"""The root of the command line: the Typer app, the global options, the helpers every command
group shares, and the one place that turns errors into a line on stderr and an exit code.

The command groups live in their own modules (athletes, assess, plan, logs, ...); they register
on `app` when `run` imports them, in the order `triplane --help` lists them.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:  # for annotations only: the CLI imports these when a command needs them
    from contextlib import AbstractContextManager

    from rich.console import Console

    from triplane.usecases.work import Work

app = typer.Typer(
    name="triplane",
    help="3D hip mobility and strength for trail runners: assess, plan, log, progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _Global:
    db: str | None = None
    demo: bool = False


G = _Global()

AthleteOpt = Annotated[
    str | None,
    typer.Option("--athlete", "-a", help="Athlete name (optional when there is only one)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]


@app.callback()
def _root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLAlchemy URL (default: $TRIPLANE_DATABASE_URL, else a "
            "SQLite file in your user data folder).",
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the separate demo database.")] = False,
) -> None:
    G.db, G.demo = db, demo


def fail(message: str, code: int = 1) -> NoReturn:
    sys.stderr.write(f"triplane: {message}\n")
    raise typer.Exit(code)


def service() -> AbstractContextManager[Work]:
    from triplane.usecases.work import open_work

    return open_work(G.db, G.demo)


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def option_date(value: str | None, what: str = "--date") -> date | None:
    from triplane.usecases.service import parse_date

    return parse_date(value, what)


# ---- the command groups, in the order the help lists them ----------------------------------------


#: The command modules; each adds its commands and groups to `app` when imported. The order is
#: the order `triplane --help` lists them in (commands first, then groups, each as registered).
COMMAND_MODULES = (
    "athletes",
    "assess",
    "plan",
    "lunge",
    "logs",
    "drills",
    "data",
    "reports",
    "serve",
    "running",
    "vision",
    "reminders",
)


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"triplane.cli.{name}")


# ---- entry point --------------------------------------------------------------------------------


def run(args: list[str]) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit code."""
    from typer.main import get_command

    _register_commands()
    args = _default_proxy(list(args))
    command = get_command(app)
    try:
        rv = command.main(args=args, prog_name="triplane", standalone_mode=False)
        return rv if isinstance(rv, int) else 0  # click returns an Exit's code here
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except KeyboardInterrupt:
        sys.stderr.write("triplane: interrupted; nothing was saved\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns errors into a line
        return _report(exc)


def _default_proxy(args: list[str]) -> list[str]:
    """`serve --proxy` without addresses means the proxy on this machine (127.0.0.1)."""
    if "serve" in args and "--proxy" in args:
        i = args.index("--proxy")
        if i + 1 == len(args) or args[i + 1].startswith("-"):
            args.insert(i + 1, "127.0.0.1")
    return args


def _report(exc: Exception) -> int:
    from triplane.core.errors import TriplaneError
    from triplane.store.db import StoreError

    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # click's usage errors
        hint = f" (see `triplane {' '.join(_command_words())} --help`)"
        sys.stderr.write(f"triplane: {exc.format_message()}{hint}\n")
        return int(exc.exit_code) or 2
    if isinstance(exc, typer.Abort):
        sys.stderr.write("triplane: aborted; nothing was saved\n")
        return 1
    if isinstance(exc, TriplaneError):
        sys.stderr.write(f"triplane: {exc.sentence(option_of(exc.field))}\n")
        return 1
    if isinstance(exc, StoreError):
        sys.stderr.write(f"triplane: {exc}\n")
        return 1
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        sys.stderr.write(f"triplane: database error: {msg}; nothing was saved\n")
        return 1
    if isinstance(exc, ModuleNotFoundError):
        sys.stderr.write(f"triplane: {missing_part_hint(exc.name)}\n")
        return 1
    if isinstance(exc, OSError):
        sys.stderr.write(f"triplane: {exc.strerror or exc}: {exc.filename or ''}\n")
        return 1
    sys.stderr.write(
        f"triplane: unexpected error ({type(exc).__name__}: {exc}); nothing was saved. "
        "Please report it.\n"
    )
    return 1


# The optional parts of Triplane and the modules that tell they are missing. Everything else a
# command imports is a plain dependency of `pip install triplane`.
EXTRA_OF_MODULE = {
    "psycopg": ("postgres", "PostgreSQL needs its driver"),
    "psycopg_binary": ("postgres", "PostgreSQL needs its driver"),
    "procrastinate": ("postgres", "the task queue on PostgreSQL needs procrastinate"),
    "mediapipe": ("vision", "video measurement needs the vision extra"),
    "cv2": ("vision", "video measurement needs the vision extra"),
}


def missing_part_hint(module: str | None) -> str:
    """One sentence for a module that is not installed: the extra to add, or a reinstall."""
    top = (module or "").split(".")[0]
    if top in EXTRA_OF_MODULE:
        extra, why = EXTRA_OF_MODULE[top]
        return f"{why} (module {top} is not installed): pip install 'triplane[{extra}]'"
    return (
        f"part of Triplane is missing (module {top or 'unknown'} is not installed): "
        "reinstall it with pip install --force-reinstall triplane"
    )


# fields whose option is not `--` + the field's name with dashes
OPTION_OF_FIELD = {
    "conditions": "--condition",
    "hip_approach": "--approach",
    "kneeling_ok": "--no-kneeling",
    "effective": "--from",
    "new_name": "--rename",
}


def option_of(field: str | None) -> str | None:
    """The command-line option a use case's field is given by (daily_minutes: --daily-minutes)."""
    if field is None:
        return None
    return OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))


def _command_words() -> list[str]:
    return [a for a in sys.argv[1:3] if not a.startswith("-")][:2]

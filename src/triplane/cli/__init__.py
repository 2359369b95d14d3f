"""The command line: a thin face over the use cases (Typer for parsing, Rich for people).

`main` is the console script (`triplane`), `python -m triplane` and `python -m triplane.cli`.
Start-up is kept short: the `--json` paths import neither Rich nor Alembic; heavy modules are
imported inside the commands that need them. The Typer app and the error mapping are in
`app.py`; each command group has its module (athletes, assess, plan, lunge, logs, drills, data,
reports, serve, running, vision, reminders).

`plan day --json` (a runner's glance, a cron job, a coach's script) has a fast path: when the
arguments are ones this module fully understands and the database is a SQLite file at the
current schema, the plan is read with the standard library's sqlite3, without Typer, Click or
SQLAlchemy (usecases.planning.plan_day_read_only). Anything else, every error included, goes
to the Typer app, so the command's contract (output, messages, exit codes) is the app's.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; every error becomes one line on stderr and a non-zero exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = _plan_day_json_fast(args)
    except KeyboardInterrupt:
        sys.stderr.write("triplane: interrupted; nothing was saved\n")
        return 130
    if code is not None:
        return code
    from triplane.cli.app import run as run_app

    return run_app(args)


def run() -> None:
    raise SystemExit(main())


# The options of `triplane [--db URL] [--demo] plan day [--athlete NAME] [--date D] --json`, as
# Typer declares them (cli/app.py, cli/plan.py); a test keeps the two in step.
ROOT_VALUE_OPTIONS = {"--db": "db"}
ROOT_FLAGS = {"--demo": "demo"}
PLAN_DAY_VALUE_OPTIONS = {"--athlete": "athlete", "-a": "athlete", "--date": "date"}
PLAN_DAY_FLAGS = {"--json": "json"}


def parse_plan_day_json(args: list[str]) -> dict[str, str | bool] | None:
    """The options of a `plan day --json` command line, or None when it is anything else, or
    anything unusual (help, a repeated or unknown option, a value that looks like an option):
    those are left to Click, which parses and words its errors its own way."""
    try:
        at = args.index("plan")
    except ValueError:
        return None
    if args[at + 1 : at + 2] != ["day"]:
        return None
    got: dict[str, str | bool] = {}
    for words, values, flags in (
        (args[:at], ROOT_VALUE_OPTIONS, ROOT_FLAGS),
        (args[at + 2 :], PLAN_DAY_VALUE_OPTIONS, PLAN_DAY_FLAGS),
    ):
        i = 0
        while i < len(words):
            word = words[i]
            name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
            given: str | bool
            if name in flags and not eq:
                key, given = flags[name], True
            elif name in values:
                if not eq:
                    i += 1
                    if i == len(words):
                        return None
                    value = words[i]
                if value.startswith("-"):
                    return None
                key, given = values[name], value
            else:
                return None
            if key in got:
                return None
            got[key] = given
            i += 1
    return got if got.get("json") is True else None


def _plan_day_json_fast(args: list[str]) -> int | None:
    """Print the plan by the fast path and return the exit code, or print nothing and return
    None (the Typer app then runs the command)."""
    options = parse_plan_day_json(args)
    if options is None:
        return None
    from triplane.usecases.planning import plan_day_read_only

    def text(key: str) -> str | None:
        value = options.get(key)
        return value if isinstance(value, str) else None

    demo = options.get("demo") is True
    plan = plan_day_read_only(text("db"), demo, text("athlete"), text("date"))
    if plan is None:
        return None
    from triplane.cli.output import emit_json

    try:
        emit_json(plan)
    except Exception as exc:  # noqa: BLE001 - a closed pipe, a full disk: the app's one line
        from triplane.cli.app import _report

        return _report(exc)
    return 0

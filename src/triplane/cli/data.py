"""The data itself: `triplane export | import | backup | restore | demo`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from triplane.cli.app import AthleteOpt, G, app, fail, service
from triplane.cli.output import emit_json

AccountsOpt = Annotated[
    bool,
    typer.Option(
        "--accounts",
        help="Include the web accounts (users, password hashes: SENSITIVE, coach links, "
        "invites, calendar tokens).",
    ),
]


@app.command("export")
def export(athlete: AthleteOpt = None, accounts: AccountsOpt = False) -> None:
    """Print everything that belongs to athletes as JSON (for a whole backup: `backup`)."""
    with service() as svc:
        chosen = [svc.athlete(athlete)] if athlete else None
        if accounts:
            from triplane.usecases.backup import export_with_accounts

            data = export_with_accounts(svc, chosen)
        else:
            data = svc.export(chosen)
    emit_json(data)
    if accounts:
        sys.stderr.write("triplane: this export holds password hashes: keep the file private\n")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `triplane export`.")],
    merge: Annotated[
        bool, typer.Option("--merge", help="Add to a database that already has athletes.")
    ] = False,
    accounts: AccountsOpt = False,
) -> None:
    """Restore an export into an empty database (or --merge)."""
    try:
        raw = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file} does not exist")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"can't read {file}: {exc}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        fail(
            f"{file} is not complete JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "is it truncated? Export again with `triplane export > backup.json`"
        )
    with service() as svc:
        if accounts:
            from triplane.usecases.backup import import_with_accounts

            counts = import_with_accounts(svc, data, merge=merge)
        else:
            counts = svc.import_(data, merge=merge)
    users = (counts.get("accounts") or {}).get("users")
    also = f" and {users} account(s)" if accounts else ""
    print(f"Imported {counts['athletes']} athlete(s){also}.")
    if not accounts and isinstance(data, dict) and data.get("accounts"):
        print("The file also holds web accounts; add --accounts to import them.")


# ---- backup / restore ---------------------------------------------------------------------------


@app.command("backup")
def backup_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="The backup file to write.")],
) -> None:
    """A consistent backup of the whole database, accounts included, safe while serving
    (SQLite: a database file; PostgreSQL: one snapshot as JSON). Restore with `restore`."""
    from triplane.store.db import open_engine
    from triplane.usecases.backup import backup

    engine = open_engine(G.db, G.demo)
    try:
        res = backup(engine, out)
    finally:
        engine.dispose()
    kind = "a SQLite database file" if res["kind"] == "sqlite" else "JSON"
    print(f"Backed up {res['rows']} rows of {res['tables']} tables to {out} ({kind}).")
    print("It holds password hashes: keep it private (it is readable by you only).")


@app.command("restore")
def restore_cmd(
    file: Annotated[Path, typer.Argument(help="A file written by `triplane backup`.")],
) -> None:
    """Restore a backup into an empty database (--db), all or nothing."""
    from triplane.store.db import open_engine
    from triplane.usecases.backup import restore

    engine = open_engine(G.db, G.demo)
    try:
        res = restore(engine, file)
    finally:
        engine.dispose()
    users = res["counts"].get("users", 0)
    print(f"Restored {res['rows']} rows of {res['tables']} tables ({users} account(s)).")


# ---- demo ---------------------------------------------------------------------------------------


@app.command("demo")
def demo(
    ensure: Annotated[
        bool, typer.Option("--ensure", help="Create the demo athlete only if missing.")
    ] = False,
    weeks: Annotated[int, typer.Option("--weeks", help="weeks of history")] = 8,
) -> None:
    """Create the athlete `demo` with weeks of realistic history (in the current database)."""
    from triplane.usecases.demo import create_demo

    if not 1 <= weeks <= 52:
        fail("--weeks is 1 to 52")
    with service() as svc:
        created = create_demo(svc, weeks=weeks, replace=not ensure)
    if created:
        print(f"Created the demo athlete with {weeks} weeks of history.")
    else:
        print("The demo athlete is ready.")

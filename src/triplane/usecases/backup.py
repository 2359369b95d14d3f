"""Whole-database backups, and accounts in exports. Both are driven by the schema's metadata
(`triplane.store.schema.metadata`), so a table added later is included without an edit here.

- `backup(engine, out)`: SQLite: the online backup API (a consistent copy while the server
  writes; rows still in the WAL are included, which copying the file loses). PostgreSQL (and
  any other database): every table read in one REPEATABLE READ transaction (one snapshot) and
  written as JSON (`triplane-backup`). The file is written beside `out` and renamed into place,
  so a failed backup never leaves half a file; it is readable by its owner only (it holds
  password hashes and token hashes).
- `restore(engine, path)`: either kind of file into an *empty* database, rows copied verbatim
  (ids kept, so log entry ids and links stay the same), in one transaction: all or nothing.
  An older SQLite backup is first upgraded to this version's schema (on a temporary copy).
- `export_accounts` / `import_accounts`: the `--accounts` part of `triplane export | import`:
  every table that is neither an athlete nor an athlete's log (users, their athlete, coach
  links, invites, calendar tokens...), with ids remapped on import through the foreign keys.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table, create_engine, func, insert, select, text

from triplane.store import schema as t
from triplane.store.db import HEAD_REVISION, ensure_schema
from triplane.usecases.service import Conflict, Invalid

BACKUP_FORMAT = "triplane-backup"
BACKUP_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"
SENSITIVE = (
    "This part holds password hashes (argon2id) and token hashes: anyone with the file can try "
    "to guess the passwords offline. Keep it as private as the database."
)
BATCH = 1000


def tables() -> list[Table]:
    """Every table, parents before children (the order rows can be inserted in)."""
    return list(t.metadata.sorted_tables)


def _json_value(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _coerce(table: Table, key: str, value: Any) -> Any:
    if key not in table.c:
        raise Invalid(f"the file has an unknown column '{key}' in {table.name}; is it newer?")
    if value is None:
        return None
    kind = type(table.c[key].type).__name__
    try:
        if kind == "DateTime":
            return datetime.fromisoformat(value) if isinstance(value, str) else value
        if kind == "Date":
            return date.fromisoformat(value) if isinstance(value, str) else value
        if kind == "Boolean":
            return bool(value)
    except (TypeError, ValueError):
        raise Invalid(f"{table.name}.{key}: {value!r:.40} is not a date") from None
    return value


# ---- backup -------------------------------------------------------------------------------------


def _private_temp(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def backup(engine: Engine, out: Path) -> dict[str, Any]:
    """Write a consistent backup of every table to `out`: {"kind", "tables", "rows"}."""
    tmp = _private_temp(out)
    try:
        if engine.dialect.name == "sqlite":
            kind = "sqlite"
            counts = _backup_sqlite(engine, tmp)
        else:
            kind = "json"
            counts = _backup_json(engine, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return {"kind": kind, "tables": len(counts), "rows": sum(counts.values()), "counts": counts}


def _backup_sqlite(engine: Engine, dest_path: Path) -> dict[str, int]:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        dest = sqlite3.connect(dest_path)
        try:
            source.backup(dest)  # one step: a single read snapshot, writers go on (WAL)
            counts = {
                tb.name: int(dest.execute(f'SELECT count(*) FROM "{tb.name}"').fetchone()[0])
                for tb in tables()
            }
            ok = dest.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                raise Invalid(f"the backup copy failed its integrity check: {ok}")
        finally:
            dest.close()
    finally:
        raw.close()
    return counts


def _backup_json(engine: Engine, path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with (
        engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
        conn.begin(),
        open(path, "w", encoding="utf-8") as f,
    ):
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        head = {"format": BACKUP_FORMAT, "version": BACKUP_VERSION, "schema": revision}
        f.write(json.dumps(head)[:-1] + f', "sensitive": {json.dumps(SENSITIVE)}, "tables": {{')
        for i, table in enumerate(tables()):
            columns = list(table.c.keys())
            f.write(("," if i else "") + f"\n{json.dumps(table.name)}: ")
            f.write(f'{{"columns": {json.dumps(columns)}, "rows": [')
            n = 0
            order = list(table.primary_key.columns)
            rows = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
            for row in rows:
                f.write(("," if n else "") + "\n" + json.dumps([_json_value(v) for v in row]))
                n += 1
            f.write("]}")
            counts[table.name] = n
        f.write("}}\n")
    return counts


# ---- restore ------------------------------------------------------------------------------------


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == SQLITE_MAGIC


def restore(engine: Engine, path: Path) -> dict[str, Any]:
    """Copy a backup into this (empty) database, verbatim; {"tables", "rows", "counts"}."""
    if not path.is_file():
        raise Invalid(f"{path} does not exist")
    if _is_sqlite(path):
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "restore.sqlite3"
            shutil.copyfile(path, copy)
            source = create_engine(f"sqlite:///{copy}")
            try:
                ensure_schema(source)  # an older backup: upgraded on the copy
                with source.connect() as src:
                    return _restore_rows(
                        engine,
                        {
                            tb.name: (
                                list(tb.c.keys()),
                                (tuple(r) for r in src.execute(select(tb))),
                            )
                            for tb in tables()
                        },
                    )
            finally:
                source.dispose()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            f"{path} is neither a SQLite backup nor complete JSON ({exc}); is it truncated?"
        ) from None
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise Invalid(
            f"{path} is not a Triplane backup (for a `triplane export` file use `triplane import`)"
        )
    if data.get("version") != BACKUP_VERSION:
        raise Invalid(f"backup version {data.get('version')} is not one this Triplane reads")
    if data.get("schema") != HEAD_REVISION:
        raise Invalid(
            f"this backup is of schema {data.get('schema')}, this Triplane has {HEAD_REVISION}; "
            "restore it with the Triplane version that wrote it, then upgrade"
        )
    found = data.get("tables")
    if not isinstance(found, dict):
        raise Invalid("the backup has no 'tables'; is the file complete?")
    known = {tb.name for tb in tables()}
    unknown = sorted(set(found) - known)
    if unknown:
        raise Invalid(f"the backup has tables this Triplane does not know: {', '.join(unknown)}")
    return _restore_rows(
        engine,
        {name: (body["columns"], iter(body["rows"])) for name, body in found.items()},
    )


def _restore_rows(
    engine: Engine, source: Mapping[str, tuple[list[str], Iterator[Any]]]
) -> dict[str, Any]:
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        busy = [tb.name for tb in tables() if conn.execute(select(func.count()).select_from(tb))
                .scalar()]  # fmt: skip
        if busy:
            raise Conflict(
                f"this database already holds data ({', '.join(busy[:4])}...); restore into a new "
                "one (--db sqlite:///path/new.sqlite3 or an empty PostgreSQL database)"
            )
        for table in tables():
            columns, rows = source.get(table.name, ([], iter(())))
            n = 0
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append({k: _coerce(table, k, v) for k, v in zip(columns, row, strict=True)})
                if len(batch) >= BATCH:
                    conn.execute(insert(table), batch)
                    n += len(batch)
                    batch = []
            if batch:
                conn.execute(insert(table), batch)
                n += len(batch)
            counts[table.name] = n
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
    return {"tables": len(counts), "rows": sum(counts.values()), "counts": counts}


def _reset_sequences(conn: Connection) -> None:
    """Rows came with their ids: move each id sequence past the largest one."""
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].foreign_keys:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                f'COALESCE(MAX("{pk[0].name}"), 1), MAX("{pk[0].name}") IS NOT NULL) '
                f'FROM "{table.name}"'
            )
        )


# ---- accounts in exports ------------------------------------------------------------------------

_ATHLETE_SIDE = {t.athletes.name, *(tb.name for tb in t.ATHLETE_TABLES)}


def account_tables() -> list[Table]:
    """The tables `export --accounts` adds: all but the athletes and their logs."""
    return [tb for tb in tables() if tb.name not in _ATHLETE_SIDE]


def _autoincrement_id(table: Table) -> str | None:
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, Integer) and not pk[0].foreign_keys:
        return pk[0].name
    return None


def export_accounts(conn: Connection, athlete_ids: set[int] | None = None) -> dict[str, Any]:
    """Every account table's rows, ids included (import remaps them). With `athlete_ids`
    (an export of some athletes), rows that point at other athletes are left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in account_tables():
        q = select(table).order_by(*table.primary_key.columns)
        rows = []
        for r in conn.execute(q).mappings():
            if athlete_ids is not None and any(
                fk.column.table.name == "athletes"
                and r[col.name] is not None
                and r[col.name] not in athlete_ids
                for col in table.c
                for fk in col.foreign_keys
            ):
                continue
            rows.append({k: _json_value(v) for k, v in r.items()})
        out[table.name] = rows
    return {"sensitive": SENSITIVE, "tables": out}


def import_accounts(conn: Connection, data: Any, athlete_map: Mapping[int, int]) -> dict[str, int]:
    """Insert an export's accounts, mapping every foreign key through the new ids (athletes by
    `athlete_map`, each other table by the ids this import gives its rows)."""
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise Invalid("the export's 'accounts' has no 'tables'; was it written with --accounts?")
    found = data["tables"]
    known = {tb.name for tb in account_tables()}
    unknown = sorted(set(found) - known)
    if unknown:
        raise Invalid(f"the export has account tables this Triplane does not know: {unknown}")
    maps: dict[str, dict[Any, Any]] = {"athletes": dict(athlete_map)}
    counts: dict[str, int] = {}
    for table in account_tables():
        rows = found.get(table.name) or []
        auto = _autoincrement_id(table)
        maps[table.name] = {}
        for raw in rows:
            if not isinstance(raw, dict):
                raise Invalid(f"the export's {table.name} rows are damaged")
            values = {k: _coerce(table, k, v) for k, v in raw.items()}
            skip = False
            for col in table.c:
                for fk in col.foreign_keys:
                    target = fk.column.table.name
                    old = values.get(col.name)
                    if old is None or target not in maps:
                        continue
                    if old not in maps[target]:
                        skip = True  # points at a row the export did not carry
                    else:
                        values[col.name] = maps[target][old]
            if skip:
                continue
            old_id = values.pop(auto, None) if auto else None
            result = conn.execute(insert(table).values(**values))
            if auto:
                maps[table.name][old_id] = t.inserted_id(result)
        counts[table.name] = len(maps[table.name]) if auto else len(rows)
    return counts


def export_with_accounts(svc: Any, athletes: list[Any] | None = None) -> dict[str, Any]:
    """`triplane export --accounts`: the usual export, each athlete with its id, plus the
    accounts (marked sensitive)."""
    chosen = athletes if athletes is not None else svc.athletes()
    data: dict[str, Any] = svc.export(chosen)
    for item, athlete in zip(data["athletes"], chosen, strict=True):
        item["id"] = athlete.id
    ids = {a.id for a in chosen} if athletes is not None else None
    data["accounts"] = export_accounts(svc.conn, ids)
    return data


def import_with_accounts(svc: Any, data: Any, merge: bool = False) -> dict[str, Any]:
    """`triplane import --accounts`: the athletes, then their accounts, in one transaction."""
    from sqlalchemy.exc import IntegrityError

    if not isinstance(data, dict) or "accounts" not in data:
        raise Invalid("this export has no accounts; it was written without --accounts")
    counts: dict[str, Any] = svc.import_(data, merge=merge)
    athlete_map = {}
    for item in data.get("athletes") or []:
        if isinstance(item, dict) and "id" in item:
            new = svc.conn.execute(
                select(t.athletes.c.id).where(t.athletes.c.name == item["name"])
            ).scalar_one()
            athlete_map[item["id"]] = new
    try:
        with svc.conn.begin_nested():
            counts["accounts"] = import_accounts(svc.conn, data["accounts"], athlete_map)
    except IntegrityError as exc:
        first = str(exc.orig).splitlines()[0]
        raise Conflict(
            f"an account in the export is already in this database ({first}); import into an "
            "empty database"
        ) from None
    return counts

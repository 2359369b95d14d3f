"""Read-only access to a SQLite database with the standard library's sqlite3, for the fast path
of `triplane plan day --json` (importing SQLAlchemy is most of that command's start-up).

`open_read_only` answers only what it can answer exactly as the SQLAlchemy path would: a plain
`sqlite:///FILE` URL whose file exists and whose schema is at the head revision. Otherwise it
returns None and the caller takes the normal path, which creates, upgrades or reports. Rows come
typed as SQLAlchemy's SQLite dialect gives them: DATE and DATETIME columns as date and datetime,
BOOLEAN columns as bool. Nothing is ever written (PRAGMA query_only).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from triplane.store.db import HEAD_REVISION

URL_PREFIX = "sqlite:///"

# The typed columns the planner reads (store/schema.py): everything else is text or a number.
_DATES = frozenset({"date", "effective", "start", "end"})
_DATETIMES = frozenset({"created_at", "start_utc"})
_BOOLEANS = frozenset(
    {"painful", "active", "skipped", "balance_ok", "sharp_pain", "cleared_by_clinician"}
)


class Row:
    """A row with its columns as attributes (as SQLAlchemy's rows have them)."""

    def __init__(self, names: Sequence[str], values: Sequence[Any]) -> None:
        for name, value in zip(names, values, strict=True):
            if value is not None:
                if name in _DATES:
                    value = date.fromisoformat(value)
                elif name in _DATETIMES:
                    value = datetime.fromisoformat(value)
                elif name in _BOOLEANS:
                    value = bool(value)
            setattr(self, name, value)

    def __getattr__(self, name: str) -> Any:  # for type checkers: columns are dynamic
        raise AttributeError(name)


def sqlite_file(url: str) -> str | None:
    """The file of a plain `sqlite:///FILE` URL, or None for anything else (other databases,
    drivers, memory, query options, escapes, `~`): those take the normal path."""
    if not url.startswith(URL_PREFIX):
        return None
    path = url[len(URL_PREFIX) :]
    if not path or path == ":memory:" or any(c in path for c in "?%#~") or path[0] == "~":
        return None
    return path


class PlanReader:
    """The rows the planner needs (usecases.planning.PlanRows), from one read transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, *params: Any) -> list[Row]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [Row(names, values) for values in cur.fetchall()]

    def athletes(self) -> list[Row]:
        return self.rows("SELECT id, name, tz FROM athletes ORDER BY name")

    def athlete_named(self, name: str) -> Row | None:
        found = self.rows("SELECT id, name, tz FROM athletes WHERE name = ?", name)
        return found[0] if found else None

    def _of(self, table: str, athlete_id: int, order: str = "") -> list[Row]:
        sql = f"SELECT * FROM {table} WHERE athlete_id = ?"  # noqa: S608 - names are ours
        return self.rows(sql + (f" ORDER BY {order}" if order else ""), athlete_id)

    def settings_rows(self, athlete_id: int) -> list[Row]:
        return self.rows(
            "SELECT effective, data FROM settings_entries WHERE athlete_id = ? "
            "ORDER BY effective, id",
            athlete_id,
        )

    def measurement_rows(self, athlete_id: int) -> list[Row]:
        return self._of("measurements", athlete_id, "date, id")

    def created_at(self, athlete_id: int) -> datetime | None:
        found = self.rows("SELECT created_at FROM athletes WHERE id = ?", athlete_id)
        return found[0].created_at if found else None

    def drill_log_rows(self, athlete_id: int) -> list[Row]:
        return self._of("drill_logs", athlete_id, "id")

    def lunge_log_rows(self, athlete_id: int) -> list[Row]:
        return self._of("lunge_logs", athlete_id, "id")

    def check_in_rows(self, athlete_id: int) -> list[Row]:
        return self._of("check_ins", athlete_id, "id")

    def away_rows(self, athlete_id: int) -> list[Row]:
        return self._of("away_periods", athlete_id)

    def event_rows(self, athlete_id: int) -> list[Row]:
        return self._of("events", athlete_id)

    def run_rows(self, athlete_id: int) -> list[Row]:
        return self.rows(
            "SELECT start_utc, duration_s, distance_m FROM activities "
            "WHERE athlete_id = ? AND is_run IS 1 ORDER BY start_utc",
            athlete_id,
        )


@contextmanager
def open_read_only(url: str) -> Iterator[PlanReader | None]:
    """A reader inside one read transaction, or None when this path can't answer alike."""
    path = sqlite_file(url)
    if path is None or not os.path.isfile(path):
        yield None
        return
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        yield None
        return
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("BEGIN")
        try:
            (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except (sqlite3.Error, TypeError):
            revision = None
        yield PlanReader(conn) if revision == HEAD_REVISION else None
    finally:
        conn.close()

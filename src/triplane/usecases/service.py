"""The use cases: the ONE API that the CLI, the web app and the tests call.

Every public method of `Service` works inside the caller's transaction (`open_service` gives one
per command), validates its input and raises `TriplaneError` with a sentence that says what was
wrong and what to do. Nothing here prints; nothing here knows about HTTP or terminals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, func, select

from triplane.core.errors import Conflict, Invalid, NotFound, TriplaneError
from triplane.store import schema as t
from triplane.store.db import open_engine
from triplane.usecases.athletes import Athlete, coach_drills_dir, current_catalogue
from triplane.usecases.logs import lunge_json
from triplane.usecases.parsing import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_DATE,
    MIN_DATE,
    local_zone,
    parse_date,
    parse_days,
    parse_run_times,
    parse_time,
    settings_from_json,
    settings_to_json,
)
from triplane.usecases.transfer import TransferCases


class Service(TransferCases):
    """Every use case of athletes, settings, assessment, plans, the log and export/import, over
    one connection. The groups live in athletes.py, assessment.py, logs.py and transfer.py
    (each builds on the one before); parsing.py holds the parsers they share."""

    # -- counting, for `make run` and the web --

    def count_athletes(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.athletes)).scalar() or 0)


@contextmanager
def open_service(
    url: str | None = None, demo: bool = False, engine: Engine | None = None
) -> Iterator[Service]:
    """One transaction: commit when the block ends, roll back everything on any error."""
    engine = engine or open_engine(url, demo)
    with engine.begin() as conn:
        yield Service(conn)


__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "MAX_DATE",
    "MIN_DATE",
    "Athlete",
    "Conflict",
    "Invalid",
    "NotFound",
    "Service",
    "TriplaneError",
    "coach_drills_dir",
    "current_catalogue",
    "local_zone",
    "lunge_json",
    "open_service",
    "parse_date",
    "parse_days",
    "parse_run_times",
    "parse_time",
    "settings_from_json",
    "settings_to_json",
]

"""The one entry point of the use cases: a unit of work, opened once per command or request.

`Work` is the `Service` (athletes, settings, assessment, plans, the log, export/import) over one
transaction, and it opens the other groups over the same transaction when asked: `accounts`,
`running`, `reminders`, `videos`. Faces open one with `open_work` (the CLI per command, the web
per request) and call `work.running.routine(a)`, never `Running(svc)` or a module function
with a connection of their own. A group's module is imported when it is first used (the
CLI's start-up stays short). This module is the top of the use-case layer: nothing in it
is imported by the groups, so there is no import cycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from triplane.store.db import open_engine
from triplane.usecases.service import Service

if TYPE_CHECKING:
    from triplane.usecases.accounts import Accounts
    from triplane.usecases.reminders import Reminders
    from triplane.usecases.running import Running
    from triplane.usecases.video import Videos


class Work(Service):
    """Every use-case group over one connection (one transaction)."""

    @cached_property
    def accounts(self) -> Accounts:
        from triplane.usecases.accounts import Accounts

        return Accounts(self.conn, self)

    @cached_property
    def running(self) -> Running:
        from triplane.usecases.running import Running

        return Running(self)

    @cached_property
    def reminders(self) -> Reminders:
        from triplane.usecases.reminders import Reminders

        return Reminders(self.conn, self)

    @cached_property
    def videos(self) -> Videos:
        from triplane.usecases.video import Videos

        return Videos(self)


@contextmanager
def open_work(
    url: str | None = None, demo: bool = False, engine: Engine | None = None
) -> Iterator[Work]:
    """One transaction: commit when the block ends, roll back everything on any error."""
    engine = engine or open_engine(url, demo)
    with engine.begin() as conn:
        yield Work(conn)

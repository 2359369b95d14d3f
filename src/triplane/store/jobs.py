"""The record of each background job (video analysis): its status and result, which the web's
job-status pages read. The queue itself is procrastinate on PostgreSQL and the in-process runner
on SQLite (triplane.usecases.tasks); this table only says how each job is doing.

`start` is one statement (`UPDATE ... WHERE id = :id AND status = 'queued'`), so however many
workers are handed the same job, one runs it. A job whose worker died (running for longer than
STALE_AFTER) may be started again, up to MAX_ATTEMPTS.

Every function works inside the caller's transaction (a Connection from `engine.begin()`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from triplane.store import schema as t

STATUSES = ("queued", "running", "done", "failed")
MAX_ATTEMPTS = 2  # a job whose worker died this many times is failed, not retried again
STALE_AFTER = timedelta(minutes=30)  # a job running longer than this lost its worker


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    athlete_id: int | None
    payload: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _job(row: Any) -> Job:
    m = row._mapping
    return Job(
        id=int(m["id"]),
        kind=m["kind"],
        status=m["status"],
        athlete_id=m["athlete_id"],
        payload=json.loads(m["payload"] or "{}"),
        result=json.loads(m["result"]) if m["result"] else None,
        error=m["error"],
        attempts=int(m["attempts"] or 0),
        created_at=m["created_at"],
        started_at=m["started_at"],
        finished_at=m["finished_at"],
    )


def enqueue(
    conn: Connection, kind: str, payload: Mapping[str, Any], athlete_id: int | None = None
) -> int:
    row = dict(
        kind=kind,
        status="queued",
        athlete_id=athlete_id,
        payload=json.dumps(dict(payload), sort_keys=True),
        attempts=0,
        created_at=now(),
    )
    key = conn.execute(insert(t.jobs).values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def start(conn: Connection, job_id: int) -> Job | None:
    """Mark a queued (or stale) job running; the job, or None when someone else has it, it is
    finished, or it went stale MAX_ATTEMPTS times (then it is failed)."""
    j = t.jobs
    old = and_(j.c.status == "running", j.c.started_at < now() - STALE_AFTER)
    conn.execute(
        update(j)
        .where(j.c.id == job_id, old, j.c.attempts >= MAX_ATTEMPTS)
        .values(
            status="failed",
            finished_at=now(),
            error="the analysis stopped (its worker went away) more than once; try a shorter clip",
        )
    )
    stale = and_(old, j.c.attempts < MAX_ATTEMPTS)
    row = conn.execute(
        update(j)
        .where(j.c.id == job_id, or_(j.c.status == "queued", stale))
        .values(status="running", started_at=now(), attempts=j.c.attempts + 1)
        .returning(*j.c)
    ).first()
    return _job(row) if row is not None else None


def queued(conn: Connection, kinds: Sequence[str] = ("video",)) -> list[int]:
    """The ids of the queued jobs of these kinds, oldest first (the in-process runner)."""
    return [
        int(i)
        for i in conn.execute(
            select(t.jobs.c.id)
            .where(t.jobs.c.status == "queued", t.jobs.c.kind.in_(list(kinds)))
            .order_by(t.jobs.c.id)
        ).scalars()
    ]


def finish(conn: Connection, job_id: int, result: Mapping[str, Any]) -> None:
    conn.execute(
        update(t.jobs)
        .where(t.jobs.c.id == job_id)
        .values(status="done", result=json.dumps(dict(result)), error=None, finished_at=now())
    )


def fail(conn: Connection, job_id: int, error: str) -> None:
    conn.execute(
        update(t.jobs)
        .where(t.jobs.c.id == job_id)
        .values(status="failed", error=error[:2000], finished_at=now())
    )


def set_result(conn: Connection, job_id: int, result: Mapping[str, Any]) -> None:
    conn.execute(
        update(t.jobs).where(t.jobs.c.id == job_id).values(result=json.dumps(dict(result)))
    )


def get(conn: Connection, job_id: int) -> Job | None:
    row = conn.execute(select(t.jobs).where(t.jobs.c.id == job_id)).first()
    return _job(row) if row is not None else None


def recent(conn: Connection, athlete_id: int, kind: str = "video", limit: int = 10) -> list[Job]:
    rows = conn.execute(
        select(t.jobs)
        .where(t.jobs.c.athlete_id == athlete_id, t.jobs.c.kind == kind)
        .order_by(t.jobs.c.id.desc())
        .limit(limit)
    ).all()
    return [_job(r) for r in rows]

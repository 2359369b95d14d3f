"""A small job queue on the `jobs` table (video analysis runs as jobs).

Claiming is one statement: `UPDATE jobs SET status='running' ... WHERE id = (SELECT id ... WHERE
status='queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ...`. On PostgreSQL the
SKIP LOCKED sub-select lets any number of workers, on any number of machines, claim jobs at once
without ever taking the same one and without waiting on each other. On SQLite (which has no
FOR UPDATE) the single UPDATE takes the write lock first, so claims are serialised; the
`status = 'queued'` condition makes a claim of a job someone else took a no-op.

Every function works inside the caller's transaction (a Connection from `engine.begin()`); the
claim is only visible to others once that transaction commits, so keep it short.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

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


def claim(conn: Connection, kinds: Sequence[str] = ("video",)) -> Job | None:
    """Take the oldest queued job of these kinds (status -> running), or None when there is none."""
    j = t.jobs
    oldest = (
        select(j.c.id)
        .where(j.c.status == "queued", j.c.kind.in_(list(kinds)))
        .order_by(j.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # rendered on PostgreSQL; SQLite has no row locks
        .scalar_subquery()
    )
    stmt = (
        update(j)
        .where(and_(j.c.id == oldest, j.c.status == "queued"))
        .values(status="running", started_at=now(), attempts=j.c.attempts + 1)
        .returning(*j.c)
    )
    row = conn.execute(stmt).first()
    return _job(row) if row is not None else None


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


def requeue_stale(conn: Connection, older_than: timedelta = STALE_AFTER) -> int:
    """Jobs whose worker died (running for longer than `older_than`): queued again, or failed
    after MAX_ATTEMPTS. Returns how many were touched."""
    j = t.jobs
    cutoff = now() - older_than
    stale = and_(j.c.status == "running", j.c.started_at < cutoff)
    failed = conn.execute(
        update(j)
        .where(stale, j.c.attempts >= MAX_ATTEMPTS)
        .values(
            status="failed",
            finished_at=now(),
            error="the analysis stopped (its worker went away) more than once; try a shorter clip",
        )
    ).rowcount
    again = conn.execute(
        update(j).where(stale, j.c.attempts < MAX_ATTEMPTS).values(status="queued")
    ).rowcount
    return int(failed or 0) + int(again or 0)

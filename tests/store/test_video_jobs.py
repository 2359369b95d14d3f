"""The record of video jobs on SQLite and on PostgreSQL (the queue itself is procrastinate or
the in-process runner: tests/usecases/test_queue.py). However many workers are handed the same job,
`start` lets exactly one run it; a job whose worker died is started again, then failed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from triplane.store import jobs
from triplane.store import schema as t
from triplane.store.db import make_engine, open_engine

N_JOBS = 40


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_url")


def _fill(url: str, n: int = N_JOBS) -> list[int]:
    engine = open_engine(url)
    with engine.begin() as conn:
        ids = [jobs.enqueue(conn, "video", {"n": i}) for i in range(n)]
    engine.dispose()
    return ids


def test_start_finish_fail_in_order(url: str) -> None:
    ids = _fill(url, 3)
    engine = open_engine(url)
    with engine.begin() as conn:
        assert jobs.queued(conn, ("other_kind",)) == []
        assert jobs.queued(conn) == ids
        first = jobs.start(conn, ids[0])
        assert first is not None and first.status == "running" and first.attempts == 1
        assert first.payload == {"n": 0} and first.started_at
        assert jobs.start(conn, ids[0]) is None  # taken
        jobs.finish(conn, first.id, {"ok": True})
        second = jobs.start(conn, ids[1])
        assert second is not None
        jobs.fail(conn, second.id, "no person was found")
        assert jobs.queued(conn) == [ids[2]]
    with engine.begin() as conn:
        done, failed = jobs.get(conn, ids[0]), jobs.get(conn, ids[1])
        assert done is not None and done.status == "done" and done.result == {"ok": True}
        assert failed is not None and failed.status == "failed" and failed.finished
        assert failed.error == "no person was found"
        assert jobs.start(conn, ids[0]) is None and jobs.start(conn, ids[1]) is None
    engine.dispose()


def _starter(url: str, ids: list[int], out: list[int], errors: list[BaseException]) -> None:
    engine: Engine = make_engine(url)  # a worker of its own: its own engine and connection
    try:
        for job_id in ids:
            with engine.begin() as conn:
                if jobs.start(conn, job_id) is not None:
                    out.append(job_id)
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)
    finally:
        engine.dispose()


def test_workers_handed_the_same_jobs_run_each_once(url: str) -> None:
    ids = _fill(url)
    started: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_starter, args=(url, ids, started[i], errors)) for i in range(4)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    every = [j for s in started for j in s]
    assert sorted(every) == ids, "a job was started twice or not at all"


def test_a_stale_job_is_started_again_then_failed(url: str) -> None:
    (jid,) = _fill(url, 1)
    engine = open_engine(url)
    old = jobs.now() - jobs.STALE_AFTER - timedelta(minutes=1)
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        with engine.begin() as conn:
            job = jobs.start(conn, jid)
            assert job is not None and job.attempts == attempt
            assert jobs.start(conn, jid) is None  # running, not stale yet
            conn.execute(update(t.jobs).where(t.jobs.c.id == jid).values(started_at=old))
    with engine.begin() as conn:
        assert jobs.start(conn, jid) is None  # stale MAX_ATTEMPTS times: not again
        job = jobs.get(conn, jid)
    assert job is not None and job.status == "failed" and "more than once" in (job.error or "")
    engine.dispose()

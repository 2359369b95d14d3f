"""The job queue on SQLite and on PostgreSQL: jobs are claimed oldest first, and workers with
their own connections claiming at the same time never take the same job."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

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


def test_claim_finish_fail_in_order(url: str) -> None:
    ids = _fill(url, 3)
    engine = open_engine(url)
    with engine.begin() as conn:
        assert jobs.claim(conn, ("other_kind",)) is None
        first = jobs.claim(conn)
        assert first is not None and first.id == ids[0] and first.status == "running"
        assert first.attempts == 1 and first.payload == {"n": 0} and first.started_at
        jobs.finish(conn, first.id, {"ok": True})
        second = jobs.claim(conn)
        assert second is not None and second.id == ids[1]
        jobs.fail(conn, second.id, "no person was found")
    with engine.begin() as conn:
        done, failed = jobs.get(conn, ids[0]), jobs.get(conn, ids[1])
        assert done is not None and done.status == "done" and done.result == {"ok": True}
        assert failed is not None and failed.status == "failed" and failed.finished
        assert failed.error == "no person was found"
        assert jobs.claim(conn) is not None and jobs.claim(conn) is None
    engine.dispose()


def _claimer(url: str, out: list[int], errors: list[BaseException], hold: float) -> None:
    engine: Engine = make_engine(url)  # a worker of its own: its own engine and connection
    try:
        while True:
            with engine.begin() as conn:
                job = jobs.claim(conn)
                if job is None:
                    return
                out.append(job.id)
                time.sleep(hold)  # keep the claim's transaction (and its row lock) open
                jobs.finish(conn, job.id, {"by": threading.get_ident()})
    except BaseException as exc:  # noqa: BLE001
        errors.append(exc)
    finally:
        engine.dispose()


def test_concurrent_workers_never_take_the_same_job(url: str) -> None:
    ids = _fill(url)
    claimed: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_claimer, args=(url, claimed[i], errors, 0.01)) for i in range(4)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    every = [j for c in claimed for j in c]
    assert len(every) == len(set(every)) == N_JOBS, "a job was claimed twice or not at all"
    assert set(every) == set(ids)
    if url.startswith("postgresql"):
        # SKIP LOCKED: the workers ran side by side, not one after the other
        assert sum(1 for c in claimed if c) >= 2
    engine = open_engine(url)
    with engine.connect() as conn:
        statuses = conn.execute(
            select(t.jobs.c.status, func.count()).group_by(t.jobs.c.status)
        ).all()
    engine.dispose()
    assert dict(statuses) == {"done": N_JOBS}


CLAIM_SCRIPT = """
import sys, time
from triplane.store import jobs
from triplane.store.db import make_engine
engine = make_engine(sys.argv[1])
got = []
while True:
    with engine.begin() as conn:
        job = jobs.claim(conn)
        if job is None:
            break
        got.append(job.id)
        time.sleep(0.01)
        jobs.finish(conn, job.id, {})
print(" ".join(map(str, got)))
"""


def test_worker_processes_never_take_the_same_job(url: str) -> None:
    ids = _fill(url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM_SCRIPT, url], stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    every = [int(x) for o in outs for x in o.split()]
    assert sorted(every) == sorted(ids)

"""procrastinate on the real PostgreSQL (issue 15): two workers side by side never send the
same reminder twice, the every-minute task dispatches what is due, video analyses run as
procrastinate tasks and the job-status record follows them. Skips without
TRIPLANE_TEST_DATABASE_URL."""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from local_services import HttpSink
from triplane.store import schema as t
from triplane.store.db import open_engine
from triplane.usecases import tasks
from triplane.usecases.reminders import Reminders
from triplane.usecases.service import Service

pytestmark = pytest.mark.postgres
DAY = date(2026, 12, 12)  # a Saturday
N_ATHLETES = 6


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    e = open_engine(pg_url)
    assert tasks.ensure_queue_schema(e) is True
    assert tasks.ensure_queue_schema(e) is False  # once
    yield e
    tasks._apps.pop(tasks._url(e), None)
    e.dispose()
    for other in list(tasks._engines.values()):
        if other.url.database == e.url.database:
            other.dispose()


def _athletes(engine: Engine) -> datetime:
    """N athletes with ntfy reminders; the UTC time of their first snack on DAY."""
    with engine.begin() as conn:
        svc = Service(conn)
        r = Reminders(conn, svc)
        for i in range(N_ATHLETES):
            a = svc.add_athlete(f"Runner {i}", tz="UTC")
            r.set_prefs(a, channels="ntfy", ntfy_topic=f"runner-{i}")
        first = svc.plan_day(svc.athlete("Runner 0"), DAY).slots[0].start
    return datetime.combine(DAY, first)


def _pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar_one()
        )


def _workers(engine: Engine, n: int = 2) -> None:
    """n workers, each in a thread of its own with its own connection pool, running until the
    queue has been empty for a moment."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def work(i: int) -> None:
        try:
            tasks.run_worker(engine, name=f"w{i}", install_signal_handlers=False,
                             periodic=False, stop=stop)  # fmt: skip
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    end = _time.time() + 120
    quiet = 0
    while _time.time() < end and quiet < 3:
        _time.sleep(0.5)
        quiet = quiet + 1 if _pending(engine) == 0 else 0
    stop.set()
    for th in threads:
        th.join(60)
    assert not errors, errors


def test_two_workers_never_send_the_same_reminder(engine: Engine, ntfy: HttpSink) -> None:
    at = _athletes(engine)
    # four dispatches of the same minute (as if schedulers raced), on a queue two workers share
    for _ in range(4):
        tasks.app(engine).tasks["triplane.dispatch"].defer(now=at.isoformat())
    _workers(engine)
    topics = sorted(b["topic"] for b in ntfy.json_bodies())
    assert topics == sorted(f"runner-{i}" for i in range(N_ATHLETES))  # each exactly once
    with engine.begin() as conn:
        rows = conn.execute(select(t.reminder_deliveries)).all()
        assert len(rows) == N_ATHLETES and {r.status for r in rows} == {"sent"}
        left = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status='todo'"))
        assert left.scalar() == 0
    # a second round of dispatches for the same minute sends nothing more
    tasks.app(engine).tasks["triplane.dispatch"].defer(now=at.isoformat())
    _workers(engine)
    assert len(ntfy.received) == N_ATHLETES


def test_the_workers_share_the_sends(engine: Engine, ntfy: HttpSink, monkeypatch: Any) -> None:
    """With a slow ntfy, the sends of one dispatch are spread over both workers."""
    from triplane.io import notify

    at = _athletes(engine)
    real = notify.send_ntfy
    spans: list[tuple[float, float]] = []

    def slow_send(*args: Any, **kwargs: Any) -> str:
        start = _time.monotonic()
        _time.sleep(0.3)
        out = real(*args, **kwargs)
        spans.append((start, _time.monotonic()))
        return out

    monkeypatch.setattr(notify, "send_ntfy", slow_send)
    tasks.app(engine).tasks["triplane.dispatch"].defer(now=at.isoformat())
    _workers(engine)
    assert len(ntfy.received) == N_ATHLETES
    with engine.begin() as conn:
        n = conn.execute(select(func.count()).select_from(t.reminder_deliveries)).scalar()
    assert n == N_ATHLETES
    # each worker runs one task at a time, so two sends in flight at once were two workers
    spans.sort()
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))


def test_the_periodic_task_dispatches_at_its_minute(engine: Engine, ntfy: HttpSink) -> None:
    at = _athletes(engine)
    a = tasks.app(engine, fresh=True)
    assert any(p.task.name == "triplane.tick" for p in a.periodic_registry.periodic_tasks.values())
    stamp = int(at.replace(tzinfo=UTC).timestamp())
    a.open()
    try:
        a.tasks["triplane.tick"].defer(timestamp=stamp)
    finally:
        a.close()
    _workers(engine, 1)
    assert len(ntfy.received) == N_ATHLETES


def test_a_retried_send_after_a_failure(engine: Engine, ntfy: HttpSink, monkeypatch: Any) -> None:
    """ntfy down: the send fails, is recorded with the reason, and procrastinate retries it."""
    monkeypatch.setattr(tasks, "RETRY_WAIT", 0)
    at = _athletes(engine)
    ntfy.status["/"] = 500
    tasks.app(engine).tasks["triplane.dispatch"].defer(now=at.isoformat())
    _workers(engine, 1)
    with engine.begin() as conn:
        rows = conn.execute(select(t.reminder_deliveries)).all()
        assert {r.status for r in rows} == {"failed"} and all("500" in r.detail for r in rows)
        retries = conn.execute(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                "'triplane.send_reminder' AND attempts >= 1"
            )  # fmt: skip
        ).scalar()
    assert retries == N_ATHLETES


def test_video_analysis_runs_as_a_procrastinate_task(
    engine: Engine, tmp_path: Path, monkeypatch: Any
) -> None:
    from triplane.usecases import video as v

    def measure(path: Any, test: str, side: Any = None, annotate: Any = None) -> dict[str, Any]:
        return {"test": test, "measurements": [], "frames": 10}

    monkeypatch.setattr(v, "measure", measure)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with engine.begin() as conn:
        a = Service(conn).add_athlete("Vid", tz="UTC")
        job_id = v.enqueue(conn, a, clip, "seated_rotation")
    tasks.submit_video(engine, job_id)
    tasks.submit_video(engine, job_id)  # a second hand-over while queued is dropped (queueing lock)
    with engine.begin() as conn:
        queued = conn.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name='triplane.analyse_video'")
        ).scalar()
        assert queued == 1
        assert v.job_for(conn, a, job_id).status == "queued"
    _workers(engine)
    with engine.begin() as conn:
        job = v.job_for(conn, a, job_id)
    assert job.status == "done" and job.result == {"test": "seated_rotation",
                                                   "measurements": [], "frames": 10}  # fmt: skip
    assert job.attempts == 1 and not clip.exists()


def test_a_job_started_once_is_not_run_again(engine: Engine, tmp_path: Path) -> None:
    from triplane.store import jobs
    from triplane.usecases import video as v

    with engine.begin() as conn:
        a = Service(conn).add_athlete("Vid", tz="UTC")
        job_id = v.enqueue(conn, a, tmp_path / "x.mp4", "free")
        assert jobs.start(conn, job_id) is not None
        assert jobs.start(conn, job_id) is None
    assert v.run_job(engine, job_id) is None


def test_triplane_worker_once_runs_the_queue(
    engine: Engine, pg_url: str, ntfy: HttpSink, cli: Any
) -> None:
    at = _athletes(engine)
    tasks.app(engine).tasks["triplane.dispatch"].defer(now=at.isoformat())
    r = cli("worker", "--once", db=pg_url)
    assert r.code == 0, r.err
    assert "procrastinate on PostgreSQL" in r.err
    assert sorted(b["topic"] for b in ntfy.json_bodies()) == sorted(
        f"runner-{i}" for i in range(N_ATHLETES)
    )
    assert _pending(engine) == 0

"""Everything asynchronous (issue 15): reminder dispatch, reminder sends, e-mails and video
analysis, on procrastinate (a PostgreSQL task queue) or, on SQLite, in this process.

The task BODIES are the plain functions `dispatch`, `send_reminder`, `send_email` and
`analyse_video` below; both ways of running call exactly them:

- PostgreSQL: `app()` is a procrastinate App whose tasks wrap the bodies. `triplane worker`
  runs a procrastinate worker (any number, on any machine); a periodic task every minute
  enqueues the due reminders, each with a queueing lock per athlete and reminder, and the
  delivery rows (triplane.usecases.reminders) make sure a reminder is sent once however many workers
  run. Sends are retried with back-off.
- SQLite (one machine): `LocalRunner` is one scheduler thread in `triplane serve` that runs
  `dispatch` each minute and the deferred bodies in order, with the same retries.

procrastinate is imported only here and only when PostgreSQL is used.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time as _time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger("triplane.usecases.tasks")

RETRY_ATTEMPTS = 3  # first try + 2 retries
RETRY_WAIT = 30  # seconds; then exponential: 30 s, 60 s ...
QUEUES = ("reminders", "email", "video")

_engine_lock = threading.Lock()
_engines: dict[str, Engine] = {}


_worker_url: list[str] = []  # the PostgreSQL database this process's workers serve


def engine_for(url: str | None) -> Engine:
    """One engine per database URL in this process (the worker's tasks share it). Jobs on
    PostgreSQL carry no URL (no password in the jobs table): the worker's database is used."""
    from triplane.store.db import make_engine

    url = url or (_worker_url[-1] if _worker_url else None)
    if url is None:
        raise RuntimeError("a task ran outside a worker: no database to use")
    with _engine_lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def uses_queue(engine: Engine) -> bool:
    """PostgreSQL: procrastinate workers. SQLite: this process runs the tasks."""
    return engine.dialect.name == "postgresql"


# ---- the task bodies ---------------------------------------------------------------------------


def dispatch(now: str | None = None, url: str | None = None) -> int:
    """Defer a send for every reminder due at `now` (ISO, UTC; default: the clock)."""
    from triplane.usecases import reminders as r

    engine = engine_for(url)
    at = r.parse_now(now)
    found = r.due(engine, at)
    for athlete_id, key in found:
        defer(engine, "send_reminder", lock=f"reminder:{athlete_id}:{key}",
              athlete_id=athlete_id, key=key, now=at.isoformat())  # fmt: skip
    return len(found)


def send_reminder(
    athlete_id: int, key: str, now: str | None = None, url: str | None = None
) -> list[Any]:
    """Send one reminder on each channel (RetryLater when a channel may work next time)."""
    from triplane.usecases import reminders as r

    engine = engine_for(url)
    return [o.as_dict() for o in r.send(engine, athlete_id, key, r.parse_now(now))]


def send_email(to: str, subject: str, text: str, url: str | None = None) -> str:
    """An e-mail (password-reset links): DeliveryFailed is retried by the queue."""
    from triplane.io import notify

    return notify.send_email(to, subject, text)


def analyse_video(job_id: int, url: str | None = None) -> str:
    """Analyse an uploaded clip: the body is triplane.usecases.video.run_job."""
    from triplane.usecases import video

    done = video.run_job(engine_for(url), job_id)
    return done.status if done is not None else "not queued"


def submit_video(engine: Engine, job_id: int) -> None:
    """Hand a queued video job to whoever runs jobs: a procrastinate task on PostgreSQL, this
    process's runner thread on SQLite (here, not in video.py: the queue imports the video use
    cases, never the other way round)."""
    from triplane.usecases import video

    if video.runs_in_process(engine):
        video.start_local_runner(engine)
        return
    defer(engine, "analyse_video", lock=f"video:{job_id}", job_id=job_id)


BODIES: dict[str, Callable[..., Any]] = {
    "dispatch": dispatch,
    "send_reminder": send_reminder,
    "send_email": send_email,
    "analyse_video": analyse_video,
}
QUEUE_OF = {
    "dispatch": "reminders",
    "send_reminder": "reminders",
    "send_email": "email",
    "analyse_video": "video",
}


def _retryable(exc: BaseException) -> bool:
    from triplane.io.notify import DeliveryFailed
    from triplane.usecases.reminders import RetryLater

    return isinstance(exc, RetryLater | DeliveryFailed)


# ---- deferring ---------------------------------------------------------------------------------


def defer(engine: Engine, task: str, lock: str | None = None, **kwargs: Any) -> None:
    """Queue a task body with these arguments: a procrastinate job on PostgreSQL (a second
    job with the same queueing lock while one waits is dropped), the in-process runner on
    SQLite."""
    if uses_queue(engine):
        from procrastinate.exceptions import AlreadyEnqueued

        a = app(engine)
        try:
            a.tasks[f"triplane.{task}"].configure(queueing_lock=lock).defer(**kwargs)
        except AlreadyEnqueued:
            log.info("%s already queued (%s)", task, lock)
        return
    local_runner(engine).put(task, {"url": _url(engine), **kwargs}, lock)


# ---- procrastinate (PostgreSQL) ----------------------------------------------------------------

_apps: dict[str, Any] = {}


def conninfo(engine: Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def app(engine: Engine, fresh: bool = False, periodic: bool = True) -> Any:
    """The procrastinate App for this PostgreSQL database, with the tasks registered. The
    shared one is opened for deferring from this process; a `fresh` one is for a worker of its
    own (tests run two side by side; `periodic=False` leaves out the every-minute tick)."""
    key = _url(engine)
    with _engine_lock:
        if key not in _worker_url:
            _worker_url.append(key)
        if key in _apps and not fresh:
            return _apps[key]
    import procrastinate

    a = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(engine), max_size=4)
    )
    retry = _retry_strategy()
    for name, body in BODIES.items():
        retried = name in ("send_reminder", "send_email")
        a.task(name=f"triplane.{name}", queue=QUEUE_OF[name], retry=retry if retried else False)(
            body
        )

    def tick(timestamp: int) -> int:
        """Every minute: defer a send for each due reminder."""
        return dispatch(datetime.fromtimestamp(timestamp, UTC).isoformat())

    task = a.task(name="triplane.tick", queue="reminders", queueing_lock="triplane.tick")(tick)
    if periodic:
        a.periodic(cron="* * * * *", periodic_id="reminders")(task)
    if not fresh:
        ensure_queue_schema(engine)
        a.open()
        with _engine_lock:
            _apps[key] = a
    return a


def _retry_strategy() -> Any:
    import procrastinate

    from triplane.io.notify import DeliveryFailed
    from triplane.usecases.reminders import RetryLater

    return procrastinate.RetryStrategy(
        max_attempts=RETRY_ATTEMPTS - 1,
        wait=RETRY_WAIT,
        exponential_wait=2,
        retry_exceptions={RetryLater, DeliveryFailed},
    )


def ensure_queue_schema(engine: Engine) -> bool:
    """Create procrastinate's tables once (True when it did)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        there = conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    if there:
        return False
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(715015)"))  # one creator at a time
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar():
            return False
        from procrastinate.schema import SchemaManager

        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()  # the DB-API doesn't promise a context manager
        try:
            cur.execute(SchemaManager.get_schema())  # no parameters: it has literal % signs
        finally:
            cur.close()
    return True


def run_worker(
    engine: Engine, queues: tuple[str, ...] = QUEUES, wait: bool = True, name: str = "worker",
    install_signal_handlers: bool = True, periodic: bool = True,
    stop: threading.Event | None = None,
) -> None:  # fmt: skip
    """A procrastinate worker on these queues. Blocks until stopped (a signal, or `stop` set);
    with wait=False, until the queues are empty."""
    import asyncio

    ensure_queue_schema(engine)
    a = app(engine, fresh=True, periodic=periodic)
    options: dict[str, Any] = dict(
        queues=list(queues), wait=wait, name=name, concurrency=1,
        install_signal_handlers=install_signal_handlers, fetch_job_polling_interval=0.5,
        listen_notify=wait, delete_jobs="successful",  # no finished job keeps its arguments
    )  # fmt: skip

    async def main() -> None:
        async with a.open_async():
            worker = asyncio.ensure_future(a.run_worker_async(**options))
            if stop is None:
                await worker
                return
            loop = asyncio.get_running_loop()
            stopped = loop.run_in_executor(None, stop.wait)
            await asyncio.wait([worker, stopped], return_when=asyncio.FIRST_COMPLETED)
            if not worker.done():
                worker.cancel()  # procrastinate finishes the job in hand, then returns
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            if not stopped.done():
                stop.set()

    asyncio.run(main())


# ---- the in-process runner (SQLite) ------------------------------------------------------------


class LocalRunner:
    """One daemon thread: runs deferred task bodies in order, and `dispatch` at the start of
    every minute. Retries a failed send after RETRY_WAIT seconds, up to RETRY_ATTEMPTS."""

    def __init__(self, engine: Engine, tick: bool = True) -> None:
        self.engine = engine
        self.tick = tick
        self.jobs: queue.Queue[tuple[float, str, dict[str, Any], int, str | None]] = queue.Queue()
        self.waiting: list[tuple[float, str, dict[str, Any], int, str | None]] = []
        self.locks: set[str] = set()
        self._lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="triplane-tasks", daemon=True)
        self.thread.start()

    def put(self, task: str, kwargs: dict[str, Any], lock: str | None = None,
            attempt: int = 1, at: float = 0.0) -> None:  # fmt: skip
        with self._lock:
            if lock and attempt == 1 and lock in self.locks:
                return  # like procrastinate's queueing lock: already waiting
            if lock:
                self.locks.add(lock)
        self.jobs.put((at, task, kwargs, attempt, lock))

    def _loop(self) -> None:
        next_tick = _time.time()
        while not self.stop.is_set():
            now = _time.time()
            if self.tick and now >= next_tick:
                self.put("dispatch", {"url": _url(self.engine)})
                next_tick = (now // 60 + 1) * 60
            with self._lock:
                ready = [w for w in self.waiting if w[0] <= now]
                self.waiting = [w for w in self.waiting if w[0] > now]
            for w in ready:
                self.jobs.put(w)
            try:
                job = self.jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            at, task, kwargs, attempt, lock = job
            if at > _time.time():
                with self._lock:
                    self.waiting.append(job)
                continue
            self._run(task, kwargs, attempt, lock)

    def _run(self, task: str, kwargs: dict[str, Any], attempt: int, lock: str | None) -> None:
        with self._lock:
            if lock:
                self.locks.discard(lock)
        try:
            BODIES[task](**kwargs)
        except Exception as exc:  # noqa: BLE001 - a task records its failure, the thread lives
            if _retryable(exc) and attempt < RETRY_ATTEMPTS:
                delay = RETRY_WAIT * (2 ** (attempt - 1))
                with self._lock:
                    self.waiting.append((_time.time() + delay, task, kwargs, attempt + 1, None))
                log.info("%s failed (%s); trying again in %s s", task, exc, delay)
            else:
                log.warning("%s failed: %s", task, exc)


_runners: dict[str, LocalRunner] = {}  # by database URL: one runner per database
_runners_lock = threading.Lock()


def local_runner(engine: Engine, tick: bool = False) -> LocalRunner:
    """This engine's in-process runner (started on first use)."""
    with _runners_lock:
        r = _runners.get(_url(engine))
        if r is None or not r.thread.is_alive():
            r = LocalRunner(engine, tick=tick)
            _runners[_url(engine)] = r
        elif tick:
            r.tick = True
        return r


def stop_local_runner(engine: Engine) -> None:
    with _runners_lock:
        r = _runners.pop(_url(engine), None)
    if r is not None:
        r.stop.set()
        r.thread.join(5)

"""Video measurement use cases (issue 6): measure a clip, save what it measured, and the
background jobs that analyse uploaded clips.

    measure(path, test, side)          -> the result JSON (MeasureResult.to_json() + lunge_log)
    save(svc, athlete, result, ...)     -> records it through the Service (caller's transaction)
    enqueue(conn, athlete, path, ...)   -> a queued job (the web upload)
    run_job(engine, id)                 -> the task body: run one job, record its outcome
    submit(engine, id)                  -> hand it to procrastinate (PostgreSQL) or a thread

The vision extra (mediapipe, cv2, numpy<2) is imported only inside `measure`; everything else
here works without it, so the web app and the queue run on the main virtualenv.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from triplane import config
from triplane.core.errors import Invalid, NotFound, TriplaneError, Unavailable
from triplane.store import jobs
from triplane.store.jobs import Job
from triplane.usecases.service import Athlete, Service

KIND = "video"
TESTS = ("seated_rotation", "standing_abduction", "modified_thomas", "lunge", "free")
SAVABLE = ("seated_rotation", "standing_abduction", "modified_thomas", "lunge")
UPLOAD_DIR_ENV = config.UPLOAD_DIR
MAX_MB_ENV = config.VIDEO_MAX_MB
DEFAULT_MAX_MB = 200
log = logging.getLogger("triplane.usecases.video")


class VideoUnavailable(Unavailable):
    """This Python has no vision extra."""


class BadVideo(Invalid):
    """The clip cannot be measured (not a video, truncated, nobody in it, too dark...)."""


# ---- configuration --------------------------------------------------------------------------


def upload_dir() -> Path:
    """Where uploaded clips wait for analysis: $TRIPLANE_UPLOAD_DIR, else `uploads` in the app's
    data folder. With workers on other machines it must be a shared folder."""
    configured = config.upload_dir()
    if configured is not None:
        return configured
    from triplane.store.db import data_dir

    return data_dir() / "uploads"


def max_upload_bytes() -> int:
    mb = config.video_max_mb(DEFAULT_MAX_MB)
    return int(mb * 1024 * 1024)


def vision_missing() -> str | None:
    """None when the vision extra imports here, else the sentence saying what to install."""
    try:
        import triplane.vision  # noqa: F401
    except ImportError as exc:
        return str(exc)
    return None


def check_test(test: str, side: str | None) -> None:
    if test not in TESTS:
        raise Invalid(f"unknown test '{test}': choose one of {', '.join(TESTS)}")
    if side not in (None, "left", "right"):
        raise Invalid(f"side '{side}' is not left or right")


def sniff(head: bytes) -> str | None:
    """The container a file's first bytes announce (mp4/mov, webm/mkv, avi), or None."""
    if len(head) >= 12 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "mp4"
    if head[:4] == b"\x1aE\xdf\xa3":
        return "webm"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    return None


# ---- measuring and saving -------------------------------------------------------------------


def measure(
    path: str | os.PathLike[str],
    test: str,
    side: str | None = None,
    annotate: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    frames: bool = False,
) -> dict[str, Any]:
    """Measure a clip: the JSON of MeasureResult (angles per side and plane, confidences, frames
    used, fps) plus `lunge_log` (what a lunge log gets from the video, or None).

    Raises VideoUnavailable without the vision extra, BadVideo for a clip it cannot measure."""
    check_test(test, side)
    missing = vision_missing()
    if missing:
        raise VideoUnavailable(missing)
    from triplane.vision import VisionError, measure_video

    try:
        result = measure_video(
            path, test, side=side, annotate=annotate, progress=progress, frames=frames
        )
    except VisionError as exc:
        raise BadVideo(str(exc).rstrip(".")) from None
    data = result.to_json()
    data["lunge_log"] = result.lunge_log()
    return data


def save(
    svc: Service,
    athlete: Athlete,
    result: Mapping[str, Any],
    *,
    discomfort: int | None = None,
    balance: str | None = None,
    direction: str | None = None,
    sharp_pain: bool = False,
    day: date | None = None,
    client_id: str | None = None,
) -> dict[str, Any]:
    """Record a measured clip (device "video", with its confidence) in the caller's transaction.

    Tests: one measurement per motion and side. A lunge set: one lunge log with the reps (and
    the direction) the video counted, and the discomfort and balance the person gives (a video
    cannot see them). `client_id` makes saving twice store the records once."""
    test = str(result.get("test"))
    if test == "free":
        raise Invalid(
            "free movement is not one of the assessment tests, so its angles are shown but not "
            f"saved; film one of {', '.join(t for t in SAVABLE if t != 'lunge')} to save them"
        )
    if test == "lunge":
        return _save_lunge(svc, athlete, result, discomfort, balance, direction, sharp_pain, day,
                           client_id)  # fmt: skip
    if test not in SAVABLE:
        raise Invalid(f"unknown test '{test}' in this result; measure the clip again")
    ms = list(result.get("measurements") or [])
    if not ms:
        if result.get("not_measurable"):
            raise Invalid(
                "nothing this video measured is outside its error band ("
                + ", ".join(f"{m['side']} {m['motion'].replace('_', ' ')}"
                            for m in result["not_measurable"])
                + " not measurable from video), so nothing was saved; measure rotation and "
                "abduction with the phone on the shin (Hips > Phone inclinometer)"
            )  # fmt: skip
        raise Invalid("the video measured no motion for this test, so there is nothing to save")
    ids = []
    for m in ms:
        ids.append(
            svc.add_measurement(
                athlete,
                side=str(m["side"]),
                motion=str(m["motion"]),
                test=test,
                degrees=float(m["degrees"]),
                day=day,
                device="video",
                active=bool(m["active"]),
                confidence=float(m["confidence"]),
                client_id=f"{client_id}-{m['motion']}-{m['side']}"[:64] if client_id else None,
            )
        )
    return {"measurements": ids}


def _save_lunge(
    svc: Service,
    athlete: Athlete,
    result: Mapping[str, Any],
    discomfort: int | None,
    balance: str | None,
    direction: str | None,
    sharp_pain: bool,
    day: date | None,
    client_id: str | None,
) -> dict[str, Any]:
    if discomfort is None or balance is None:
        raise Invalid(
            "a lunge set is saved only with how it felt: give the discomfort (0-10) and the "
            "balance (ok or lost), which a video cannot see"
        )
    lunge = result.get("lunge_log") or {}
    reps = int(lunge.get("reps") or 0)
    if reps <= 0:
        raise Invalid("the video counted no lunge repetitions, so there is nothing to save")
    direction = direction or lunge.get("direction")
    if not direction:
        raise Invalid("the video could not tell the lunge direction: say which it was")
    out = svc.log_lunge(
        athlete, str(direction), reps, discomfort, balance, sharp_pain, day=day,
        client_id=f"{client_id}-lunge"[:64] if client_id else None,
    )  # fmt: skip
    return {"lunge_log": out["id"], "direction": direction, "reps": reps}


# ---- background jobs ------------------------------------------------------------------------


def enqueue(
    conn: Connection, athlete: Athlete, path: Path, test: str, side: str | None = None
) -> int:
    """Queue the analysis of an uploaded clip (already in upload_dir()); its annotated PNG goes
    next to it."""
    check_test(test, side)
    payload = {
        "path": str(path),
        "test": test,
        "side": side,
        "annotate": str(path.with_name(path.stem + "-annotated.png")),
    }
    return jobs.enqueue(conn, KIND, payload, athlete.id)


def new_upload_path(suffix: str) -> Path:
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffix}"


def job_for(conn: Connection, athlete: Athlete, job_id: int) -> Job:
    """The athlete's own job; someone else's id is 'not found' (never confirm it exists)."""
    job = jobs.get(conn, job_id)
    if job is None or job.athlete_id != athlete.id or job.kind != KIND:
        raise NotFound(f"no video analysis {job_id} of yours")
    return job


def recent(conn: Connection, athlete: Athlete) -> list[Job]:
    return jobs.recent(conn, athlete.id, KIND)


def run(job: Job) -> tuple[dict[str, Any] | None, str | None]:
    """Analyse a claimed job's clip: (result, None) or (None, the sentence saying why not).
    The uploaded clip is deleted afterwards, whatever happened."""
    p = job.payload
    try:
        return measure(p["path"], p["test"], p.get("side"), annotate=p.get("annotate")), None
    except TriplaneError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a job records its failure, never takes the worker down
        log.exception("video job %s failed", job.id)
        return None, (
            f"unexpected error analysing this clip ({type(exc).__name__}); nothing was saved. "
            "Please report it"
        )
    finally:
        try:
            Path(p["path"]).unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete the uploaded clip %s", p.get("path"))


def run_job(engine: Engine, job_id: int) -> Job | None:
    """The task body of a video analysis (procrastinate's worker on PostgreSQL, the in-process
    runner on SQLite): start the job, run it and record the outcome. The finished job, or None
    when it was not queued (someone else runs it, or it is done)."""
    with engine.begin() as conn:
        job = jobs.start(conn, job_id)
    if job is None:
        return None
    result, error = run(job)
    with engine.begin() as conn:
        if result is not None:
            jobs.finish(conn, job.id, result)
        else:
            jobs.fail(conn, job.id, error or "the analysis failed")
        done = jobs.get(conn, job.id)
    return done


def run_next(engine: Engine) -> Job | None:
    """Run the oldest queued video job in this process; the finished job, or None."""
    with engine.begin() as conn:
        ids = jobs.queued(conn, (KIND,))
    for job_id in ids:
        done = run_job(engine, job_id)
        if done is not None:
            return done
    return None


def work(
    engine: Engine,
    once: bool = False,
    poll: float = 2.0,
    stop: threading.Event | None = None,
    on_job: Callable[[Job], None] | None = None,
) -> int:
    """The SQLite worker loop (`triplane worker` on SQLite): run queued jobs until `stop` is set
    (or, with `once`, until none is queued). Returns how many jobs it ran."""
    stop = stop or threading.Event()
    ran = 0
    while not stop.is_set():
        job = run_next(engine)
        if job is None:
            if once:
                break
            stop.wait(poll)
            continue
        ran += 1
        if on_job:
            on_job(job)
    return ran


_local_lock = threading.Lock()
_local: dict[int, dict[str, Any]] = {}  # id(engine) -> {"thread": Thread | None, "wake": bool}


def start_local_runner(engine: Engine) -> None:
    """On SQLite (one machine) jobs run in a background thread of the web process: wake the
    engine's runner, or start one; it exits when the queue is empty."""
    with _local_lock:
        state = _local.setdefault(id(engine), {"thread": None, "wake": False})
        state["wake"] = True
        if state["thread"] is None:
            thread = threading.Thread(
                target=_local_loop, args=(engine, state), name="triplane-video-jobs", daemon=True
            )
            state["thread"] = thread
            thread.start()


def _local_loop(engine: Engine, state: dict[str, Any]) -> None:
    try:
        while True:
            with _local_lock:
                state["wake"] = False
            while run_next(engine) is not None:
                pass
            with _local_lock:
                if not state["wake"]:  # nothing enqueued since the queue was seen empty
                    state["thread"] = None
                    return
    except Exception:  # noqa: BLE001 - logged; the next upload starts a new runner
        log.exception("the in-process video job runner stopped")
        with _local_lock:
            state["thread"] = None


def wait_local_runner(engine: Engine, timeout: float = 60.0) -> None:
    """Wait for the in-process runner to empty the queue (for tests and shutdown)."""
    with _local_lock:
        thread = _local.get(id(engine), {}).get("thread")
    if thread is not None:
        thread.join(timeout)


def runs_in_process(engine: Engine) -> bool:
    """SQLite: jobs run in the web process. PostgreSQL: `triplane worker` processes run them."""
    return engine.dialect.name == "sqlite"


class Videos:
    """The video use cases of one unit of work (usecases/work.py): the faces call these, never
    the module functions with a connection of their own."""

    def __init__(self, svc: Service) -> None:
        self.svc = svc

    def recent(self, athlete: Athlete) -> list[Job]:
        return recent(self.svc.conn, athlete)

    def enqueue(self, athlete: Athlete, path: Path, test: str, side: str | None = None) -> int:
        return enqueue(self.svc.conn, athlete, path, test, side)

    def job_for(self, athlete: Athlete, job_id: int) -> Job:
        return job_for(self.svc.conn, athlete, job_id)

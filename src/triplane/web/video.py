"""Video measurement pages (issue 6): upload a clip, watch the analysis, see and save the result.

The upload is checked (size limit, first bytes sniffed for a video container) and written to the
upload folder (triplane.usecases.video.upload_dir()); the analysis is a job: run by a thread of this
process on SQLite, by `triplane worker` processes (procrastinate) on PostgreSQL. The job page
polls its status with HTMX (no inline script) and reloads when the job is done.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import FormData, UploadFile

from triplane.core.errors import TooLarge
from triplane.usecases import video as v
from triplane.usecases.accounts import Accounts
from triplane.usecases.service import Invalid, NotFound, TriplaneError
from triplane.web.deps import ctx, work
from triplane.web.errors import http_status, page_sentence
from triplane.web.pages import (
    _int,
    _run,
    _str,
    checked_form,
    need_athlete,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
CHUNK = 1024 * 1024
SUFFIX = {"mp4": ".mp4", "webm": ".webm", "avi": ".avi"}


def _page(request: Request, acc: Accounts, status: int = 200, **extra: Any) -> Response:
    user, a = need_athlete(request, acc)
    return render(
        request,
        "video.html",
        user,
        status=status,
        missing=v.vision_missing(),
        tests=v.TESTS,
        jobs=work(acc).videos.recent(a),
        max_mb=v.max_upload_bytes() // (1024 * 1024),
        form=extra.pop("form", {}),
        **extra,
    )


@router.get("/video")
def video_page(request: Request) -> Response:
    with ctx(request).tx() as acc:
        return _page(request, acc)


@router.post("/video")
async def video_upload(request: Request) -> Response:
    limit = v.max_upload_bytes()
    with ctx(request).tx() as acc:
        need_athlete(request, acc)  # signed in before a byte of the clip is parsed
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + CHUNK:
        raise TooLarge(f"this clip is larger than {limit // CHUNK} MB: film a shorter one")
    form = await checked_form(request)  # the body is capped while it streams (BodyLimit)
    try:
        response: Response = await _run(request, _upload, form, request, limit)
        return response
    finally:
        await form.close()


def _upload(form: FormData, request: Request, limit: int) -> Response:
    c = ctx(request)
    test, side = _str(form, "test") or "", _str(form, "side")
    with c.tx() as acc:
        need_athlete(request, acc)
        try:
            v.check_test(test, side)
            upload = form.get("video")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid("choose a video file to upload")
            kind = _sniff(upload)
            missing = v.vision_missing()
            if missing:
                raise v.VideoUnavailable(f"this server cannot measure videos: {missing}")
            path = _store(upload, kind, limit)
        except TriplaneError as exc:
            return _page(
                request,
                acc,
                http_status(exc),
                error=page_sentence(exc),
                form={"test": test, "side": side},
            )
    with c.tx() as acc:
        _, a = need_athlete(request, acc)
        job_id = work(acc).videos.enqueue(a, path, test, side)
    from triplane.usecases.tasks import submit_video

    submit_video(c.engine, job_id)
    return redirect(f"/video/jobs/{job_id}")


def _sniff(upload: UploadFile) -> str:
    """The container the upload's first bytes announce; BadVideo when empty or not a video."""
    upload.file.seek(0)
    head = upload.file.read(64)
    upload.file.seek(0)
    if not head:
        raise v.BadVideo(f"{upload.filename} is empty (0 bytes): record or copy the clip again")
    kind = v.sniff(head)
    if kind is None:
        raise v.BadVideo(
            f"{upload.filename} is not a video: upload the MP4 or MOV file straight from the "
            "phone (WebM and AVI work too)"
        )
    return kind


def _store(upload: UploadFile, kind: str, limit: int) -> Path:
    """Copy the upload to the upload folder, refusing it when it is over the size limit."""
    path = v.new_upload_path(SUFFIX[kind])
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"this clip is larger than {limit // CHUNK} MB: film a shorter one"
                    )
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _job_view(request: Request, job_id: int) -> tuple[Any, Any, Any]:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        job = work(acc).videos.job_for(a, job_id)
    return user, a, job


@router.get("/video/jobs/{job_id}")
def video_job(request: Request, job_id: int, saved: int = 0) -> Response:
    user, _, job = _job_view(request, job_id)
    return _job_page(request, user, job, saved=bool(saved))


def _job_page(request: Request, user: Any, job: Any, status: int = 200, **extra: Any) -> Response:
    from triplane.core.catalogue import load_catalogue

    return render(
        request,
        "video_job.html",
        user,
        status=status,
        job=job,
        result=job.result or {},
        in_process=v.runs_in_process(ctx(request).engine),
        directions=load_catalogue().lunge.directions,
        savable=v.SAVABLE,
        **extra,
    )


@router.get("/video/jobs/{job_id}/status")
def video_job_status(request: Request, job_id: int) -> Response:
    user, _, job = _job_view(request, job_id)
    response = render(
        request,
        "_video_status.html",
        user,
        job=job,
        in_process=v.runs_in_process(ctx(request).engine),
    )
    if job.finished:
        response.headers["HX-Refresh"] = "true"  # the whole page shows the result
    return response


@router.get("/video/jobs/{job_id}/annotated.png")
def video_job_png(request: Request, job_id: int) -> Response:
    _, _, job = _job_view(request, job_id)
    png = (job.result or {}).get("annotated")
    folder = v.upload_dir().resolve()
    if not png or not os.path.isfile(png) or Path(png).resolve().parent != folder:
        raise NotFound("this analysis has no annotated picture")
    return FileResponse(png, media_type="image/png", headers={"Cache-Control": "private"})


@router.post("/video/jobs/{job_id}/save")
async def video_job_save(request: Request, job_id: int) -> Response:
    form = await checked_form(request)
    response: Response = await _run(request, _save, form, request, job_id)
    return response


def _save(form: FormData, request: Request, job_id: int) -> Response:
    with ctx(request).tx() as acc:
        user, a = need_athlete(request, acc)
        job = work(acc).videos.job_for(a, job_id)
        if job.status != "done" or job.result is None:
            raise Invalid("this clip has not been measured yet; wait until the analysis is done")
        try:
            with acc.conn.begin_nested():  # a refused save leaves nothing behind
                v.save(
                    acc.svc,
                    a,
                    job.result,
                    discomfort=_int(form.get("discomfort"), "discomfort"),
                    balance=_str(form, "balance"),
                    direction=_str(form, "direction"),
                    sharp_pain=form.get("sharp_pain") == "1",
                    client_id=f"video-job-{job.id}",
                )
        except TriplaneError as exc:
            return _job_page(request, user, job, http_status(exc), error=page_sentence(exc))
    return redirect(f"/video/jobs/{job_id}?saved=1")

"""The video pages: upload checks (not a video, empty, too big), the "extra missing" message, and
the whole job flow (upload -> job -> poll -> result with its PNG -> save) with the analysis
replaced by a stand-in, since the main virtualenv has no vision extra (tests/vision runs the
real one)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from triplane.usecases import video as v
from triplane.usecases.service import open_service

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 2000
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def uploads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setenv(v.UPLOAD_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def server(live: Any, uploads: Path) -> Iterator[Any]:
    yield live  # the module's server (tests/web/conftest.py); uploads go to this test's folder


def page_session(live: Any, email: str, password: str) -> tuple[httpx.Client, str]:
    c = live.client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"email": email, "password": password, "csrf": token})
    assert r.status_code == 303, r.text
    page = c.get("/account").text
    return c, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _athlete(live: Any) -> tuple[dict[str, Any], httpx.Client, str]:
    me = live.signup("athlete", "Vid")
    pages, csrf = page_session(live, me["email"], me["password"])
    return me, pages, csrf


def _upload(
    pages: httpx.Client, csrf: str, body: bytes, test: str = "seated_rotation", name: str = "c.mp4"
) -> httpx.Response:
    return pages.post(
        "/video",
        params={"csrf": csrf},  # in the address, as the page does: checked before the body
        data={"test": test, "side": ""},
        files={"video": (name, body, "video/mp4")},
    )


def _measurements(live: Any, athlete_id: int | None = None) -> list[Any]:
    with open_service(live.db_url) as svc:
        people = svc.athletes() if athlete_id is None else [svc.athlete_by_id(athlete_id)]
        return [m for a in people for m in svc.measurements(a)]


def test_upload_page_is_in_the_navigation(server: Any) -> None:
    _, pages, _ = _athlete(server)
    page = pages.get("/video")
    assert page.status_code == 200
    # the navigation offers Video only where this server can measure videos
    in_nav = '<a href="/video">Video</a>' in pages.get("/today").text
    assert in_nav == (v.vision_missing() is None)
    assert "<script>" not in page.text and "content-security-policy" in page.headers


@pytest.mark.skipif(v.vision_missing() is None, reason="the vision extra is installed here")
def test_without_the_extra_the_page_says_so_and_refuses(server: Any, uploads: Path) -> None:
    _, pages, csrf = _athlete(server)
    page = pages.get("/video").text
    assert 'id="vision-missing"' in page and "vision extra is not installed" in page
    assert "pip install" in page and 'type="file"' not in page
    r = _upload(pages, csrf, MP4)
    assert r.status_code == 503 and "vision extra is not installed" in r.text
    assert not list(uploads.glob("*"))


@pytest.mark.parametrize(
    ("body", "name", "words"),
    [
        (b"these are my training notes\n" * 40, "notes.mp4", "is not a video"),
        (PNG, "photo.mp4", "is not a video"),
        (b"", "empty.mp4", "is empty"),
    ],
)
def test_what_is_not_a_video_is_refused(
    server: Any, uploads: Path, monkeypatch: pytest.MonkeyPatch, body: bytes, name: str,
    words: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(v, "vision_missing", lambda: None)
    me, pages, csrf = _athlete(server)
    r = _upload(pages, csrf, body, name=name)
    assert r.status_code == 422 and words in r.text, r.text[:500]
    assert not list(uploads.glob("*")) and _measurements(server, me["athlete_id"]) == []


def test_too_big_and_bad_form(server: Any, uploads: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v, "vision_missing", lambda: None)
    monkeypatch.setenv(v.MAX_MB_ENV, "0.001")  # about 1 kB
    _, pages, csrf = _athlete(server)
    r = _upload(pages, csrf, MP4)
    assert r.status_code == 413 and "larger than" in r.text
    assert _upload(pages, csrf, MP4, test="yoga").status_code == 422
    no_csrf = pages.post("/video", data={"test": "free"}, files={"video": ("c.mp4", MP4)})
    assert no_csrf.status_code == 403
    assert not list(uploads.glob("*"))


def _fake_measure(uploads: Path, fail: str | None = None) -> Any:
    def measure(path: Any, test: str, side: Any = None, annotate: Any = None, progress: Any = None):  # type: ignore[no-untyped-def]
        assert Path(path).parent == uploads and Path(path).read_bytes() == MP4
        if fail:
            raise v.BadVideo(fail)
        Path(annotate).write_bytes(PNG)
        return {
            "test": test, "side": side, "annotated": str(annotate), "warnings": [],
            "video": {"frames": 90, "fps": 30.0, "width": 1, "height": 1},
            "processing": {"fps": 40.0, "seconds": 2.2}, "frames_used": {"count": 80, "runs": []},
            "measurements": [
                {"test": test, "motion": "internal_rotation", "side": "left", "degrees": 28.0,
                 "unit": "degrees", "device": "video", "confidence": 0.8, "position": "seated",
                 "active": True, "frame": 12},
            ],
            "lunge_log": None,
        }  # fmt: skip

    return measure


def _wait(pages: httpx.Client, job_url: str) -> str:
    for _ in range(200):
        r = pages.get(job_url + "/status")
        assert r.status_code == 200
        if r.headers.get("hx-refresh") == "true":
            return pages.get(job_url).text
        assert 'hx-get="' + job_url + '/status"' in r.text and 'hx-trigger="every 2s"' in r.text
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_upload_job_result_png_and_save(
    server: Any, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(v, "vision_missing", lambda: None)
    monkeypatch.setattr(v, "measure", _fake_measure(uploads))
    me, pages, csrf = _athlete(server)
    r = _upload(pages, csrf, MP4)
    assert r.status_code == 303, r.text[:300]
    job_url = r.headers["location"]
    assert re.fullmatch(r"/video/jobs/\d+", job_url)
    page = _wait(pages, job_url)
    assert "internal rotation" in page and "28.0" in page and "80%" in page
    assert f'src="{job_url}/annotated.png"' in page
    png = pages.get(job_url + "/annotated.png")
    assert png.status_code == 200 and png.content == PNG
    assert png.headers["content-type"] == "image/png"
    left = list(uploads.glob("*"))  # the clip is deleted after the analysis, the PNG kept
    assert len(left) == 1 and left[0].name.endswith("-annotated.png")
    assert _measurements(server, me["athlete_id"]) == []  # nothing saved until asked
    form_csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    saved = pages.post(job_url + "/save", data={"csrf": form_csrf})
    assert saved.status_code == 303 and saved.headers["location"] == job_url + "?saved=1"
    pages.post(job_url + "/save", data={"csrf": form_csrf})  # twice: stored once
    ms = _measurements(server, me["athlete_id"])
    assert len(ms) == 1 and ms[0].device == "video" and ms[0].value == 28.0
    # someone else's job: not found
    _, other_pages, _ = _athlete(server)
    assert other_pages.get(job_url).status_code == 404
    assert other_pages.get(job_url + "/annotated.png").status_code == 404


def test_a_clip_that_cannot_be_measured_fails_clearly_and_saves_nothing(
    server: Any, uploads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(v, "vision_missing", lambda: None)
    sentence = "No person was found in the clip: film the whole body in good light"
    monkeypatch.setattr(v, "measure", _fake_measure(uploads, fail=sentence))
    me, pages, csrf = _athlete(server)
    job_url = _upload(pages, csrf, MP4).headers["location"]
    page = _wait(pages, job_url)
    assert sentence in page and "Nothing was saved" in page
    assert not list(uploads.glob("*"))  # the clip is deleted after the analysis
    form_csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert pages.post(job_url + "/save", data={"csrf": form_csrf}).status_code == 422
    assert _measurements(server, me["athlete_id"]) == []

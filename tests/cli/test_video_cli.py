"""Video measurement in the main virtualenv (no vision extra): the commands say what to install
in one line; saving a result and the job queue work without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from triplane.store import schema as t
from triplane.store.db import open_engine
from triplane.usecases import video as v
from triplane.usecases.service import Invalid, open_service

needs_missing_extra = pytest.mark.skipif(
    v.vision_missing() is None, reason="the vision extra is installed here"
)


@needs_missing_extra
def test_measure_without_the_extra_is_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    r = cli("measure", str(clip), "--test", "seated_rotation", "--json")
    assert r.code == 1 and r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1
    assert "vision extra" in lines[0] and "pip install 'triplane[vision]'" in lines[0]


@needs_missing_extra
def test_worker_refuses_to_start_without_the_extra(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("worker", "--once")
    assert r.code == 1
    assert r.err.count("\n") == 1 and "the worker cannot start" in r.err
    assert "vision extra" in r.err


def test_measure_is_listed_and_other_commands_do_not_import_it(cli) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    code = (
        "import sys; from triplane import cli; "
        "print(any(m.startswith(('triplane.vision', 'triplane.usecases.video')) "
        "for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _result(test: str = "seated_rotation", **kw: Any) -> dict[str, Any]:
    ms = [
        {"test": test, "motion": "internal_rotation", "side": "left", "degrees": 31.5,
         "unit": "degrees", "device": "video", "confidence": 0.74, "position": "seated",
         "active": True, "frame": 40},
        {"test": test, "motion": "external_rotation", "side": "left", "degrees": 38.0,
         "unit": "degrees", "device": "video", "confidence": 0.61, "position": "seated",
         "active": True, "frame": 80},
    ]  # fmt: skip
    return {"test": test, "measurements": ms, "lunge_log": None, **kw}


def _athlete(db_url: str) -> None:
    with open_service(db_url) as svc:
        svc.add_athlete("Sam")


def test_save_records_video_measurements_with_confidence(db_url: str) -> None:
    _athlete(db_url)
    with open_service(db_url) as svc:
        a = svc.athlete()
        out = v.save(svc, a, _result(), client_id="video-job-1")
        assert len(out["measurements"]) == 2
        v.save(svc, a, _result(), client_id="video-job-1")  # saved twice: stored once
    with open_service(db_url) as svc:
        ms = svc.measurements(svc.athlete())
        rows = svc.conn.execute(
            select(t.measurements.c.device, t.measurements.c.confidence, t.measurements.c.test)
        ).all()
    assert len(ms) == 2
    assert {m.device for m in ms} == {"video"}
    assert sorted(rows) == [("video", 0.61, "seated_rotation"), ("video", 0.74, "seated_rotation")]


def test_a_refused_save_leaves_nothing(db_url: str) -> None:
    _athlete(db_url)
    bad = _result()
    bad["measurements"][1]["degrees"] = 400.0  # out of the test's range: the 2nd one fails
    with pytest.raises(Invalid), open_service(db_url) as svc:
        v.save(svc, svc.athlete(), bad)
    with open_service(db_url) as svc:
        assert svc.measurements(svc.athlete()) == []


def test_free_movement_and_an_unfelt_lunge_set_are_not_saved(db_url: str) -> None:
    _athlete(db_url)
    lunge = {"test": "lunge", "measurements": [],
             "lunge_log": {"direction": "anterior", "reps": 6, "reps_per_side": {}}}  # fmt: skip
    with open_service(db_url) as svc:
        a = svc.athlete()
        with pytest.raises(Invalid, match="free movement"):
            v.save(svc, a, _result("free"))
        with pytest.raises(Invalid, match="discomfort"):
            v.save(svc, a, lunge)
        out = v.save(svc, a, lunge, discomfort=2, balance="ok")
        assert out["reps"] == 6 and out["direction"] == "anterior"
    with open_service(db_url) as svc:
        entries = svc.log_entries(svc.athlete())
    assert [e["kind"] for e in entries] == ["lunge"]


@needs_missing_extra
def test_a_job_without_the_extra_fails_with_the_hint_and_deletes_the_clip(
    db_url: str, tmp_path: Path
) -> None:
    _athlete(db_url)
    clip = tmp_path / "up.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    engine = open_engine(db_url)
    with engine.begin() as conn:
        from triplane.usecases.service import Service

        job_id = v.enqueue(conn, Service(conn).athlete(), clip, "seated_rotation")
    done = v.run_next(engine)
    assert done is not None and done.id == job_id and done.status == "failed"
    assert "vision extra" in (done.error or "")
    assert not clip.exists()
    assert v.run_next(engine) is None
    engine.dispose()


def test_sniff() -> None:
    assert v.sniff(b"\x00\x00\x00\x20ftypisom\x00\x00") == "mp4"
    assert v.sniff(b"\x00\x00\x00\x14ftypqt  \x00\x00") == "mp4"  # MOV
    assert v.sniff(b"\x1aE\xdf\xa3\x01\x00") == "webm"
    assert v.sniff(b"RIFF\x00\x00\x00\x00AVI LIST") == "avi"
    assert v.sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d") is None
    assert v.sniff(b"my training notes") is None
    assert v.sniff(b"") is None

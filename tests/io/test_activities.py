"""Activity import on real files from watches and apps, plus generated ones and fuzzing."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triplane.io.activities import (
    MAX_RATIO,
    ActivitySource,
    ParsedActivity,
    SkippedFile,
    gzip_bytes,
    iter_activity_files,
    normalise_sport,
    parse_activity,
    read_activities,
    synthetic_fit,
    synthetic_gpx,
    synthetic_tcx,
)

DATA = Path(__file__).parents[1] / "data" / "activities"
FIT = DATA / "fit"
GPX = DATA / "gpx"
TCX = DATA / "tcx"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def parse(path: Path) -> ParsedActivity | SkippedFile:
    return parse_activity(path.name, path.read_bytes(), now=NOW)


def ok(path: Path) -> ParsedActivity:
    got = parse(path)
    assert isinstance(got, ParsedActivity), got
    return got


def skipped(path: Path) -> str:
    got = parse(path)
    assert isinstance(got, SkippedFile), got
    assert got.source == path.name
    return got.reason


# --- real FIT files ---------------------------------------------------------------------------


def test_fenix5_run() -> None:
    a = ok(FIT / "garmin-fenix-5-run.fit")
    assert a.sport == "running" and a.is_run
    assert a.format == "fit"
    assert a.start_utc == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)
    assert a.distance_m == pytest.approx(157.6, abs=0.5)
    assert a.duration_s == pytest.approx(56.9, abs=0.1)
    assert a.device == "garmin fenix5"
    assert a.note is None
    assert a.start_in("Europe/Paris").hour == 16  # shown in the athlete's zone (CEST)


def test_fenix5_walk_and_bike_are_not_runs() -> None:
    walk = ok(FIT / "garmin-fenix-5-walk.fit")
    bike = ok(FIT / "garmin-fenix-5-bike.fit")
    assert (walk.sport, walk.is_run) == ("walking", False)
    assert (bike.sport, bike.is_run) == ("cycling", False)


def test_strava_file_that_a_strict_decoder_rejects_is_kept_with_a_note() -> None:
    a = ok(FIT / "strava-android-app-201.10-b1218918.fit")
    assert a.is_run
    assert a.start_utc == datetime(2021, 9, 27, 14, 13, 10, tzinfo=UTC)
    assert a.distance_m == pytest.approx(11274, abs=1)
    assert a.duration_s == pytest.approx(3558)
    assert a.note is not None
    assert "Partly read" in a.note and "byte 7471" in a.note


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("activity-unexpected-eof.fit", ["ends early", "768 of the 771 bytes"]),
        ("activity-settings-nodata.fit", ["ends early"]),
        ("activity-settings-corruptheader.fit", ["damaged after byte 771"]),
    ],
)
def test_truncated_and_corrupt_fit_are_skipped_with_what_is_wrong(
    name: str, words: list[str]
) -> None:
    reason = skipped(FIT / name)
    for w in words:
        assert w in reason
    assert "14 seconds" in reason  # and why nothing was kept


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Settings.fit", "settings file"),
        ("MonitoringFile.fit", "daily monitoring file"),
        ("WorkoutIndividualSteps.fit", "workout plan"),
    ],
)
def test_fit_files_that_are_not_activities(name: str, label: str) -> None:
    reason = skipped(FIT / name)
    assert label in reason and "not a recorded activity" in reason


def test_truncations_of_a_real_run_give_a_clear_outcome() -> None:
    data = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    for cut in (0, 5, 12, 14, 100, 1000, len(data) // 2, len(data) - 1):
        got = parse_activity("cut.fit", data[:cut], now=NOW)
        assert isinstance(got, SkippedFile), cut
        assert got.reason


def test_corrupted_checksum_is_reported() -> None:
    data = bytearray((FIT / "garmin-fenix-5-run.fit").read_bytes())
    data[-1] ^= 0xFF
    reason = parse_activity("bad.fit", bytes(data), now=NOW)
    assert isinstance(reason, SkippedFile)
    assert "checksum" in reason.reason


# --- real GPX and TCX files -------------------------------------------------------------------


def test_gpx_without_times_is_skipped() -> None:
    reason = skipped(GPX / "cerknicko-without-times.gpx")
    assert "has no timestamps" in reason and "can't tell when you ran" in reason


def test_gpx_route_is_not_a_run() -> None:
    assert "planned route" in skipped(GPX / "route.gpx")


def test_gpx_with_an_unset_clock_is_skipped() -> None:
    assert "1901-12-13" in skipped(GPX / "Mojstrovka.gpx")


def test_gpx_track_with_an_empty_segment_is_read() -> None:
    a = ok(GPX / "track-with-empty-segment.gpx")
    assert a.start_utc == datetime(2013, 7, 6, 17, 26, 26, tzinfo=UTC)
    assert a.duration_s == 76
    assert a.sport == "other" and not a.is_run  # the file doesn't name its sport
    b = parse_activity(
        "t.gpx", (GPX / "track-with-empty-segment.gpx").read_bytes(), default_sport="running"
    )
    assert isinstance(b, ParsedActivity) and b.is_run


def test_gpx_with_no_points() -> None:
    data = b'<?xml version="1.0"?><gpx version="1.1" creator="x"><trk><trkseg/></trk></gpx>'
    got = parse_activity("empty.gpx", data, now=NOW)
    assert isinstance(got, SkippedFile) and "has no track points" in got.reason


def test_paddling_tcx_is_kept_as_another_activity() -> None:
    a = ok(TCX / "sup_activity_1.tcx")
    assert not a.is_run and a.sport == "other"
    assert a.start_utc == datetime(2022, 7, 16, 16, 8, 25, tzinfo=UTC)
    assert a.device == "vívoactive HR"


def test_tcx_with_broken_xml() -> None:
    data = (TCX / "sup_activity_1.tcx").read_bytes()
    got = parse_activity("broken.tcx", data[: len(data) // 2], now=NOW)
    assert isinstance(got, SkippedFile)
    assert "not valid XML" in got.reason and "export it again" in got.reason


# --- generated files --------------------------------------------------------------------------


def test_same_run_in_three_formats_has_one_fingerprint() -> None:
    start = datetime(2024, 5, 4, 6, 30, 12, tzinfo=UTC)
    got = [
        parse_activity(f"run.{ext}", fn(start, 3600, 10_000), now=NOW)
        for ext, fn in (("gpx", synthetic_gpx), ("tcx", synthetic_tcx), ("fit", synthetic_fit))
    ]
    assert all(isinstance(g, ParsedActivity) for g in got)
    runs = [g for g in got if isinstance(g, ParsedActivity)]
    assert {r.format for r in runs} == {"gpx", "tcx", "fit"}
    assert len({r.fingerprint for r in runs}) == 1
    assert len({r.file_sha256 for r in runs}) == 3
    for r in runs:
        assert r.is_run and r.duration_s == 3600 and r.distance_m == pytest.approx(10_000, rel=0.01)


def test_far_future_date_is_skipped() -> None:
    got = parse_activity("future.gpx", synthetic_gpx(NOW + timedelta(days=3), 600, 2000), now=NOW)
    assert isinstance(got, SkippedFile) and "in the future" in got.reason
    fine = parse_activity("today.gpx", synthetic_gpx(NOW - timedelta(hours=2), 600, 2000), now=NOW)
    assert isinstance(fine, ParsedActivity)


def test_gzip_and_wrong_type() -> None:
    data = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    a = parse_activity("run.fit.gz", gzip_bytes(data), now=NOW)
    assert isinstance(a, ParsedActivity)
    assert a.file_sha256 == ok(FIT / "garmin-fenix-5-run.fit").file_sha256
    for name, blob, words in [
        ("notes.txt", b"hello", "not a FIT, GPX or TCX file"),
        ("photo.fit", b"\xff\xd8\xff\xe0" + b"0" * 100, "doesn't start with a FIT header"),
        ("run.gpx", b"\x00\x01binary", "isn't XML"),
        ("empty.fit", b"", "is empty"),
        ("bad.fit.gz", b"\x1f\x8b\x08\x00garbage", "gzip"),
        ("page.gpx", b"<html><body>404</body></html>", "has no <gpx> element"),
    ]:
        got = parse_activity(name, blob, now=NOW)
        assert isinstance(got, SkippedFile), name
        assert words in got.reason, (name, got.reason)


def test_sports() -> None:
    assert normalise_sport("Running") == "running"
    assert normalise_sport("running", "trail") == "trail_running"
    assert normalise_sport("running", "treadmill") == "treadmill_running"
    assert normalise_sport("Biking") == "cycling"
    assert normalise_sport("Other") == "other"
    assert normalise_sport(None) == "other"


# --- folders and zips -------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_strava_like_export_zip_with_a_climbing_member(tmp_path: Path) -> None:
    run = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    walk = (FIT / "garmin-fenix-5-walk.fit").read_bytes()
    z = _zip(
        tmp_path / "export.zip",
        {
            "activities/1.fit.gz": gzip_bytes(run),
            "activities/2.fit": walk,
            "../../evil.fit": run,
            "/abs/evil2.gpx": b"<gpx/>",
            "activities.csv": b"id,name\n",
            "__MACOSX/activities/._1.fit.gz": b"junk",
        },
    )
    out = read_activities([z], now=NOW)
    assert [a.sport for a in out.activities] == ["running", "walking"]
    assert out.activities[0].source_file == f"{z}/activities/1.fit.gz"
    climbing = [s for s in out.skipped if "climbs out" in s.reason]
    assert {s.source for s in climbing} == {f"{z}/../../evil.fit", f"{z}/abs/evil2.gpx"}
    assert len(out.skipped) == 2
    # a re-import adds nothing
    again = read_activities(
        [z],
        known_fingerprints=[a.fingerprint for a in out.activities],
        known_file_hashes=[a.file_sha256 for a in out.activities],
        now=NOW,
    )
    assert again.activities == [] and len(again.duplicates) == 2


def test_zip_bomb_is_refused_and_the_rest_goes_on(tmp_path: Path) -> None:
    run = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    z = _zip(tmp_path / "bomb.zip", {"bomb.gpx": b"\0" * (20 * 1024 * 1024), "ok.fit": run})
    out = read_activities([z], now=NOW)
    assert len(out.activities) == 1
    (bomb,) = out.skipped
    assert bomb.source.endswith("bomb.gpx") and "zip bomb" in bomb.reason
    assert MAX_RATIO < 1000


def test_gzip_bomb_is_refused() -> None:
    got = parse_activity("bomb.gpx.gz", gzip_bytes(b"\0" * (20 * 1024 * 1024)), now=NOW)
    assert isinstance(got, SkippedFile) and "bomb" in got.reason


def test_garmin_export_with_nested_zip(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a@b.com_1.fit", (FIT / "garmin-fenix-5-run.fit").read_bytes())
    z = _zip(
        tmp_path / "garmin.zip",
        {"DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": inner.getvalue()},
    )
    out = read_activities([z], now=NOW)
    assert [a.sport for a in out.activities] == ["running"]
    assert out.activities[0].source_file.endswith("Part1.zip/a@b.com_1.fit")


def test_folder_mix_with_duplicates_and_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    (folder / "2017").mkdir(parents=True)
    run = (FIT / "garmin-fenix-5-run.fit").read_bytes()
    (folder / "2017" / "run.fit").write_bytes(run)
    (folder / "2017" / "run-copy.fit").write_bytes(run)  # same file twice
    (folder / "cut.fit").write_bytes(run[:1000])
    (folder / "photo.jpg").write_bytes(b"\xff\xd8")  # not considered in a folder
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 nope")
    start = datetime(2017, 6, 11, 14, 34, 20, tzinfo=UTC)  # same run, other format
    (folder / "run.gpx").write_bytes(synthetic_gpx(start, 57, 158))
    seen: list[str] = []
    out = read_activities([folder, tmp_path / "missing.fit"], now=NOW, on_progress=seen.append)
    assert len(out.activities) == 1
    assert len(out.duplicates) == 2
    reasons = {Path(s.source).name: s.reason for s in out.skipped}
    assert set(reasons) == {"cut.fit", "broken.zip", "missing.fit"}
    assert "does not exist" in reasons["missing.fit"]
    assert "not a readable zip" in reasons["broken.zip"]
    assert len(seen) == 6


def test_sources_stay_loadable_after_iteration(tmp_path: Path) -> None:
    z = _zip(tmp_path / "e.zip", {"a.fit": (FIT / "garmin-fenix-5-run.fit").read_bytes()})
    items = list(iter_activity_files([z]))
    assert isinstance(items[0], ActivitySource)
    assert items[0].load()[8:12] == b".FIT"


# --- fuzzing ----------------------------------------------------------------------------------

REAL = [p for p in sorted(DATA.glob("*/*")) if not p.name.startswith(("LICENSE", "README"))]
REAL_BYTES = {p.name: p.read_bytes() for p in REAL}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048), name=st.sampled_from(["x.fit", "x.gpx", "x.tcx", "x"]))
def test_fuzz_random_bytes_never_raise(data: bytes, name: str) -> None:
    got = parse_activity(name, data, now=NOW)
    assert isinstance(got, ParsedActivity | SkippedFile)
    if isinstance(got, SkippedFile):
        assert got.reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(REAL_BYTES)),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
)
def test_fuzz_truncated_and_mutated_real_files_never_raise(
    name: str, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(REAL_BYTES[name][: int(len(REAL_BYTES[name]) * cut)])
    for where, value in flips:
        if data:
            data[min(int(where * len(data)), len(data) - 1)] = value
    got = parse_activity(name, bytes(data), now=NOW)
    assert isinstance(got, ParsedActivity | SkippedFile)
    if isinstance(got, ParsedActivity):
        assert got.start_utc.tzinfo is not None and got.duration_s > 0

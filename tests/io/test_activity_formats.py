"""The activity format registry: every module in formats/ is registered, unknown files keep their
clear reasons, and a format registered from outside is found by sniffing, folder walks and zips."""

from __future__ import annotations

import pkgutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import triplane.io.activities.formats as formats_pkg
from triplane.io.activities import (
    ActivityFormat,
    ParsedActivity,
    RawActivity,
    SkippedFile,
    all_formats,
    parse_activity,
    read_activities,
    register,
    registry,
    synthetic_gpx,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_registry_lists_every_format_module_in_sniff_order() -> None:
    modules = {m.name for m in pkgutil.iter_modules(formats_pkg.__path__)}
    kinds = [f.kind for f in all_formats()]
    assert kinds == ["fit", "gpx", "tcx"]
    assert set(kinds) == modules, "a module in formats/ is missing from formats/__init__.py"
    assert [f.extensions for f in all_formats()] == [(".fit",), (".gpx",), (".tcx",)]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.txt", b"hello", "is not a FIT, GPX or TCX file"),
        ("notes.txt", b"\xef\xbb\xbf  <html/>", "is an XML file but neither GPX nor TCX"),
        ("run.fit", b"<?xml version='1.0'?><a/>", "is an XML file but neither GPX nor TCX"),
        (
            "run.fit",
            b"abcdefghijklmnop",
            "is not a FIT file: it doesn't start with a FIT header; export it again",
        ),
        ("run.gpx", b"binary", "is not a GPX file: it isn't XML; export it again"),
        ("run.GPX.gz", b"", "is empty"),
        ("run.gpx", b"<kml/>", "is not a GPX file: it is XML but has no <gpx> element"),
        (
            "run.tcx",
            b"<kml/>",
            "is not a TCX file: it is XML but has no <TrainingCenterDatabase> element",
        ),
        (
            "run.fit",
            b"PK\x03\x04rest",
            "is a zip archive: import the zip file itself, not its content",
        ),
    ],
)
def test_an_unknown_file_gets_its_clear_reason(name: str, data: bytes, reason: str) -> None:
    got = parse_activity(name, data, now=NOW)
    assert isinstance(got, SkippedFile)
    assert got.reason == reason


def test_a_format_is_registered_once_and_extensions_are_not_shared() -> None:
    gpx = next(f for f in all_formats() if f.kind == "gpx")
    with pytest.raises(ValueError, match="registered twice"):
        register(gpx)
    with pytest.raises(ValueError, match="extension .gpx is taken"):
        register(ActivityFormat("gpx2", "GPX2", (".gpx",), gpx.sniff, gpx.parse))


def _parse_csv(name: str, data: bytes) -> RawActivity | SkippedFile:
    """A toy format: "start,seconds" on its second line."""
    start, seconds = data.decode().splitlines()[1].split(",")
    return RawActivity("running", datetime.fromisoformat(start), float(seconds), None, None, None)


@pytest.fixture
def csv_format() -> Iterator[ActivityFormat]:
    fmt = ActivityFormat(
        kind="csv",
        label="CSV",
        extensions=(".csv",),
        sniff=lambda data: data.startswith(b"start,seconds\n"),
        parse=_parse_csv,
        bad_content="it has no start,seconds header",
    )
    register(fmt)
    try:
        yield fmt
    finally:
        del registry._FORMATS["csv"]


def test_a_new_format_is_one_registration(csv_format: ActivityFormat, tmp_path: Path) -> None:
    data = b"start,seconds\n2025-05-01T06:00:00+00:00,3600\n"
    got = parse_activity("x", data, now=NOW)
    assert isinstance(got, ParsedActivity)
    assert (got.format, got.is_run, got.duration_s) == ("csv", True, 3600.0)
    bad = parse_activity("x.csv", b"date;time", now=NOW)
    assert isinstance(bad, SkippedFile)
    assert bad.reason == "is not a CSV file: it has no start,seconds header; export it again"
    unknown = parse_activity("x.txt", b"hello", now=NOW)
    assert isinstance(unknown, SkippedFile)
    assert unknown.reason == "is not a FIT, GPX, TCX or CSV file"

    # folder walks and zips look for its extension too, and their messages name it
    (tmp_path / "run.csv").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as zf:
        zf.writestr("a/ride.csv", data.replace(b"06:00", b"18:00"))
        zf.writestr("a/walk.gpx", synthetic_gpx(datetime(2025, 5, 2, tzinfo=UTC), 600, 900))
    summary = read_activities([tmp_path], now=NOW)
    assert sorted(a.format for a in summary.activities) == ["csv", "csv", "gpx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    skipped = read_activities([empty], now=NOW).skipped
    assert [s.reason for s in skipped] == ["holds no FIT, GPX, TCX, CSV or zip files"]

"""Activity files in: FIT, GPX and TCX files, folders of them, and Garmin or Strava export zips.

Three steps, each usable alone:

- :func:`iter_activity_files` walks what the person named (files, folders, zips, zips inside
  zips) and yields an :class:`ActivitySource` (a name and a loader) per candidate file, or a
  :class:`SkippedFile` when something can't even be opened (a member whose path climbs out of the
  archive, a zip bomb, a missing path). Nothing is ever extracted to disk.
- :func:`parse_activity` turns one file's bytes into a :class:`ParsedActivity` or a
  :class:`SkippedFile` with one sentence a person can act on. It never raises for bad input.
- :func:`read_activities` does both for a whole import, dedupes within the batch and against
  what is already stored, and returns an :class:`ImportSummary`.

Parsing uses the field's libraries: fitdecode (FIT), gpxpy (GPX), tcxreader (TCX).

Rules, in one place:

- **Times** are stored in UTC (``start_utc`` is an aware datetime). Naive times in GPX or TCX are
  UTC by the formats' own definitions.
- **Duration** is wall-clock time from start to end (FIT ``total_elapsed_time``, GPX/TCX first
  to last timestamp), the one measure every format has.
- **Duplicates**: ``fingerprint`` identifies the recording, not the file: sha256 of the start time
  in UTC floored to the minute. The same run exported as FIT, GPX and inside a Strava zip has the
  same start minute but, often, a different sport label, duration and distance (timer vs. elapsed
  time, watch vs. track distance), so those are left out. An athlete cannot start two activities
  in the same minute, so fingerprints are unique per athlete. ``file_sha256`` (of the
  uncompressed content) catches the very same file imported twice.
- **Damaged FIT files** (truncated, checksum mismatch, a decoder error part-way): what was read
  before the damage is kept, with a note, when it holds at least :data:`MIN_SALVAGE_S` of
  activity; otherwise the file is skipped with a reason that says what is wrong.
- **Dates**: an activity that starts more than a day in the future, or before 1990 (a watch whose
  clock was never set), is skipped.
- **Sports**: running, trail running and treadmill running are runs; walks, hikes, rides and
  the rest are kept as other activities (``is_run`` false). A file that doesn't name its sport is
  "other" unless the caller passes ``default_sport``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

# ---------------------------------------------------------------------------------------------
# Limits

#: Largest single activity file (uncompressed). A 24-hour run recorded every second is ~4 MB as
#: FIT and ~30 MB as GPX with extensions.
MAX_FILE_BYTES = 128 * 1024 * 1024
#: Largest total of activity files read out of one zip (all nested zips included).
MAX_ZIP_TOTAL_BYTES = 8 * 1024 * 1024 * 1024
#: Compression ratio above which a zip member or gzip file is refused as a bomb. Real activity
#: files compress 3:1 (FIT) to about 20:1 (verbose GPX); zeros compress 1000:1.
MAX_RATIO = 100
#: Below this uncompressed size the ratio rule doesn't apply (tiny files have odd ratios).
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 200_000
#: An export zip may hold zips (Garmin's "UploadedFiles_0-_Part1.zip"); no deeper than that.
MAX_ZIP_DEPTH = 2
#: A damaged FIT file is kept only when what could be read covers at least this long.
MIN_SALVAGE_S = 300.0
#: Activities longer than this are refused as broken timestamps (the longest trail races take
#: about 6 days).
MAX_DURATION_S = 10 * 24 * 3600.0
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

ACTIVITY_EXTENSIONS = (".fit", ".gpx", ".tcx")
RUN_SPORTS = frozenset({"running", "trail_running", "treadmill_running"})
SPORTS = (
    "running",
    "trail_running",
    "treadmill_running",
    "walking",
    "hiking",
    "cycling",
    "swimming",
    "skiing",
    "paddling",
    "strength",
    "multisport",
    "other",
)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ParsedActivity:
    """One activity read from a file. Plain values, ready to store."""

    source_file: str  # display name: "export.zip/activities/123.fit.gz"
    fingerprint: str  # identity of the recording (see module doc): dedupe key per athlete
    file_sha256: str  # sha256 of the (uncompressed) file content
    format: str  # fit | gpx | tcx
    sport: str  # one of SPORTS
    is_run: bool
    start_utc: datetime  # aware, UTC
    duration_s: float  # wall-clock start to end
    distance_m: float | None
    elevation_gain_m: float | None
    device: str | None  # "garmin fenix5", "Strava", "vívoactive HR"...
    note: str | None = None  # set when only part of the file could be read

    @property
    def end_utc(self) -> datetime:
        return self.start_utc + timedelta(seconds=self.duration_s)

    def start_in(self, tz: str) -> datetime:
        """The start in an IANA time zone (the athlete's), e.g. ``start_in("Europe/Paris")``."""
        return self.start_utc.astimezone(ZoneInfo(tz))

    def as_dict(self) -> dict[str, object]:
        return {
            "source_file": self.source_file,
            "fingerprint": self.fingerprint,
            "file_sha256": self.file_sha256,
            "format": self.format,
            "sport": self.sport,
            "is_run": self.is_run,
            "start_utc": self.start_utc.isoformat(),
            "duration_s": self.duration_s,
            "distance_m": self.distance_m,
            "elevation_gain_m": self.elevation_gain_m,
            "device": self.device,
            "note": self.note,
        }


@dataclass(frozen=True)
class SkippedFile:
    """A file (or zip member, or whole path) that was not imported, and why."""

    source: str
    reason: str  # one sentence a person can act on; starts lower-case after the name

    @property
    def message(self) -> str:
        return f"{self.source} {self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "reason": self.reason}


@dataclass(frozen=True)
class ActivitySource:
    """A candidate file: its display name and a loader for its bytes.

    ``load()`` raises :class:`SourceError` (a ValueError) with a reason when the bytes can't be
    had (unreadable file, damaged zip member, too large); it stays callable after the iteration
    that produced it has ended.
    """

    name: str
    load: Callable[[], bytes]


class SourceError(ValueError):
    """The bytes of a source couldn't be read; ``str(err)`` is the reason for a SkippedFile."""


@dataclass(frozen=True)
class Duplicate:
    source: str
    duplicate_of: str  # the earlier file in this import, or "already imported"

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "duplicate_of": self.duplicate_of}


@dataclass
class ImportSummary:
    """What one import found. ``activities`` are new and unique; store them all or none."""

    activities: list[ParsedActivity] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    @property
    def runs(self) -> list[ParsedActivity]:
        return [a for a in self.activities if a.is_run]

    @property
    def other(self) -> list[ParsedActivity]:
        return [a for a in self.activities if not a.is_run]

    def as_dict(self) -> dict[str, object]:
        return {
            "imported": len(self.activities),
            "runs": len(self.runs),
            "other_activities": len(self.other),
            "duplicates": len(self.duplicates),
            "skipped": len(self.skipped),
            "activities": [a.as_dict() for a in self.activities],
            "duplicate_files": [d.as_dict() for d in self.duplicates],
            "skipped_files": [s.as_dict() for s in self.skipped],
        }


# ---------------------------------------------------------------------------------------------
# Walking paths, folders and zips


def _kind_from_name(name: str) -> str | None:
    low = name.lower()
    if low.endswith(".gz"):
        low = low[:-3]
    for ext in ACTIVITY_EXTENSIONS:
        if low.endswith(ext):
            return ext[1:]
    if low.endswith(".zip"):
        return "zip"
    return None


def _unsafe_member(name: str) -> bool:
    """True for a zip member path that is absolute or climbs out of the archive's folder."""
    p = name.replace("\\", "/")
    if p.startswith("/") or re.match(r"^[A-Za-z]:", p):
        return True
    return any(part == ".." for part in p.split("/"))


def _size_text(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(
                f"is {_size_text(size)}, larger than any activity file "
                f"(limit {_size_text(MAX_FILE_BYTES)}), so it was not read"
            )
        return path.read_bytes()
    except OSError as e:
        raise SourceError(f"could not be read ({e.strerror or e})") from e


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except RuntimeError as e:  # encrypted member
        raise SourceError(f"could not be read from the zip ({e})") from e
    except NotImplementedError as e:  # compression method zipfile doesn't know
        raise SourceError(f"uses a compression method Triplane can't read ({e})") from e
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as e:
        raise SourceError(f"is damaged inside the zip ({e}); export it again") from e
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(
            f"unpacks to more than {_size_text(MAX_FILE_BYTES)}: refused as a possible zip bomb"
        )
    return data


@dataclass
class _Budget:
    total: int = 0


def _iter_zip(
    display: str, zf: zipfile.ZipFile, depth: int, budget: _Budget
) -> Iterator[ActivitySource | SkippedFile]:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        yield SkippedFile(
            display,
            f"holds {len(infos)} entries, more than any export ({MAX_ZIP_MEMBERS}); "
            "nothing was read from it",
        )
        return
    offsets = [i.header_offset for i in infos]
    if len(set(offsets)) != len(offsets):
        yield SkippedFile(
            display,
            "is malformed: several entries point at the same data (a zip bomb trick); "
            "nothing was read from it",
        )
        return
    found = 0
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        member = f"{display}/{name.lstrip('/')}"
        if _unsafe_member(name):
            yield SkippedFile(
                member,
                "has a path that climbs out of the archive ('..' or an absolute path); "
                "Triplane left it alone",
            )
            continue
        base = PurePosixPath(name.replace("\\", "/")).name
        if name.startswith("__MACOSX/") or base.startswith("._"):
            continue  # macOS resource forks, not activities
        kind = _kind_from_name(name)
        if kind is None:
            continue  # photos, CSV, JSON of an export: not ours
        found += 1
        if info.file_size > MAX_FILE_BYTES:
            yield SkippedFile(
                member,
                f"unpacks to {_size_text(info.file_size)}, more than any activity file: "
                "refused as a possible zip bomb",
            )
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            yield SkippedFile(
                member,
                f"is compressed {ratio:.0f} to 1, far more than any real activity file: "
                "refused as a possible zip bomb",
            )
            continue
        budget.total += info.file_size
        if budget.total > MAX_ZIP_TOTAL_BYTES:
            yield SkippedFile(
                display,
                f"unpacks to more than {_size_text(MAX_ZIP_TOTAL_BYTES)} of activity files: "
                "the rest of it was not read; split the export and import the parts",
            )
            return
        if kind == "zip":
            if depth >= MAX_ZIP_DEPTH:
                yield SkippedFile(member, "is a zip inside a zip inside a zip: unpack it first")
                continue
            try:
                inner = _read_member(zf, info)
                inner_zf = zipfile.ZipFile(io.BytesIO(inner))
            except SourceError as e:
                yield SkippedFile(member, str(e))
                continue
            except (zipfile.BadZipFile, OSError, ValueError) as e:
                yield SkippedFile(member, f"is not a readable zip archive ({e})")
                continue
            yield from _iter_zip(member, inner_zf, depth + 1, budget)
        else:
            yield ActivitySource(member, partial(_read_member, zf, info))
    if found == 0 and depth == 1:
        yield SkippedFile(display, "holds no FIT, GPX or TCX files")


def _open_zip(display: str, path: Path) -> Iterator[ActivitySource | SkippedFile]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        yield SkippedFile(display, f"is not a readable zip archive ({e})")
        return
    # The ZipFile stays open as long as a loader refers to it (closed when collected).
    yield from _iter_zip(display, zf, 1, _Budget())


def _is_zip_file(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def iter_activity_files(paths: Iterable[Path | str]) -> Iterator[ActivitySource | SkippedFile]:
    """Every candidate activity file under ``paths``, in a stable order.

    - a file: yielded whatever its extension (parse_activity says if it is not an activity);
    - a folder: walked recursively (symlinked folders are not followed); only ``.fit``,
      ``.gpx``, ``.tcx`` (and their ``.gz``) and ``.zip`` files are considered, others ignored;
    - a zip (Garmin or Strava export): its members as above, zips inside it one level deep, read
      in memory with limits on size, compression ratio and paths (see module constants).

    Display names are the path as given, with the member path inside a zip after a ``/``.
    """
    for raw in paths:
        path = Path(raw)
        display = str(raw)
        if not path.exists():
            yield SkippedFile(display, "does not exist: check the path")
        elif path.is_dir():
            found = 0
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs.sort()
                dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__MACOSX"]
                for fname in sorted(files):
                    kind = _kind_from_name(fname)
                    if kind is None or fname.startswith("._"):
                        continue
                    found += 1
                    fpath = Path(root) / fname
                    shown = str(Path(display) / fpath.relative_to(path))
                    if kind == "zip":
                        yield from _open_zip(shown, fpath)
                    else:
                        yield ActivitySource(shown, partial(_read_file, fpath))
            if found == 0:
                yield SkippedFile(display, "holds no FIT, GPX, TCX or zip files")
        elif _is_zip_file(path):
            yield from _open_zip(display, path)
        else:
            yield ActivitySource(display, partial(_read_file, path))


# ---------------------------------------------------------------------------------------------
# One file


@dataclass
class _Summary:
    sport: str
    start: datetime | None
    duration_s: float | None
    distance_m: float | None
    gain_m: float | None
    device: str | None
    note: str | None = None


def _gunzip(data: bytes) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, MAX_FILE_BYTES + 1)
    except zlib.error as e:
        raise SourceError(f"is a damaged gzip file ({e}); export it again") from e
    if len(out) > MAX_FILE_BYTES:
        raise SourceError(
            f"unpacks to more than {_size_text(MAX_FILE_BYTES)}: refused as a possible gzip bomb"
        )
    if len(out) >= RATIO_FLOOR_BYTES and len(out) / max(len(data), 1) > MAX_RATIO:
        raise SourceError(
            f"is compressed {len(out) / max(len(data), 1):.0f} to 1, far more than any real "
            "activity file: refused as a possible gzip bomb"
        )
    if not d.eof:
        raise SourceError("is a gzip file that ends early; copy it again")
    return out


def _strip_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def _ext(name: str) -> str:
    return PurePosixPath(_strip_gz(name).replace("\\", "/")).suffix.lower()


def _sniff(data: bytes, name: str) -> str | SkippedFile:
    """fit | gpx | tcx, or the reason it's none of them."""
    ext = _ext(name)
    if len(data) >= 12 and data[8:12] == b".FIT":
        return "fit"
    if data[:4] == b"PK\x03\x04":
        return SkippedFile(name, "is a zip archive: import the zip file itself, not its content")
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        low = head.lower()
        if b"<gpx" in low:
            return "gpx"
        if b"trainingcenterdatabase" in low:
            return "tcx"
        if ext == ".gpx":
            return SkippedFile(name, "is not a GPX file: it is XML but has no <gpx> element")
        if ext == ".tcx":
            return SkippedFile(
                name, "is not a TCX file: it is XML but has no <TrainingCenterDatabase> element"
            )
        return SkippedFile(name, "is an XML file but neither GPX nor TCX")
    if ext == ".fit":
        return SkippedFile(
            name, "is not a FIT file: it doesn't start with a FIT header; export it again"
        )
    if ext in (".gpx", ".tcx"):
        return SkippedFile(name, f"is not a {ext[1:].upper()} file: it isn't XML; export it again")
    return SkippedFile(name, "is not a FIT, GPX or TCX file")


def parse_activity(
    name: str,
    data: bytes,
    *,
    default_sport: str | None = None,
    now: datetime | None = None,
) -> ParsedActivity | SkippedFile:
    """Read one activity file's bytes (FIT, GPX or TCX; gzip-compressed or not).

    The format is found from the content (and the extension when the content is ambiguous).
    ``default_sport`` is used when the file doesn't say which sport it was (e.g. a GPX track
    without ``<type>``). ``now`` (aware) is for tests. Never raises for bad input.
    """
    try:
        return _parse(name, data, default_sport=default_sport, now=now)
    except SourceError as e:
        return SkippedFile(name, str(e))
    except Exception as e:  # a library failing in a way we haven't seen: still a clear outcome
        return SkippedFile(
            name, f"could not be read ({type(e).__name__}: {_short(e)}); export it again"
        )


def _short(e: BaseException, limit: int = 160) -> str:
    text = str(e).strip().replace("\n", " ") or type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse(
    name: str, data: bytes, *, default_sport: str | None, now: datetime | None
) -> ParsedActivity | SkippedFile:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
    if not data:
        return SkippedFile(name, "is empty")
    kind = _sniff(data, name)
    if isinstance(kind, SkippedFile):
        return kind
    if kind == "fit":
        got = _parse_fit(name, data)
    elif kind == "gpx":
        got = _parse_gpx(name, data)
    else:
        got = _parse_tcx(name, data)
    if isinstance(got, SkippedFile):
        return got
    return _finish(name, data, kind, got, default_sport=default_sport, now=now)


def _finish(
    name: str,
    data: bytes,
    kind: str,
    s: _Summary,
    *,
    default_sport: str | None,
    now: datetime | None,
) -> ParsedActivity | SkippedFile:
    if s.start is None:
        return SkippedFile(name, "has no start time, so Triplane can't tell when it happened")
    start = _utc(s.start)
    now = _utc(now) if now is not None else datetime.now(UTC)
    if start > now + FUTURE_SLACK:
        return SkippedFile(
            name,
            f"is dated {start:%Y-%m-%d}, in the future: the device's clock was probably wrong",
        )
    if start < EARLIEST_START:
        return SkippedFile(
            name,
            f"is dated {start:%Y-%m-%d}, before GPS watches existed: "
            "the device's clock was probably not set",
        )
    duration = s.duration_s
    if duration is None or not math.isfinite(duration) or duration <= 0:
        return SkippedFile(
            name, "has no duration (its timestamps don't move forward), so it can't be used"
        )
    if duration > MAX_DURATION_S:
        return SkippedFile(
            name,
            f"lasts {duration / 86400:.0f} days, longer than any run: "
            "its timestamps are probably wrong",
        )
    sport = s.sport
    if sport == "other" and default_sport:
        sport = normalise_sport(default_sport)
    distance = _clean(s.distance_m)
    gain = _clean(s.gain_m)
    minute = start.replace(second=0, microsecond=0)
    return ParsedActivity(
        source_file=name,
        fingerprint=hashlib.sha256(f"start:{minute.isoformat()}".encode()).hexdigest(),
        file_sha256=hashlib.sha256(data).hexdigest(),
        format=kind,
        sport=sport,
        is_run=sport in RUN_SPORTS,
        start_utc=start,
        duration_s=round(float(duration), 3),
        distance_m=None if distance is None else round(distance, 1),
        elevation_gain_m=None if gain is None else round(gain, 1),
        device=s.device,
        note=s.note,
    )


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and v >= 0 else None


# ---------------------------------------------------------------------------------------------
# Sports

_SPORT_WORDS: dict[str, str] = {
    "running": "running",
    "run": "running",
    "road_running": "running",
    "street_running": "running",
    "track_running": "running",
    "trail_running": "trail_running",
    "trail_run": "trail_running",
    "trailrun": "trail_running",
    "trail": "trail_running",
    "treadmill_running": "treadmill_running",
    "treadmill": "treadmill_running",
    "indoor_running": "treadmill_running",
    "virtual_run": "treadmill_running",
    "walking": "walking",
    "walk": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "mountaineering": "hiking",
    "cycling": "cycling",
    "biking": "cycling",
    "bike": "cycling",
    "ride": "cycling",
    "road_biking": "cycling",
    "mountain_biking": "cycling",
    "gravel_cycling": "cycling",
    "e_biking": "cycling",
    "swimming": "swimming",
    "swim": "swimming",
    "lap_swimming": "swimming",
    "open_water_swimming": "swimming",
    "cross_country_skiing": "skiing",
    "alpine_skiing": "skiing",
    "backcountry_skiing": "skiing",
    "skiing": "skiing",
    "paddling": "paddling",
    "stand_up_paddleboarding": "paddling",
    "kayaking": "paddling",
    "rowing": "paddling",
    "training": "strength",
    "strength_training": "strength",
    "multisport": "multisport",
    "transition": "other",
}


def normalise_sport(raw: str | None, sub: str | None = None) -> str:
    """A sport label from any file ("Running", "trail_running", "Biking") -> one of SPORTS."""
    if raw is None:
        return "other"
    key = re.sub(r"[^a-z0-9]+", "_", str(raw).strip().lower()).strip("_")
    sport = _SPORT_WORDS.get(key, "other")
    sub_key = re.sub(r"[^a-z0-9]+", "_", str(sub).strip().lower()).strip("_") if sub else ""
    if sport == "running":
        if sub_key == "trail":
            return "trail_running"
        if sub_key in ("treadmill", "indoor_running", "virtual_activity"):
            return "treadmill_running"
    if sport == "strength" and sub_key and sub_key != "strength_training":
        return "other"
    return sport


# ---------------------------------------------------------------------------------------------
# FIT

_FIT_FILE_TYPES = {
    "settings": "settings file",
    "sport": "sport settings file",
    "workout": "workout plan",
    "course": "course",
    "schedules": "schedule",
    "weight": "weight file",
    "totals": "totals file",
    "goals": "goals file",
    "blood_pressure": "blood pressure file",
    "monitoring_a": "daily monitoring file",
    "monitoring_b": "daily monitoring file",
    "monitoring_daily": "daily monitoring file",
    "activity_summary": "activity summary",
    "segment": "segment",
    "segment_list": "segment list",
    "device": "device description",
}


def _fit_problem(e: BaseException | None, data: bytes, crc_bad: bool) -> str | None:
    """What is wrong with a FIT file, as the end of a sentence starting with its name."""
    import fitdecode

    expected = None
    if len(data) >= 12:
        header_size = data[0]
        (body,) = struct.unpack("<I", data[4:8])
        expected = header_size + body + 2
    truncated = expected is not None and len(data) < expected
    if isinstance(e, fitdecode.FitEOFError):
        if truncated:
            return (
                f"ends early: it has {len(data)} of the {expected} bytes its header promises, "
                "so it was probably cut off while copying"
            )
        return "ends early, in the middle of a record, so it was probably cut off while copying"
    if isinstance(e, fitdecode.FitHeaderError):
        offset = getattr(e, "offset", None)
        m = re.search(r"@ (\d+)", str(e))
        where = int(m.group(1)) if m else offset
        if where:
            return f"is damaged after byte {where}: a broken FIT header follows the data"
        return "is not a FIT file: its header is damaged"
    if isinstance(e, fitdecode.FitCRCError):
        return "is damaged: its checksum doesn't match its content"
    if isinstance(e, fitdecode.FitParseError):
        msg = str(e).split(": ", 1)[-1]
        return f"is damaged at byte {e.offset} ({msg})"
    if e is not None:
        return f"could not be decoded ({type(e).__name__}: {_short(e)})"
    if crc_bad:
        return "is damaged: its checksum doesn't match its content"
    if expected is not None and len(data) < expected:
        return (
            f"ends early: it has {len(data)} of the {expected} bytes its header promises, "
            "so it was probably cut off while copying"
        )
    return None


def _parse_fit(name: str, data: bytes) -> _Summary | SkippedFile:
    import fitdecode

    file_type: Any = None
    device: str | None = None
    sessions: list[dict[str, Any]] = []
    sport_msg: tuple[Any, Any] | None = None
    first_ts: datetime | None = None
    last_ts: datetime | None = None
    max_dist: float | None = None
    crc_bad = False
    error: BaseException | None = None
    files = 0

    reader = fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.READONLY,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    try:
        for frame in reader:
            if isinstance(frame, fitdecode.FitHeader):
                files += 1
                continue
            if isinstance(frame, fitdecode.FitCRC):
                if frame.crc and not frame.matched:
                    crc_bad = True
                continue
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            mname = frame.name
            if mname == "record":
                ts = frame.get_value("timestamp", fallback=None)
                if isinstance(ts, datetime):
                    if first_ts is None:
                        first_ts = ts
                    last_ts = ts
                dist = frame.get_value("distance", fallback=None)
                if isinstance(dist, int | float) and (max_dist is None or dist > max_dist):
                    max_dist = float(dist)
            elif mname == "session":
                sessions.append({f.name: f.value for f in frame.fields})
            elif mname == "file_id" and files == 1 and file_type is None:
                values = {f.name: f.value for f in frame.fields}
                file_type = values.get("type")
                device = _fit_device(values)
            elif mname == "sport" and sport_msg is None:
                sport_msg = (
                    frame.get_value("sport", fallback=None),
                    frame.get_value("sub_sport", fallback=None),
                )
    except Exception as e:  # fitdecode.FitError and whatever a damaged file provokes
        error = e
    finally:
        reader.close()

    if files == 0:
        return SkippedFile(name, "is not a FIT file: its header is damaged")
    if file_type is not None and str(file_type) != "activity":
        label = _FIT_FILE_TYPES.get(str(file_type), f"FIT file of type {file_type}")
        return SkippedFile(
            name, f"is a {label}, not a recorded activity, so there is nothing to import"
        )

    summary = _fit_summary(sessions, sport_msg, first_ts, last_ts, max_dist, device)
    problem = _fit_problem(error, data, crc_bad)
    if problem is None:
        if summary.start is None:
            return SkippedFile(name, "holds no activity data (no session and no records)")
        return summary
    read_s = summary.duration_s or 0.0
    if summary.start is not None and read_s >= MIN_SALVAGE_S:
        summary.note = (
            f"Partly read: the file {problem}; "
            f"the summary read before that ({_duration_text(read_s)}) was kept."
        )
        return summary
    if summary.start is None:
        return SkippedFile(name, f"{problem}, and no activity could be read before that")
    return SkippedFile(
        name,
        f"{problem}, and the part before that holds only {_duration_text(read_s)} of activity",
    )


def _duration_text(s: float) -> str:
    s = int(round(s))
    if s < 120:
        return f"{s} seconds"
    if s < 7200:
        return f"{s // 60} minutes"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _fit_device(values: dict[str, Any]) -> str | None:
    maker = values.get("manufacturer")
    product = values.get("garmin_product") or values.get("product")
    parts = [str(p) for p in (maker, product) if p is not None and not isinstance(p, int)]
    if maker is not None and not parts:
        parts = [str(maker)]
    return " ".join(parts) or None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(float(v)) else None


def _fit_summary(
    sessions: list[dict[str, Any]],
    sport_msg: tuple[Any, Any] | None,
    first_ts: datetime | None,
    last_ts: datetime | None,
    max_dist: float | None,
    device: str | None,
) -> _Summary:
    legs = [s for s in sessions if isinstance(s.get("start_time"), datetime)]
    if legs:
        sports = {normalise_sport(s.get("sport"), s.get("sub_sport")) for s in legs}
        if len(sports) > 1:
            sports.discard("other")  # a "generic" leg or a transition doesn't make multisport
        sport = sports.pop() if len(sports) == 1 else "multisport"
        start = min(s["start_time"] for s in legs)
        ends = []
        for s in legs:
            dur = _num(s.get("total_elapsed_time")) or _num(s.get("total_timer_time")) or 0.0
            ends.append(s["start_time"] + timedelta(seconds=dur))
        duration = (max(ends) - start).total_seconds()
        dists = [d for d in (_num(s.get("total_distance")) for s in legs) if d is not None]
        gains = [g for g in (_num(s.get("total_ascent")) for s in legs) if g is not None]
        return _Summary(
            sport=sport,
            start=start,
            duration_s=duration,
            distance_m=sum(dists) if dists else max_dist,
            gain_m=sum(gains) if gains else None,
            device=device,
        )
    sport = normalise_sport(*sport_msg) if sport_msg else "other"
    if first_ts is None or last_ts is None:
        return _Summary(sport, None, None, None, None, device)
    return _Summary(
        sport=sport,
        start=first_ts,
        duration_s=(last_ts - first_ts).total_seconds(),
        distance_m=max_dist,
        gain_m=None,
        device=device,
    )


# ---------------------------------------------------------------------------------------------
# GPX and TCX


def _xml_text(name: str, data: bytes, fmt: str) -> str | SkippedFile:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    m = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return SkippedFile(name, f"is not a readable {fmt} file: its text is not valid UTF-8")


def _xml_error(name: str, fmt: str, e: BaseException) -> SkippedFile:
    cause = getattr(e, "original_exception", None) or e
    return SkippedFile(
        name,
        f"is not valid XML ({_short(cause, 100)}), so it can't be read as {fmt}; "
        "it may be cut short: export it again",
    )


def _parse_gpx(name: str, data: bytes) -> _Summary | SkippedFile:
    import gpxpy
    import gpxpy.gpx

    text = _xml_text(name, data, "GPX")
    if isinstance(text, SkippedFile):
        return text
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as e:
        return _xml_error(name, "GPX", e)
    except gpxpy.gpx.GPXException as e:
        return SkippedFile(name, f"is not a valid GPX file ({_short(e, 100)})")

    points = [p for track in gpx.tracks for seg in track.segments for p in seg.points]
    if not points:
        if gpx.routes:
            return SkippedFile(
                name, "is a planned route, not a recorded track, so there is no run in it"
            )
        return SkippedFile(name, "has no track points, so there is no activity in it")
    timed = [p.time for p in points if p.time is not None]
    if len(timed) * 2 < len(points):
        detail = "" if not timed else f" (only {len(timed)} of {len(points)} points have one)"
        return SkippedFile(name, f"has no timestamps{detail}, so Triplane can't tell when you ran")
    start = min(timed)
    end = max(timed)
    if end == start:
        when = f" ({_utc(start):%Y-%m-%d})" if _utc(start) < EARLIEST_START else ""
        return SkippedFile(
            name,
            f"has the same timestamp on every point{when}, so the device's clock was "
            "probably not set",
        )
    sport_raw = next((t.type for t in gpx.tracks if t.type), None)
    try:
        distance: float | None = gpx.length_2d()
    except (ValueError, ArithmeticError):
        distance = None
    gain: float | None = None
    if any(p.elevation is not None for p in points):
        try:
            gain = gpx.get_uphill_downhill().uphill
        except (ValueError, ArithmeticError, TypeError):
            gain = None
    return _Summary(
        sport=normalise_sport(sport_raw),
        start=start,
        duration_s=(_utc(end) - _utc(start)).total_seconds(),
        distance_m=distance,
        gain_m=gain,
        device=(gpx.creator or None),
    )


def _gain(elevations: list[float | None]) -> float | None:
    """Total ascent with gpxpy's smoothing (raw sums count every wobble of the barometer)."""
    from gpxpy.geo import calculate_uphill_downhill

    values: list[float | None] = [e for e in elevations if e is not None]
    if len(values) < 2:
        return None
    return float(calculate_uphill_downhill(values)[0])


_TCX_CREATOR = re.compile(rb"<Creator\b[^>]*>\s*<Name>([^<]{1,100})</Name>")


def _parse_tcx(name: str, data: bytes) -> _Summary | SkippedFile:
    from xml.etree.ElementTree import ParseError

    from tcxreader.tcxreader import TCXReader

    try:
        ex = TCXReader().read(io.BytesIO(data), only_gps=False)  # type: ignore[arg-type,unused-ignore]
    except ParseError as e:
        return _xml_error(name, "TCX", e)
    except KeyError as e:
        return SkippedFile(name, f"is not a complete TCX file (it lacks {e}); export it again")
    except ValueError as e:
        return SkippedFile(name, f"is not a valid TCX file ({_short(e, 100)})")
    points = ex.trackpoints or []
    times = [p.time for p in points if p.time is not None]
    if not times:
        return SkippedFile(name, "has no track points with times, so there is no activity in it")
    start = min(_utc(t) for t in times)
    end = max(_utc(t) for t in times)
    device = None
    m = _TCX_CREATOR.search(data)
    if m:
        device = m.group(1).decode("utf-8", "replace").strip() or None
    elif getattr(ex, "author", None) is not None and ex.author.name:
        device = str(ex.author.name)
    return _Summary(
        sport=normalise_sport(ex.activity_type),
        start=start,
        duration_s=(end - start).total_seconds(),
        distance_m=ex.distance if ex.distance else None,
        gain_m=_gain([p.elevation for p in points]),
        device=device,
    )


# ---------------------------------------------------------------------------------------------
# A whole import


def read_activities(
    paths: Iterable[Path | str],
    *,
    known_fingerprints: Iterable[str] = (),
    known_file_hashes: Iterable[str] = (),
    default_sport: str | None = None,
    now: datetime | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Read everything under ``paths`` and sort it into new activities, duplicates and skips.

    ``known_fingerprints`` / ``known_file_hashes`` are those already stored for the athlete: a
    re-import then finds only duplicates. ``on_progress(name)`` is called after each file (for
    a progress bar; count the sources first with :func:`count_activity_files` for a total).
    Nothing is written anywhere: the caller stores ``summary.activities`` in one transaction.
    """
    seen_fp: dict[str, str] = {fp: "already imported" for fp in known_fingerprints}
    seen_sha: dict[str, str] = {h: "already imported" for h in known_file_hashes}
    out = ImportSummary()
    for item in iter_activity_files(paths):
        if isinstance(item, SkippedFile):
            out.skipped.append(item)
            if on_progress:
                on_progress(item.source)
            continue
        try:
            data = item.load()
        except SourceError as e:
            out.skipped.append(SkippedFile(item.name, str(e)))
        else:
            got = parse_activity(item.name, data, default_sport=default_sport, now=now)
            if isinstance(got, SkippedFile):
                out.skipped.append(got)
            elif got.file_sha256 in seen_sha:
                out.duplicates.append(Duplicate(got.source_file, seen_sha[got.file_sha256]))
            elif got.fingerprint in seen_fp:
                out.duplicates.append(Duplicate(got.source_file, seen_fp[got.fingerprint]))
            else:
                seen_sha[got.file_sha256] = got.source_file
                seen_fp[got.fingerprint] = got.source_file
                out.activities.append(got)
        if on_progress:
            on_progress(item.name)
    return out


def count_activity_files(paths: Iterable[Path | str]) -> int:
    """How many progress steps :func:`read_activities` will report (files plus skips)."""
    return sum(1 for _ in iter_activity_files(paths))


def gzip_bytes(data: bytes) -> bytes:
    """Gzip with a fixed mtime (so the same input gives the same bytes); for tests and tools."""
    return gzip.compress(data, mtime=0)


# ---------------------------------------------------------------------------------------------
# Synthetic files (tests, benchmarks, demo data), written with the same libraries


def _track(
    start_utc: datetime, duration_s: float, distance_m: float, every_s: int
) -> list[tuple[datetime, float, float, float, float]]:
    """(time, lat, lon, elevation, distance so far) every ``every_s`` seconds along a line."""
    n = max(int(duration_s // every_s), 1)
    lat0, lon0 = 46.05, 14.50
    metres_per_deg = 111_320.0
    out = []
    for i in range(n + 1):
        frac = i / n
        d = distance_m * frac
        out.append(
            (
                start_utc + timedelta(seconds=duration_s * frac),
                lat0 + d / metres_per_deg,
                lon0,
                400.0 + 60.0 * math.sin(frac * math.pi * 3),
                d,
            )
        )
    return out


def synthetic_gpx(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str | None = "running",
    every_s: int = 10,
) -> bytes:
    """A GPX 1.1 track written with gpxpy (``<type>`` = sport when given)."""
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Triplane synthetic"
    track = gpxpy.gpx.GPXTrack(name=f"{sport or 'activity'} {start_utc:%Y-%m-%d}")
    track.type = sport  # type: ignore[assignment,unused-ignore]
    seg = gpxpy.gpx.GPXTrackSegment()
    for t, lat, lon, ele, _d in _track(_utc(start_utc), duration_s, distance_m, every_s):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(lat, lon, elevation=ele, time=t))
    track.segments.append(seg)
    gpx.tracks.append(track)
    return gpx.to_xml(version="1.1").encode()


def synthetic_tcx(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str = "Running",
    every_s: int = 10,
) -> bytes:
    """A TCX activity (Garmin TrainingCenterDatabase v2) built with ElementTree."""
    import xml.etree.ElementTree as ET

    ns = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
    ET.register_namespace("", ns)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ns}}}{tag}")
        if text is not None:
            el.text = text
        return el

    start = _utc(start_utc)
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    root = ET.Element(f"{{{ns}}}TrainingCenterDatabase")
    act = sub(sub(root, "Activities"), "Activity")
    act.set("Sport", sport)
    sub(act, "Id", start.strftime(stamp))
    lap = sub(act, "Lap")
    lap.set("StartTime", start.strftime(stamp))
    sub(lap, "TotalTimeSeconds", f"{duration_s:.1f}")
    sub(lap, "DistanceMeters", f"{distance_m:.1f}")
    trk = sub(lap, "Track")
    for t, lat, lon, ele, d in _track(start, duration_s, distance_m, every_s):
        tp = sub(trk, "Trackpoint")
        sub(tp, "Time", t.strftime(stamp))
        pos = sub(tp, "Position")
        sub(pos, "LatitudeDegrees", f"{lat:.7f}")
        sub(pos, "LongitudeDegrees", f"{lon:.7f}")
        sub(tp, "AltitudeMeters", f"{ele:.1f}")
        sub(tp, "DistanceMeters", f"{d:.1f}")
    creator = sub(act, "Creator")
    sub(creator, "Name", "Triplane synthetic")
    return bytes(ET.tostring(root, xml_declaration=True, encoding="UTF-8"))


def synthetic_fit(
    start_utc: datetime,
    duration_s: float,
    distance_m: float,
    sport: str = "running",
    every_s: int = 10,
) -> bytes:
    """A FIT activity (file_id, records, lap, session, activity) written with fit-tool."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    fit_sport = Sport[sport.upper()] if sport.upper() in Sport.__members__ else Sport.GENERIC
    start = _utc(start_utc)
    ms = round(start.timestamp() * 1000)
    end_ms = ms + round(duration_s * 1000)
    b = FitFileBuilder(auto_define=True, min_string_size=16)
    fid = FileIdMessage()
    fid.type = FileType.ACTIVITY
    fid.manufacturer = Manufacturer.DEVELOPMENT.value
    fid.product = 0
    fid.serial_number = 0x54524950
    fid.time_created = ms
    b.add(fid)
    records = []
    for t, lat, lon, ele, d in _track(start, duration_s, distance_m, every_s):
        r = RecordMessage()
        r.timestamp = round(t.timestamp() * 1000)
        r.position_lat = lat
        r.position_long = lon
        r.altitude = ele
        r.distance = d
        records.append(r)
    b.add_all(records)
    for cls in (LapMessage, SessionMessage):
        m = cls()
        m.timestamp = end_ms
        m.start_time = ms
        m.total_elapsed_time = duration_s
        m.total_timer_time = duration_s
        m.total_distance = distance_m
        m.sport = fit_sport
        b.add(m)
    act = ActivityMessage()
    act.timestamp = end_ms
    act.total_timer_time = duration_s
    act.num_sessions = 1
    b.add(act)
    return bytes(b.build().to_bytes())

"""One file's bytes -> an activity (:func:`parse_activity`), and a whole import
(:func:`read_activities`): the checks every format shares, then dedupe."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from triplane.io.activities.containers import iter_activity_files, unpack
from triplane.io.activities.model import (
    EARLIEST_START,
    FUTURE_SLACK,
    MAX_DURATION_S,
    Duplicate,
    ImportSummary,
    ParsedActivity,
    RawActivity,
    SkippedFile,
    SourceError,
)
from triplane.io.activities.parsing import as_utc, short_error
from triplane.io.activities.registry import sniff
from triplane.io.activities.sports import RUN_SPORTS, normalise_sport


def parse_activity(
    name: str,
    data: bytes,
    *,
    default_sport: str | None = None,
    now: datetime | None = None,
) -> ParsedActivity | SkippedFile:
    """Read one activity file's bytes (any registered format; gzip-compressed or not).

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
            name, f"could not be read ({type(e).__name__}: {short_error(e)}); export it again"
        )


def _parse(
    name: str, data: bytes, *, default_sport: str | None, now: datetime | None
) -> ParsedActivity | SkippedFile:
    data = unpack(data)
    if not data:
        return SkippedFile(name, "is empty")
    fmt = sniff(name, data)
    if isinstance(fmt, SkippedFile):
        return fmt
    got = fmt.parse(name, data)
    if isinstance(got, SkippedFile):
        return got
    return _finish(name, data, fmt.kind, got, default_sport=default_sport, now=now)


def _finish(
    name: str,
    data: bytes,
    kind: str,
    s: RawActivity,
    *,
    default_sport: str | None,
    now: datetime | None,
) -> ParsedActivity | SkippedFile:
    if s.start is None:
        return SkippedFile(name, "has no start time, so Triplane can't tell when it happened")
    start = as_utc(s.start)
    now = as_utc(now) if now is not None else datetime.now(UTC)
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


def _clean(x: float | None) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and v >= 0 else None


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

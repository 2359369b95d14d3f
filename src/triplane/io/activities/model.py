"""What an import produces: one activity, a skipped file, a duplicate, the whole summary.

Also :class:`RawActivity`, what a format's parser hands back before the checks every format
shares (start date, duration, sport default), and those checks' limits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

#: Activities longer than this are refused as broken timestamps (the longest trail races take
#: about 6 days).
MAX_DURATION_S = 10 * 24 * 3600.0
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class ParsedActivity:
    """One activity read from a file. Plain values, ready to store."""

    source_file: str  # display name: "export.zip/activities/123.fit.gz"
    fingerprint: str  # identity of the recording (see the package doc): dedupe key per athlete
    file_sha256: str  # sha256 of the (uncompressed) file content
    format: str  # a registered format's kind: fit | gpx | tcx
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


@dataclass
class RawActivity:
    """What a format's parser read from one file, before the checks every format shares."""

    sport: str  # one of SPORTS ("other" when the file doesn't say)
    start: datetime | None  # naive means UTC
    duration_s: float | None
    distance_m: float | None
    gain_m: float | None
    device: str | None
    note: str | None = None  # set when only part of the file could be read

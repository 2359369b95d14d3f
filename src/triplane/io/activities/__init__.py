"""Activity files in: FIT, GPX and TCX files, folders of them, and Garmin or Strava export zips.

The package, module by module:

- ``formats/<kind>.py``: one per format (fit, gpx, tcx), each registering how to recognise its
  content and how to read it (``registry.py``); a new format is one new file there plus its
  name in ``formats/__init__.py``'s import line;
- ``containers.py``: paths, folders, zips and gzip (containers, not formats), with the limits;
- ``reading.py``: one file's bytes -> an activity, and a whole import;
- ``model.py``: the results; ``sports.py``: sport labels; ``parsing.py``: helpers for parsers;
  ``synthetic.py``: files for tests and benchmarks.

Three steps, each usable alone:

- :func:`iter_activity_files` walks what the person named (files, folders, zips, zips inside
  zips) and yields an :class:`ActivitySource` (a name and a loader) per candidate file, or a
  :class:`SkippedFile` when something can't even be opened (a member whose path climbs out of the
  archive, a zip bomb, a missing path). Nothing is ever extracted to disk.
- :func:`parse_activity` turns one file's bytes into a :class:`ParsedActivity` or a
  :class:`SkippedFile` with one sentence a person can act on. It never raises for bad input.
- :func:`read_activities` does both for a whole import, dedupes within the batch and against
  what is already stored, and returns an :class:`ImportSummary`.

Parsing uses the field's libraries: fitdecode (FIT), gpxpy (GPX), tcxreader (TCX), imported
only when a file of that format is read.

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
  before the damage is kept, with a note, when it holds at least ``MIN_SALVAGE_S`` of
  activity; otherwise the file is skipped with a reason that says what is wrong
  (``formats/fit.py``).
- **Dates**: an activity that starts more than a day in the future, or before 1990 (a watch whose
  clock was never set), is skipped.
- **Sports**: running, trail running and treadmill running are runs; walks, hikes, rides and
  the rest are kept as other activities (``is_run`` false). A file that doesn't name its sport is
  "other" unless the caller passes ``default_sport``.
"""

from triplane.io.activities.containers import (
    MAX_FILE_BYTES,
    MAX_RATIO,
    MAX_ZIP_DEPTH,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_TOTAL_BYTES,
    RATIO_FLOOR_BYTES,
    gzip_bytes,
    iter_activity_files,
)
from triplane.io.activities.formats.fit import MIN_SALVAGE_S
from triplane.io.activities.model import (
    EARLIEST_START,
    FUTURE_SLACK,
    MAX_DURATION_S,
    ActivitySource,
    Duplicate,
    ImportSummary,
    ParsedActivity,
    RawActivity,
    SkippedFile,
    SourceError,
)
from triplane.io.activities.reading import count_activity_files, parse_activity, read_activities
from triplane.io.activities.registry import ActivityFormat, all_formats, register
from triplane.io.activities.sports import RUN_SPORTS, SPORTS, normalise_sport
from triplane.io.activities.synthetic import synthetic_fit, synthetic_gpx, synthetic_tcx

__all__ = [
    "EARLIEST_START",
    "FUTURE_SLACK",
    "MAX_DURATION_S",
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_ZIP_DEPTH",
    "MAX_ZIP_MEMBERS",
    "MAX_ZIP_TOTAL_BYTES",
    "MIN_SALVAGE_S",
    "RATIO_FLOOR_BYTES",
    "RUN_SPORTS",
    "SPORTS",
    "ActivityFormat",
    "ActivitySource",
    "Duplicate",
    "ImportSummary",
    "ParsedActivity",
    "RawActivity",
    "SkippedFile",
    "SourceError",
    "all_formats",
    "count_activity_files",
    "gzip_bytes",
    "iter_activity_files",
    "normalise_sport",
    "parse_activity",
    "read_activities",
    "register",
    "synthetic_fit",
    "synthetic_gpx",
    "synthetic_tcx",
]

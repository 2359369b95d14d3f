"""FIT (Garmin's binary format), read with fitdecode; damaged files are salvaged when they can be.

A damaged file (truncated, checksum mismatch, a decoder error part-way) keeps what was read
before the damage, with a note, when that holds at least :data:`MIN_SALVAGE_S` of activity;
otherwise it is skipped with a reason that says what is wrong.
"""

from __future__ import annotations

import io
import math
import re
import struct
from datetime import datetime, timedelta
from typing import Any

from triplane.io.activities.model import RawActivity, SkippedFile
from triplane.io.activities.parsing import duration_text, short_error
from triplane.io.activities.registry import ActivityFormat, register
from triplane.io.activities.sports import normalise_sport

#: A damaged FIT file is kept only when what could be read covers at least this long.
MIN_SALVAGE_S = 300.0

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
        return f"could not be decoded ({type(e).__name__}: {short_error(e)})"
    if crc_bad:
        return "is damaged: its checksum doesn't match its content"
    if expected is not None and len(data) < expected:
        return (
            f"ends early: it has {len(data)} of the {expected} bytes its header promises, "
            "so it was probably cut off while copying"
        )
    return None


def _parse_fit(name: str, data: bytes) -> RawActivity | SkippedFile:
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
            f"the summary read before that ({duration_text(read_s)}) was kept."
        )
        return summary
    if summary.start is None:
        return SkippedFile(name, f"{problem}, and no activity could be read before that")
    return SkippedFile(
        name,
        f"{problem}, and the part before that holds only {duration_text(read_s)} of activity",
    )


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
) -> RawActivity:
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
        return RawActivity(
            sport=sport,
            start=start,
            duration_s=duration,
            distance_m=sum(dists) if dists else max_dist,
            gain_m=sum(gains) if gains else None,
            device=device,
        )
    sport = normalise_sport(*sport_msg) if sport_msg else "other"
    if first_ts is None or last_ts is None:
        return RawActivity(sport, None, None, None, None, device)
    return RawActivity(
        sport=sport,
        start=first_ts,
        duration_s=(last_ts - first_ts).total_seconds(),
        distance_m=max_dist,
        gain_m=None,
        device=device,
    )


def _sniff(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


register(
    ActivityFormat(
        kind="fit",
        label="FIT",
        extensions=(".fit",),
        sniff=_sniff,
        parse=_parse_fit,
        bad_content="it doesn't start with a FIT header",
    )
)

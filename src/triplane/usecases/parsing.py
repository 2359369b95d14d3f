"""Small parsers shared by the use cases and the faces, and settings as dated JSON snapshots.

Every refusal is an `Invalid` whose sentence names what was wrong; `what` is the caller's
word for the input and `field` its name, when it has one (see core/errors.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from triplane.core.anatomy import WEEKDAYS
from triplane.core.errors import Invalid
from triplane.core.records import (
    Settings,
)

EXPORT_FORMAT = "triplane-export"
EXPORT_VERSION = 1
# Dates people can give: plans look weeks ahead and months back, which near date.min/max
# would overflow; nobody trains in year 1 or 9999.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)


# ---- small parsers shared by the faces ----------------------------------------------------------


def parse_date(value: str | date | None, what: str = "date") -> date | None:
    if value is None:
        return value
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(value)
        except (ValueError, TypeError):
            raise Invalid(
                f"{what} '{str(value)[:40]}' is not a date; use YYYY-MM-DD, e.g. 2026-12-01"
            ) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise Invalid(
            f"{what} {value.isoformat()} is out of range; give a date from "
            f"{MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}"
        )
    return value


def parse_time(
    value: str | time | None, what: str = "time", field: str | None = None
) -> time | None:
    if value is None or isinstance(value, time):
        return value
    try:
        h, m = value.split(":")
        return time(int(h), int(m))
    except ValueError:
        raise Invalid(
            f"{what} '{value}' is not a time of day; use HH:MM, e.g. 17:30", field=field
        ) from None


def parse_run_times(value: str) -> tuple[tuple[tuple[str, time], ...], frozenset[str]]:
    """'mon=06:30,sat=08:00' (a day twice, or 'mon=06:30+18:00', for two runs) -> times."""
    out: list[tuple[str, time]] = []
    for item in str(value).split(","):
        if not item.strip():
            continue
        day, sep, times = item.partition("=")
        days = parse_days(day, "{field}", "run_times") or frozenset()
        if not sep or len(days) != 1 or not times.strip():
            raise Invalid(
                f"{{field}} looks like mon=06:30,sat=08:00, not '{item.strip()}'",
                field="run_times",
            )
        (wd,) = days
        for x in times.split("+"):
            at = parse_time(x.strip(), "{field}", "run_times")
            assert at is not None
            out.append((wd, at))
    per_day: dict[str, int] = {}
    for wd, _ in out:
        per_day[wd] = per_day.get(wd, 0) + 1
    if any(n > 2 for n in per_day.values()):
        raise Invalid("{field}: at most two runs a day", field="run_times")
    out.sort(key=lambda x: (WEEKDAYS.index(x[0]), x[1]))
    return tuple(out), frozenset(wd for wd, _ in out)


def parse_days(
    value: str | Sequence[str] | None, what: str = "days", field: str | None = None
) -> frozenset[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    days = [d.strip().lower()[:3] for d in items if d.strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        raise Invalid(
            f"{what}: '{bad[0]}' is not a weekday; use mon,tue,wed,thu,fri,sat,sun", field=field
        )
    return frozenset(days)


def local_zone() -> str:
    """The machine's IANA time zone name, or UTC when it can't be told."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and _valid_zone(tz):
        return tz
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            name = link.split("zoneinfo/", 1)[1]
            if _valid_zone(name):
                return name
    except OSError:
        pass
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder; long names
        return False


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# ---- settings as dated JSON snapshots -----------------------------------------------------------

_TIME_FIELDS = (
    "wake",
    "sleep",
    "run_time",
    "second_run_time",
    "gym_time",
    "work_start",
    "work_end",
)
_SET_FIELDS = ("run_days", "gym_days", "work_days")


def settings_to_json(s: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(s):
        v = getattr(s, f.name)
        if f.name in _TIME_FIELDS:
            v = v.strftime("%H:%M") if v is not None else None
        elif f.name in _SET_FIELDS:
            v = [d for d in WEEKDAYS if d in v]
        elif f.name == "run_times":  # {"mon": "06:30", "sat": "06:30,18:00"}
            grouped: dict[str, list[str]] = {}
            for d, tt in v:
                grouped.setdefault(d, []).append(tt.strftime("%H:%M"))
            v = {d: ",".join(ts) for d, ts in grouped.items()}
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def settings_from_json(data: Mapping[str, Any]) -> Settings:
    kw: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}
    for k, v in data.items():
        if k not in names:
            continue
        if k in _TIME_FIELDS:
            v = parse_time(v) if v is not None else None
        elif k in _SET_FIELDS:
            v = frozenset(v)
        elif k == "run_times":
            v = tuple((d, parse_time(x)) for d, tt in v.items() for x in str(tt).split(","))
        elif k in ("conditions", "ladder_order") and v is not None:
            v = tuple(v)
        kw[k] = v
    return Settings(**kw)

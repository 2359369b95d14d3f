"""The use cases: the ONE API that the CLI, the web app and the tests call.

Every public method of `Service` works inside the caller's transaction (`open_service` gives one
per command), validates its input and raises `TriplaneError` with a sentence that says what was
wrong and what to do. Nothing here prints; nothing here knows about HTTP or terminals.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from triplane.core.anatomy import DEVICES, MOTIONS, SEXES, SIDES, WEEKDAYS
from triplane.core.assess import Profile, build_profile, choose_norm_set, validate_value
from triplane.core.catalogue import Catalogue, load_catalogue
from triplane.core.conditions import HIP_REPLACEMENT, restrictions_for, ruled_out_directions
from triplane.core.lunge import DirectionPlan
from triplane.core.plan import AthleteLog, DayPlan, Planner
from triplane.core.records import (
    AwayPeriod,
    CheckIn,
    DrillLog,
    Event,
    LungeLog,
    Measurement,
    Prescription,
    Settings,
)
from triplane.core.safety import SafetyState, clearance_refusals
from triplane.store import schema as t
from triplane.store.db import open_engine

EXPORT_FORMAT = "triplane-export"
EXPORT_VERSION = 1
MIN_BUDGET, MAX_BUDGET = 5, 60
MIN_AWAKE_HOURS = 8
# Dates people can give: plans look weeks ahead and months back, which near date.min/max
# would overflow; nobody trains in year 1 or 9999.
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)


class TriplaneError(Exception):
    """A user-facing error: the message is one sentence a person can act on."""

    status = 400  # the HTTP status the web app answers with


class NotFound(TriplaneError):
    status = 404


class Conflict(TriplaneError):
    status = 409


class Invalid(TriplaneError):
    status = 422


@dataclass(frozen=True)
class Athlete:
    id: int
    name: str
    tz: str

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.tz)).date()


def coach_drills_dir() -> Path | None:
    """A coach's own drills: TOML files in $TRIPLANE_DRILLS_DIR, else in the `drills` folder
    of Triplane's user data folder when it exists."""
    env = os.environ.get("TRIPLANE_DRILLS_DIR")
    if env:
        return Path(env)
    from triplane.store.db import data_dir

    folder = data_dir() / "drills"
    return folder if folder.is_dir() else None


def current_catalogue() -> Catalogue:
    """The packaged catalogue plus the coach's drills, validated."""
    return load_catalogue(coach_drills_dir())


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


def parse_time(value: str | time | None, what: str = "time") -> time | None:
    if value is None or isinstance(value, time):
        return value
    try:
        h, m = value.split(":")
        return time(int(h), int(m))
    except ValueError:
        raise Invalid(f"{what} '{value}' is not a time of day; use HH:MM, e.g. 17:30") from None


def parse_run_times(value: str) -> tuple[tuple[tuple[str, time], ...], frozenset[str]]:
    """'mon=06:30,sat=08:00' (a day twice, or 'mon=06:30+18:00', for two runs) -> times."""
    out: list[tuple[str, time]] = []
    for item in str(value).split(","):
        if not item.strip():
            continue
        day, sep, times = item.partition("=")
        days = parse_days(day, "--run-times") or frozenset()
        if not sep or len(days) != 1 or not times.strip():
            raise Invalid(f"--run-times looks like mon=06:30,sat=08:00, not '{item.strip()}'")
        (wd,) = days
        for x in times.split("+"):
            at = parse_time(x.strip(), "--run-times")
            assert at is not None
            out.append((wd, at))
    per_day: dict[str, int] = {}
    for wd, _ in out:
        per_day[wd] = per_day.get(wd, 0) + 1
    if any(n > 2 for n in per_day.values()):
        raise Invalid("--run-times: at most two runs a day")
    out.sort(key=lambda x: (WEEKDAYS.index(x[0]), x[1]))
    return tuple(out), frozenset(wd for wd, _ in out)


def parse_days(value: str | Sequence[str] | None, what: str = "days") -> frozenset[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    days = [d.strip().lower()[:3] for d in items if d.strip()]
    bad = [d for d in days if d not in WEEKDAYS]
    if bad:
        raise Invalid(f"{what}: '{bad[0]}' is not a weekday; use mon,tue,wed,thu,fri,sat,sun")
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


# ---- the service --------------------------------------------------------------------------------


class Service:
    def __init__(self, conn: Connection, catalogue: Catalogue | None = None) -> None:
        self.conn = conn
        self.catalogue = catalogue or current_catalogue()

    # -- athletes --

    def athletes(self) -> list[Athlete]:
        rows = self.conn.execute(select(t.athletes).order_by(t.athletes.c.name)).all()
        return [Athlete(r.id, r.name, r.tz) for r in rows]

    def athlete(self, name: str | None = None) -> Athlete:
        """The named athlete, or the only one when no name is given."""
        if name is None:
            everyone = self.athletes()
            if not everyone:
                raise NotFound(
                    "there are no athletes yet: add one with `triplane athlete add NAME`"
                )
            if len(everyone) > 1:
                names = ", ".join(a.name for a in everyone)
                raise Invalid(f"there are several athletes ({names}): say which with --athlete")
            return everyone[0]
        row = self.conn.execute(select(t.athletes).where(t.athletes.c.name == name)).first()
        if row is None:
            raise NotFound(f"no athlete called '{name}'; see `triplane athlete list`")
        return Athlete(row.id, row.name, row.tz)

    def athlete_by_id(self, athlete_id: int) -> Athlete:
        row = self.conn.execute(select(t.athletes).where(t.athletes.c.id == athlete_id)).first()
        if row is None:
            raise NotFound(f"no athlete with id {athlete_id}")
        return Athlete(row.id, row.name, row.tz)

    def add_athlete(
        self, name: str, tz: str | None = None, effective: date | None = None, **changes: Any
    ) -> Athlete:
        name = name.strip()
        if not name or len(name) > 100:
            raise Invalid("an athlete needs a name of 1 to 100 characters")
        if self.conn.execute(select(t.athletes.c.id).where(t.athletes.c.name == name)).first():
            raise Conflict(f"there is already an athlete called '{name}'; pick another name")
        zone = tz or local_zone()
        if not _valid_zone(zone):
            raise Invalid(f"'{zone}' is not a time zone; use an IANA name such as Europe/Zurich")
        settings = self._apply_changes(Settings(), changes)
        athlete_id = t.inserted_id(
            self.conn.execute(insert(t.athletes).values(name=name, tz=zone, created_at=_now()))
        )
        athlete = Athlete(athlete_id, name, zone)
        self._save_settings(athlete, settings, effective or date(1970, 1, 1))
        return athlete

    def edit_athlete(
        self,
        athlete: Athlete,
        effective: date | None = None,
        new_name: str | None = None,
        tz: str | None = None,
        **changes: Any,
    ) -> Athlete:
        """Changes take effect from `effective` (today by default); history keeps its meaning."""
        if new_name is not None and new_name != athlete.name:
            if self.conn.execute(
                select(t.athletes.c.id).where(t.athletes.c.name == new_name)
            ).first():
                raise Conflict(f"there is already an athlete called '{new_name}'")
            self.conn.execute(
                update(t.athletes).where(t.athletes.c.id == athlete.id).values(name=new_name)
            )
            athlete = replace(athlete, name=new_name)
        if tz is not None:
            if not _valid_zone(tz):
                raise Invalid(f"'{tz}' is not a time zone; use an IANA name such as Europe/Zurich")
            self.conn.execute(update(t.athletes).where(t.athletes.c.id == athlete.id).values(tz=tz))
            athlete = replace(athlete, tz=tz)
        if changes:
            day = effective or athlete.today()
            settings = self._apply_changes(self.settings_on(athlete, day), changes)
            self._save_settings(athlete, settings, day)
        return athlete

    def delete_athlete(self, athlete: Athlete) -> None:
        for table in (*t.ATHLETE_TABLES, t.calendar_tokens, *t.REMINDER_TABLES):
            self.conn.execute(delete(table).where(table.c.athlete_id == athlete.id))
        self.conn.execute(delete(t.athletes).where(t.athletes.c.id == athlete.id))

    def _apply_changes(self, base: Settings, changes: Mapping[str, Any]) -> Settings:
        kw: dict[str, Any] = {}
        for key, value in changes.items():
            if value is None:
                continue
            if key == "run_time" and isinstance(value, str) and "," in value:
                times = [x.strip() for x in value.split(",") if x.strip()]
                if len(times) > 2:
                    raise Invalid("--run-time takes one or two times, e.g. 06:30,18:00")
                kw["run_time"] = parse_time(times[0], "run time")
                kw["second_run_time"] = parse_time(times[1], "run time") if times[1:] else None
            elif key == "run_time":
                kw["run_time"] = parse_time(value, "run time")
                kw["second_run_time"] = None
            elif key == "run_times":
                kw["run_times"], _ = parse_run_times(value)
            elif key in _TIME_FIELDS:
                kw[key] = parse_time(value, key.replace("_", " "))
            elif key in _SET_FIELDS:
                kw[key] = parse_days(value, key.replace("_", " "))
            elif key == "work_hours":
                start, _, end = str(value).partition("-")
                kw["work_start"] = parse_time(start, "work hours")
                kw["work_end"] = parse_time(end, "work hours")
            elif key == "conditions":
                items = (
                    [c.strip() for c in value if c.strip()]
                    if not isinstance(value, str)
                    else [c.strip() for c in value.split(",") if c.strip()]
                )
                known = self.catalogue.conditions
                bad = [c for c in items if c not in known]
                if bad:
                    raise Invalid(f"unknown condition '{bad[0]}'; known: {', '.join(known)}")
                kw["conditions"] = tuple(dict.fromkeys(items))
            elif key == "hip_approach":
                hip = self.catalogue.conditions[HIP_REPLACEMENT]
                if value not in hip.variant_ids:
                    raise Invalid(
                        f"--approach is {' or '.join(hip.variant_ids)}, not '{value}' "
                        "(unknown, the default, keeps every approach's precautions)"
                    )
                kw["hip_approach"] = value
            elif key == "birth_year":
                try:
                    year = int(value)
                except (TypeError, ValueError):
                    raise Invalid(f"--birth-year '{value}' is not a year, e.g. 1985") from None
                this_year = datetime.now(UTC).year
                if not 1900 <= year <= this_year - 5:
                    raise Invalid(f"--birth-year {year}? give a year from 1900 to {this_year - 5}")
                kw["birth_year"] = year
            elif key == "sex":
                if value == "unspecified":
                    kw["sex"] = None
                elif value not in SEXES:
                    raise Invalid(f"--sex is {', '.join(SEXES)} or unspecified, not '{value}'")
                else:
                    kw["sex"] = value
            elif key == "ladder_order":
                order = [v.strip() for v in (value.split(",") if isinstance(value, str) else value)]
                if sorted(order) != sorted(self.catalogue.lunge.default_order):
                    raise Invalid(
                        "the ladder order must list each of "
                        f"{', '.join(self.catalogue.lunge.default_order)} once"
                    )
                kw["ladder_order"] = tuple(order)
            elif key == "norm_set" and value in ("auto", ""):
                kw["norm_set"] = None  # chosen by age and sex where possible, else the default
            elif key == "lunge_cap":
                text = str(value).strip()
                if len(text) > 80:
                    raise Invalid("--lunge-cap is a short reason (at most 80 characters)")
                kw["lunge_cap"] = None if text.lower() in ("", "off", "none") else text
            elif key == "norm_set":
                if value not in self.catalogue.norm_sets:
                    raise Invalid(
                        f"unknown norm set '{value}'; known: auto, "
                        f"{', '.join(self.catalogue.norm_sets)}"
                    )
                kw["norm_set"] = value
            elif key == "long_run_day":
                days = parse_days(value, "long run day") or frozenset()
                kw["long_run_day"] = next(iter(days)) if days else None
            elif key in ("daily_minutes", "gym_minutes", "kneeling_ok"):
                kw[key] = value
            else:
                raise Invalid(f"'{key}' is not a setting")
        if "run_times" in kw:  # the days given times are run days
            days = frozenset(wd for wd, _ in kw["run_times"])
            kw["run_days"] = frozenset(kw.get("run_days", base.run_days)) | days
        s = replace(base, **kw)
        if "hip_approach" in kw and HIP_REPLACEMENT not in s.conditions:
            raise Invalid(
                "--approach is the approach of a hip replacement; add --condition hip_replacement"
            )
        self._check_settings(s)
        return s

    def _check_settings(self, s: Settings) -> None:
        if not MIN_BUDGET <= s.daily_minutes <= MAX_BUDGET:
            raise Invalid(
                f"the daily budget is {s.daily_minutes} minutes; choose {MIN_BUDGET} to "
                f"{MAX_BUDGET} (a few minutes, several times a day)"
            )
        if not 15 <= s.gym_minutes <= 240:
            raise Invalid(f"a gym session of {s.gym_minutes} minutes? choose 15 to 240")
        from triplane.core.plan import in_waking_day, waking_day

        wake_m, sleep_m = waking_day(s)
        if sleep_m - wake_m < MIN_AWAKE_HOURS * 60:
            raise Invalid(
                f"wake {s.wake:%H:%M} and sleep {s.sleep:%H:%M} leave under {MIN_AWAKE_HOURS} "
                "hours awake; e.g. --wake 06:30 --sleep 22:30 (or --wake 14:00 --sleep 06:00 "
                "for nights)"
            )
        timed = [("run", s.run_time), ("run", s.second_run_time), ("gym", s.gym_time)]
        timed += [("run", at) for _, at in s.run_times]
        for label, at in timed:
            if at is not None and in_waking_day(s, at) is None:
                raise Invalid(
                    f"the {label} time {at:%H:%M} is outside your waking hours "
                    f"({s.wake:%H:%M}-{s.sleep:%H:%M})"
                )
        if (s.work_start is None) != (s.work_end is None) or (
            s.work_start is not None and s.work_end is not None and s.work_start == s.work_end
        ):
            raise Invalid(
                "work hours look like 09:00-17:00 (or 21:00-05:00 for a night shift), "
                "the start and the end different"
            )

    def _save_settings(self, athlete: Athlete, s: Settings, effective: date) -> None:
        self.conn.execute(
            insert(t.settings_entries).values(
                athlete_id=athlete.id,
                effective=effective,
                data=json.dumps(settings_to_json(s), sort_keys=True),
                created_at=_now(),
            )
        )

    def _settings_entries(self, athlete: Athlete) -> list[tuple[date, Settings]]:
        rows = self.conn.execute(
            select(t.settings_entries.c.effective, t.settings_entries.c.data)
            .where(t.settings_entries.c.athlete_id == athlete.id)
            .order_by(t.settings_entries.c.effective, t.settings_entries.c.id)
        ).all()
        return [(r.effective, settings_from_json(json.loads(r.data))) for r in rows]

    def settings_on(self, athlete: Athlete, day: date) -> Settings:
        entries = self._settings_entries(athlete)
        return _settings_lookup(entries)(day)

    def athlete_summary(self, athlete: Athlete, day: date | None = None) -> dict[str, Any]:
        day = day or athlete.today()
        return {
            "id": athlete.id,
            "name": athlete.name,
            "tz": athlete.tz,
            "settings": settings_to_json(self.settings_on(athlete, day)),
            "as_of": day.isoformat(),
        }

    # -- assessment --

    def add_measurement(
        self,
        athlete: Athlete,
        *,
        side: str,
        motion: str | None = None,
        test: str | None = None,
        degrees: float | str | None = None,
        cm: float | str | None = None,
        score: float | str | None = None,
        result: str | None = None,
        rating: int | None = None,
        day: date | None = None,
        painful: bool = False,
        device: str | None = None,
        active: bool | None = None,
        confidence: float | None = None,
        client_id: str | None = None,
    ) -> int:
        cat = self.catalogue
        if side not in SIDES:
            raise Invalid(f"side '{side}' is not left or right")
        if motion is not None and motion not in MOTIONS:
            raise Invalid(f"unknown motion '{motion}'; use one of {', '.join(MOTIONS)}")
        if test is None:
            if motion is None:
                raise Invalid("say what was measured: --motion, --test, or both")
            test = cat.default_tests[motion]
        if test not in cat.tests:
            raise Invalid(f"unknown test '{test}'; see `triplane assess tests`")
        spec = cat.tests[test]
        if motion is None:
            motion = spec.motions[0]
        elif motion not in spec.motions:
            raise Invalid(f"{spec.name} measures {', '.join(spec.motions)}, not {motion}")
        given = {
            "degrees": degrees,
            "cm": cm,
            "score": score,
            "pass_fail": result,
            "rating": rating,
        }
        present = [k for k, v in given.items() if v is not None]
        if len(present) != 1:
            raise Invalid(
                "give exactly one value: --degrees, --cm, --score, --result pass|fail or "
                "--rating 0-3"
            )
        unit = present[0]
        if unit == "pass_fail":
            if str(result).lower() not in ("pass", "fail"):
                raise Invalid(f"--result is pass or fail, not '{result}'")
            value = 1.0 if str(result).lower() == "pass" else 0.0
        else:
            try:
                value = float(given[unit])  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise Invalid(f"the {unit} value '{given[unit]}' is not a number") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise Invalid(f"the {unit} value '{given[unit]}' is not a number")
        problem = validate_value(spec, unit, value)
        if problem:
            raise Invalid(problem)
        if device is None:
            by_unit = {"rating": "self_rating", "degrees": "inclinometer_app", "cm": "tape_measure"}
            device = by_unit.get(unit, "observation")
        if device not in DEVICES:
            raise Invalid(f"unknown device '{device}'; use one of {', '.join(DEVICES)}")
        if confidence is not None and not 0 <= confidence <= 1:
            raise Invalid("confidence is between 0 and 1")
        row = dict(
            athlete_id=athlete.id,
            date=day or athlete.today(),
            test=test,
            motion=motion,
            side=side,
            unit=unit,
            value=value,
            painful=bool(painful),
            device=device,
            position=spec.position,
            active=spec.active if active is None else active,
            confidence=confidence,
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.measurements, row, athlete, client_id)

    def _insert_once(
        self, table: Any, row: dict[str, Any], athlete: Athlete, client_id: str | None
    ) -> int:
        """Insert a log row; the same client_id twice stores one record (offline replays)."""
        if client_id is not None:
            if len(client_id) > 64:
                raise Invalid("client_id is at most 64 characters")
            found = self.conn.execute(
                select(table.c.id).where(
                    table.c.athlete_id == athlete.id, table.c.client_id == client_id
                )
            ).scalar()
            if found is not None:
                return int(found)
        try:
            return t.inserted_id(self.conn.execute(insert(table).values(**row)))
        except IntegrityError:  # the same client_id raced in from another request
            raise Conflict("this entry was just recorded by another request; reload") from None

    def measurements(self, athlete: Athlete, until: date | None = None) -> list[Measurement]:
        q = select(t.measurements).where(t.measurements.c.athlete_id == athlete.id)
        if until is not None:
            q = q.where(t.measurements.c.date <= until)
        rows = self.conn.execute(q.order_by(t.measurements.c.date, t.measurements.c.id)).all()
        return [
            Measurement(
                date=r.date,
                test=r.test,
                motion=r.motion,
                side=r.side,
                unit=r.unit,
                value=r.value,
                painful=r.painful,
                device=r.device,
                position=r.position,
                active=r.active,
                id=r.id,
            )
            for r in rows
        ]

    def profile(self, athlete: Athlete, day: date | None = None) -> Profile:
        day = day or athlete.today()
        settings = self.settings_on(athlete, day)
        norm_set, why = choose_norm_set(self.catalogue, settings, day)
        return build_profile(self.measurements(athlete, day), self.catalogue, norm_set, why)

    # -- the plan --

    def planner(self, athlete: Athlete) -> Planner:
        from triplane.usecases.running import with_routine  # the learned run routine (issue 5)

        entries = self._settings_entries(athlete)
        settings_on = with_routine(self, athlete, _settings_lookup(entries))
        measurements = self.measurements(athlete)
        profiles: dict[date, Profile] = {}
        cat = self.catalogue

        def profile_on(day: date) -> Profile:
            if day not in profiles:
                upto = [m for m in measurements if m.date <= day]
                norm_set, why = choose_norm_set(cat, settings_on(day), day)
                profiles[day] = build_profile(upto, cat, norm_set, why)
            return profiles[day]

        created = self.conn.execute(
            select(t.athletes.c.created_at).where(t.athletes.c.id == athlete.id)
        ).scalar()
        first = (
            min([created.date()] + [e for e, _ in entries if e.year > 1970]) if created else None
        )
        return Planner(
            cat,
            settings_on,
            profile_on,
            self.athlete_log(athlete),
            seed=athlete.name,
            since=first,
            today=athlete.today(),
        )

    def athlete_log(self, athlete: Athlete) -> AthleteLog:
        aid = athlete.id
        c = self.conn
        drills = c.execute(
            select(t.drill_logs).where(t.drill_logs.c.athlete_id == aid).order_by(t.drill_logs.c.id)
        ).all()
        lunges = c.execute(
            select(t.lunge_logs).where(t.lunge_logs.c.athlete_id == aid).order_by(t.lunge_logs.c.id)
        ).all()
        checks = c.execute(
            select(t.check_ins).where(t.check_ins.c.athlete_id == aid).order_by(t.check_ins.c.id)
        ).all()
        aways = c.execute(select(t.away_periods).where(t.away_periods.c.athlete_id == aid)).all()
        evs = c.execute(select(t.events).where(t.events.c.athlete_id == aid)).all()
        return AthleteLog(
            drill_logs=tuple(
                DrillLog(
                    r.date,
                    r.drill,
                    r.minutes,
                    r.discomfort,
                    r.skipped,
                    tuple(m for m in r.motions.split(",") if m),
                    r.id,
                    r.created_at,
                )
                for r in drills
            ),
            lunge_logs=tuple(_lunge_log(r) for r in lunges),
            check_ins=tuple(
                CheckIn(
                    r.date,
                    r.pain,
                    tuple(f for f in r.flags.split(",") if f),
                    r.cleared_by_clinician,
                    r.id,
                    r.created_at,
                )
                for r in checks
            ),
            away=tuple(AwayPeriod(r.start, r.end, r.reason) for r in aways),
            events=tuple(
                Event(
                    r.date,
                    r.kind,
                    parse_time(r.time) if r.time else None,
                    r.name,
                    r.duration_min,
                )
                for r in evs
            ),
        )

    def plan_day(self, athlete: Athlete, day: date | None = None) -> DayPlan:
        return self.planner(athlete).day(day or athlete.today())

    def plan_week(self, athlete: Athlete, start: date | None = None) -> list[DayPlan]:
        if start is None:
            today = athlete.today()
            start = today - timedelta(days=today.weekday())
        return self.planner(athlete).week(start)

    # -- logging drills, away days --

    def log_drill(
        self,
        athlete: Athlete,
        drill: str,
        day: date | None = None,
        minutes: float | None = None,
        discomfort: int | None = None,
        skipped: bool = False,
        client_id: str | None = None,
    ) -> int:
        if drill not in self.catalogue.drills:
            raise Invalid(f"unknown drill '{drill}'; see `triplane drills list`")
        _check_scale(discomfort, "discomfort")
        day = day or athlete.today()
        spec = self.catalogue.drills[drill]
        if minutes is None:
            planned = [s for s in self.plan_day(athlete, day).slots if s.drill.id == drill]
            minutes = planned[0].minutes if planned else spec.dose.minutes
        if not 0 <= minutes <= 120:
            raise Invalid(f"{minutes:g} minutes? give 0 to 120")
        row = dict(
            athlete_id=athlete.id,
            date=day,
            drill=drill,
            motions=",".join(spec.motions),
            minutes=0.0 if skipped else float(minutes),
            discomfort=discomfort,
            skipped=bool(skipped),
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.drill_logs, row, athlete, client_id)

    def add_away(self, athlete: Athlete, start: date, end: date, reason: str = "") -> int:
        if end < start:
            raise Invalid(f"the away period ends ({end}) before it starts ({start})")
        if (end - start).days > 366:
            raise Invalid("an away period is at most a year; add another one for longer")
        return t.inserted_id(
            self.conn.execute(
                insert(t.away_periods).values(
                    athlete_id=athlete.id,
                    start=start,
                    end=end,
                    reason=reason or "away",
                    created_at=_now(),
                )
            )
        )

    # -- lunge matrix --

    def lunge_next(
        self, athlete: Athlete, day: date | None = None
    ) -> tuple[SafetyState, list[DirectionPlan]]:
        return self.planner(athlete).lunge_next(day or athlete.today())

    def log_lunge(
        self,
        athlete: Athlete,
        direction: str,
        reps: int,
        discomfort: int,
        balance: str,
        sharp_pain: bool = False,
        load: str | None = None,
        day: date | None = None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        ids = [d.id for d in self.catalogue.lunge.directions]
        if direction not in ids:
            raise Invalid(f"unknown lunge direction '{direction}'; use one of {', '.join(ids)}")
        if not isinstance(reps, int) or not 0 <= reps <= 200:
            raise Invalid(f"reps is a whole number from 0 to 200, not {reps}")
        _check_scale(discomfort, "discomfort")
        if balance not in ("ok", "lost"):
            raise Invalid(f"--balance is ok or lost, not '{balance}'")
        if load is not None and len(load) > 32:
            raise Invalid("--load is a short note such as 8kg")
        day = day or athlete.today()
        left_out = dict(self.lunge_ruled_out(athlete, day))
        if direction in left_out:
            raise Invalid(
                f"the {direction} lunge is left out for you ({left_out[direction]}); "
                "`triplane lunge next` lists the directions you can do"
            )
        _, plans = self.lunge_next(athlete, day)
        prescribed = next(p for p in plans if p.prescription.direction == direction)
        row = dict(
            athlete_id=athlete.id,
            date=day,
            direction=direction,
            reps=reps,
            discomfort=discomfort,
            balance_ok=balance == "ok",
            sharp_pain=bool(sharp_pain),
            load=load,
            prescription=json.dumps(
                {**prescribed.prescription.as_dict(), "capped": prescribed.capped}, sort_keys=True
            ),
            client_id=client_id,
            created_at=_now(),
        )
        log_id = self._insert_once(t.lunge_logs, row, athlete, client_id)
        return {
            "id": log_id,
            "prescription": prescribed.prescription.as_dict(),
            "capped": prescribed.capped,
        }

    def lunge_ruled_out(self, athlete: Athlete, day: date | None = None) -> list[tuple[str, str]]:
        """(direction id, why) for each lunge direction the athlete's conditions leave out."""
        settings = self.settings_on(athlete, day or athlete.today())
        r = restrictions_for(self.catalogue, settings)
        return list(ruled_out_directions(self.catalogue.lunge, r))

    # -- safety --

    def clearance(self, athlete: Athlete, check_in_id: int) -> dict[str, Any]:
        """Whether a check-in given with a clinician's clearance ended the pause in force:
        {"cleared": bool, "why": None or the reason it did not}."""
        log = self.athlete_log(athlete)
        refusals = clearance_refusals(
            log.check_ins, self.catalogue.red_flags, log.drill_logs, log.lunge_logs
        )
        for c, why in refusals.items():
            if c.id == check_in_id:
                return {"cleared": why is None, "why": why}
        return {"cleared": False, "why": "this check-in did not include a clinician's clearance"}

    def check_in(
        self,
        athlete: Athlete,
        pain: int,
        flags: Sequence[str] = (),
        cleared_by_clinician: bool = False,
        day: date | None = None,
        client_id: str | None = None,
    ) -> int:
        _check_scale(pain, "pain")
        known = self.catalogue.red_flags
        clean = [f.strip() for f in flags if f.strip()]
        bad = [f for f in clean if f not in known]
        if bad:
            raise Invalid(f"unknown flag '{bad[0]}'; known: {', '.join(known)}")
        row = dict(
            athlete_id=athlete.id,
            date=day or athlete.today(),
            pain=pain,
            flags=",".join(dict.fromkeys(clean)),
            cleared_by_clinician=bool(cleared_by_clinician),
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.check_ins, row, athlete, client_id)

    # -- the log: list and correct --

    def log_entries(self, athlete: Athlete) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        c = self.conn
        for r in c.execute(select(t.measurements).where(t.measurements.c.athlete_id == athlete.id)):
            what = f"{r.test} {r.motion} {r.side}: {r.value:g} {r.unit}"
            out.append(
                _entry("M", r.id, r.date, "measurement", what + (" (hurt)" if r.painful else ""))
            )
        for r in c.execute(select(t.drill_logs).where(t.drill_logs.c.athlete_id == athlete.id)):
            what = f"{r.drill}: " + ("skipped" if r.skipped else f"{r.minutes:g} min")
            if r.discomfort is not None:
                what += f", discomfort {r.discomfort}/10"
            out.append(_entry("D", r.id, r.date, "drill", what))
        for r in c.execute(select(t.lunge_logs).where(t.lunge_logs.c.athlete_id == athlete.id)):
            what = (
                f"{r.direction}: {r.reps} reps, discomfort {r.discomfort}/10, balance "
                f"{'ok' if r.balance_ok else 'lost'}" + (", sharp pain" if r.sharp_pain else "")
            )
            out.append(_entry("L", r.id, r.date, "lunge", what))
        for r in c.execute(select(t.check_ins).where(t.check_ins.c.athlete_id == athlete.id)):
            what = f"pain {r.pain}/10" + (f", flags {r.flags}" if r.flags else "")
            what += ", cleared by clinician" if r.cleared_by_clinician else ""
            out.append(_entry("C", r.id, r.date, "check_in", what))
        for r in c.execute(select(t.away_periods).where(t.away_periods.c.athlete_id == athlete.id)):
            out.append(
                _entry("A", r.id, r.start, "away", f"away {r.start} to {r.end} ({r.reason})")
            )
        for r in c.execute(select(t.events).where(t.events.c.athlete_id == athlete.id)):
            out.append(_entry("E", r.id, r.date, "event", f"{r.kind} {r.name}".strip()))
        out.sort(key=lambda e: (e["date"], e["id"]))
        return out

    def delete_entry(self, athlete: Athlete, entry_id: str) -> dict[str, Any]:
        prefix, number = entry_id[:1].upper(), entry_id[1:]
        tables = {
            "M": t.measurements,
            "D": t.drill_logs,
            "L": t.lunge_logs,
            "C": t.check_ins,
            "A": t.away_periods,
            "E": t.events,
        }
        if prefix not in tables or not number.isdigit():
            raise Invalid(
                f"'{entry_id}' is not a log entry id; ids look like M3, D12, L4, C1, A2 or E1 "
                "(see `triplane log list`)"
            )
        table = tables[prefix]
        found = self.conn.execute(
            delete(table).where(table.c.id == int(number), table.c.athlete_id == athlete.id)
        ).rowcount
        if not found:
            raise NotFound(f"no log entry {entry_id.upper()} for {athlete.name}")
        return {"deleted": entry_id.upper()}

    # -- export / import --

    def export(self, athletes: Sequence[Athlete] | None = None) -> dict[str, Any]:
        chosen = athletes if athletes is not None else self.athletes()
        out = []
        for a in chosen:
            row = self.conn.execute(select(t.athletes).where(t.athletes.c.id == a.id)).one()
            item: dict[str, Any] = {
                "name": row.name,
                "tz": row.tz,
                "created_at": _iso(row.created_at),
            }
            for table in t.ATHLETE_TABLES:
                rows = self.conn.execute(
                    select(table).where(table.c.athlete_id == a.id).order_by(table.c.id)
                ).mappings()
                item[table.name] = [
                    {k: _iso(v) for k, v in r.items() if k not in ("id", "athlete_id")}
                    for r in rows
                ]
            out.append(item)
        return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "athletes": out}

    def import_(self, data: Any, merge: bool = False) -> dict[str, Any]:
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise Invalid("this is not a Triplane export (its 'format' is not triplane-export)")
        if data.get("version") != EXPORT_VERSION:
            raise Invalid(f"export version {data.get('version')} is not one this Triplane reads")
        items = data.get("athletes")
        if not isinstance(items, list):
            raise Invalid("the export has no 'athletes' list; is the file complete?")
        existing = {a.name for a in self.athletes()}
        if existing and not merge:
            raise Conflict(
                "the database already holds athletes; import into an empty database, or add "
                "--merge to add the export's athletes beside them"
            )
        counts: dict[str, int] = {}
        for item in items:
            try:
                name = item["name"]
                if name in existing:
                    raise Conflict(
                        f"athlete '{name}' is both in the export and the database; rename one first"
                    )
                aid = t.inserted_id(
                    self.conn.execute(
                        insert(t.athletes).values(
                            name=name,
                            tz=item.get("tz", "UTC"),
                            created_at=_from_iso(item["created_at"], "created_at"),
                        )
                    )
                )
                for table in t.ATHLETE_TABLES:
                    rows = item.get(table.name, [])
                    for r in rows:
                        values = {k: _coerce(table, k, v) for k, v in r.items()}
                        self.conn.execute(insert(table).values(athlete_id=aid, **values))
                    counts[table.name] = counts.get(table.name, 0) + len(rows)
            except (KeyError, TypeError, AttributeError) as exc:
                raise Invalid(f"the export is damaged near athlete {item!r:.60}: {exc}") from None
        return {"athletes": len(items), **counts}

    # -- counting, for `make run` and the web --

    def count_athletes(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.athletes)).scalar() or 0)


def _entry(prefix: str, rid: int, day: date, kind: str, what: str) -> dict[str, Any]:
    return {"id": f"{prefix}{rid}", "date": day.isoformat(), "kind": kind, "what": what}


def _check_scale(value: int | None, what: str) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise Invalid(f"{what} is a whole number from 0 to 10, not {value}")


def _settings_lookup(entries: list[tuple[date, Settings]]) -> Callable[[date], Settings]:
    """settings_on(day): the latest entry effective on or before the day (the first otherwise)."""
    cache: dict[date, Settings] = {}

    def settings_on(day: date) -> Settings:
        if day not in cache:
            chosen = entries[0][1] if entries else Settings()
            for effective, s in entries:
                if effective <= day:
                    chosen = s
                else:
                    break
            cache[day] = chosen
        return cache[day]

    return settings_on


def _lunge_log(r: Any) -> LungeLog:
    stored = json.loads(r.prescription)
    return LungeLog(
        r.date,
        r.direction,
        r.reps,
        r.discomfort,
        r.balance_ok,
        _prescription_from_json(stored),
        r.sharp_pain,
        r.load,
        r.id,
        recorded=r.created_at,
        capped=stored.get("capped"),  # why it was capped; rows before issue 11 have none
    )


def _prescription_from_json(d: Mapping[str, Any]) -> Prescription:
    """A stored prescription; an old row may miss a variable (its step reads as '') or carry
    keys no longer used (ignored): replay then treats that session as not counting."""
    from triplane.core.lunge import VARIABLES

    return Prescription(
        direction=d["direction"],
        levels=tuple((v, str(d.get(v) or "")) for v in VARIABLES),
        reps=int(d["reps"]),
    )


def _iso(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


def _from_iso(v: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(v)
    except (TypeError, ValueError):
        raise Invalid(f"'{what}' value {v!r} is not a date-time") from None


def _coerce(table: Any, key: str, value: Any) -> Any:
    if key not in table.c:
        raise Invalid(f"the export has an unknown field '{key}' in {table.name}")
    if value is None:
        return None
    kind = type(table.c[key].type).__name__
    if kind == "Date":
        return parse_date(value, key)
    if kind == "DateTime":
        return _from_iso(value, key)
    return value


@contextmanager
def open_service(
    url: str | None = None, demo: bool = False, engine: Engine | None = None
) -> Iterator[Service]:
    """One transaction: commit when the block ends, roll back everything on any error."""
    engine = engine or open_engine(url, demo)
    with engine.begin() as conn:
        yield Service(conn)


def lunge_json(
    state: SafetyState, plans: Sequence[DirectionPlan], catalogue: Catalogue
) -> dict[str, Any]:
    return {
        "paused": state.paused,
        "advice": " ".join(state.advice),
        "level": state.level,
        "directions": [p.as_dict(catalogue.lunge) for p in plans],
    }


__all__ = [
    "Athlete",
    "Conflict",
    "Invalid",
    "NotFound",
    "Service",
    "TriplaneError",
    "lunge_json",
    "open_service",
    "parse_date",
    "parse_days",
    "parse_time",
]

"""Use cases of athletes and their dated settings (add, edit with a SettingsChange, delete)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from triplane import config
from triplane.core.anatomy import SEXES
from triplane.core.catalogue import Catalogue
from triplane.core.coaching import PIN_MAX_DAYS
from triplane.core.conditions import HIP_REPLACEMENT
from triplane.core.errors import Conflict, Invalid, NotFound
from triplane.core.lunge import HOLD_KINDS
from triplane.core.records import (
    Settings,
)
from triplane.core.settings import (
    LUNGE_CAP_MAX_CHARS,
    SettingsChange,
    birth_year_limits,
    check_settings,
)
from triplane.store import catalogue_cache
from triplane.store import schema as t
from triplane.usecases.parsing import (
    _SET_FIELDS,
    _TIME_FIELDS,
    _now,
    _valid_zone,
    local_zone,
    parse_days,
    parse_run_times,
    parse_time,
    settings_from_json,
    settings_to_json,
)
from triplane.usecases.planning import Athlete as Athlete  # re-exported: the faces import it here
from triplane.usecases.planning import settings_lookup as _settings_lookup


def coach_drills_dir() -> Path | None:
    """A coach's own drills: TOML files in $TRIPLANE_DRILLS_DIR, else in the `drills` folder
    of Triplane's user data folder when it exists."""
    configured = config.drills_dir()
    if configured is not None:
        return configured
    from triplane.store.db import data_dir

    folder = data_dir() / "drills"
    return folder if folder.is_dir() else None


def current_catalogue() -> Catalogue:
    """The packaged catalogue plus the coach's drills, validated."""
    return catalogue_cache.catalogue(coach_drills_dir())


class UseCases:
    """What every group of use cases works on: one connection (one transaction) and the
    catalogue."""

    def __init__(self, conn: Connection, catalogue: Catalogue | None = None) -> None:
        self.conn = conn
        self.catalogue = catalogue or current_catalogue()


class AthleteCases(UseCases):
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
                raise Invalid(
                    f"there are several athletes ({names}): say which with {{field}}",
                    field="athlete",
                )
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
        self,
        name: str,
        tz: str | None = None,
        effective: date | None = None,
        change: SettingsChange | None = None,
    ) -> Athlete:
        name = name.strip()
        if not name or len(name) > 100:
            raise Invalid("an athlete needs a name of 1 to 100 characters")
        if self.conn.execute(select(t.athletes.c.id).where(t.athletes.c.name == name)).first():
            raise Conflict(f"there is already an athlete called '{name}'; pick another name")
        zone = tz or local_zone()
        if not _valid_zone(zone):
            raise Invalid(f"'{zone}' is not a time zone; use an IANA name such as Europe/Zurich")
        settings = self._apply_change(Settings(), change or SettingsChange())
        athlete_id = t.inserted_id(
            self.conn.execute(insert(t.athletes).values(name=name, tz=zone, created_at=_now()))
        )
        athlete = Athlete(athlete_id, name, zone)
        self._save_settings(athlete, settings, effective or date(1970, 1, 1))
        return athlete

    def edit_athlete(
        self,
        athlete: Athlete,
        change: SettingsChange | None = None,
        effective: date | None = None,
        new_name: str | None = None,
        tz: str | None = None,
        author: tuple[str, str] | None = None,
    ) -> Athlete:
        """Changes take effect from `effective` (today by default); history keeps its meaning.
        `author` (name, athlete | coach) is recorded with the entry; None: the CLI."""
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
        if change is not None and not change.is_empty():
            day = effective or athlete.today()
            settings = self._apply_change(self.settings_on(athlete, day), change)
            self._save_settings(athlete, settings, day, author)
        return athlete

    def delete_athlete(self, athlete: Athlete) -> None:
        for table in (*t.ATHLETE_TABLES, t.calendar_tokens, *t.REMINDER_TABLES):
            self.conn.execute(delete(table).where(table.c.athlete_id == athlete.id))
        self.conn.execute(delete(t.athletes).where(t.athletes.c.id == athlete.id))

    def _apply_change(self, base: Settings, change: SettingsChange) -> Settings:
        """`base` with `change` applied, parsed and checked; Invalid names the field."""
        kw: dict[str, Any] = {}
        for key, value in change.given().items():
            if key == "run_time":
                times = [x.strip() for x in value.split(",") if x.strip()] or [value]
                if len(times) > 2:
                    raise Invalid("{field} takes one or two times, e.g. 06:30,18:00", field=key)
                kw["run_time"] = parse_time(times[0], "{field}", key)
                kw["second_run_time"] = parse_time(times[1], "{field}", key) if times[1:] else None
            elif key == "run_times":
                kw["run_times"], _ = parse_run_times(value)
            elif key in _TIME_FIELDS:
                kw[key] = parse_time(value, "{field}", key)
            elif key in _SET_FIELDS:
                kw[key] = parse_days(value, "{field}", key)
            elif key == "work_hours":
                start, _, end = value.partition("-")
                kw["work_start"] = parse_time(start, "{field}", key)
                kw["work_end"] = parse_time(end, "{field}", key)
            elif key == "conditions":
                items = [c.strip() for c in value if c.strip()]
                known = self.catalogue.conditions
                bad = [c for c in items if c not in known]
                if bad:
                    raise Invalid(
                        f"{{field}}: unknown condition '{bad[0]}'; known: {', '.join(known)}",
                        field=key,
                    )
                kw["conditions"] = tuple(dict.fromkeys(items))
            elif key == "hip_approach":
                hip = self.catalogue.conditions[HIP_REPLACEMENT]
                if value not in hip.variant_ids:
                    raise Invalid(
                        f"{{field}} is {' or '.join(hip.variant_ids)}, not '{value}' "
                        "(unknown, the default, keeps every approach's precautions)",
                        field=key,
                    )
                kw["hip_approach"] = value
            elif key == "birth_year":
                years = birth_year_limits(datetime.now(UTC).year)
                if value not in years:
                    raise Invalid(f"{{field}} {value}? give a year from {years.text()}", field=key)
                kw["birth_year"] = value
            elif key == "sex":
                if value == "unspecified":
                    kw["sex"] = None
                elif value not in SEXES:
                    raise Invalid(
                        f"{{field}} is {', '.join(SEXES)} or unspecified, not '{value}'", field=key
                    )
                else:
                    kw["sex"] = value
            elif key == "ladder_order":
                order = [v.strip() for v in value]
                if sorted(order) != sorted(self.catalogue.lunge.default_order):
                    raise Invalid(
                        "{field} must list each of "
                        f"{', '.join(self.catalogue.lunge.default_order)} once",
                        field=key,
                    )
                kw["ladder_order"] = tuple(order)
            elif key == "norm_set" and value in ("auto", ""):
                kw["norm_set"] = None  # chosen by age and sex where possible, else the default
            elif key == "lunge_cap":
                text = value.strip()
                if len(text) > LUNGE_CAP_MAX_CHARS:
                    raise Invalid(
                        f"{{field}} is a short reason (at most {LUNGE_CAP_MAX_CHARS} characters)",
                        field=key,
                    )
                kw["lunge_cap"] = None if text.lower() in ("", "off", "none") else text
            elif key == "norm_set":
                if value not in self.catalogue.norm_sets:
                    raise Invalid(
                        f"{{field}}: unknown norm set '{value}'; known: auto, "
                        f"{', '.join(self.catalogue.norm_sets)}",
                        field=key,
                    )
                kw["norm_set"] = value
            elif key == "long_run_day":
                days = parse_days(value, "{field}", key) or frozenset()
                kw["long_run_day"] = next(iter(days)) if days else None
            elif key == "banned_drills":
                kw[key] = tuple(sorted(set(self._drill_ids(value, key))))
            elif key == "pinned_drills":
                kw[key] = self._pins(value)
            elif key == "lunge_holds":
                kw[key] = self._lunge_holds(value)
            else:  # daily_minutes, gym_minutes, kneeling_ok: checked as a whole below
                kw[key] = value
        if "run_times" in kw:  # the days given times are run days
            days = frozenset(wd for wd, _ in kw["run_times"])
            kw["run_days"] = frozenset(kw.get("run_days", base.run_days)) | days
        s = replace(base, **kw)
        if "hip_approach" in kw and HIP_REPLACEMENT not in s.conditions:
            raise Invalid(
                "a surgical approach is for a hip replacement: add {field} hip_replacement",
                field="conditions",
            )
        check_settings(s)
        return s

    def _drill_ids(self, value: Any, key: str) -> list[str]:
        items = [value] if isinstance(value, str) else list(value)
        for drill_id in items:
            if drill_id not in self.catalogue.drills:
                raise Invalid(
                    f"{{field}}: '{str(drill_id)[:40]}' is not a drill in the catalogue", field=key
                )
        return [str(d) for d in items]

    def _pins(self, value: Any) -> tuple[tuple[str, int], ...]:
        pins = dict(value.items() if isinstance(value, Mapping) else value)
        self._drill_ids(list(pins), "pinned_drills")
        for n in pins.values():
            if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= PIN_MAX_DAYS:
                raise Invalid(
                    f"a pinned drill is planned on 1 to {PIN_MAX_DAYS} days a week, not {n!r}",
                    field="pinned_drills",
                )
        return tuple(sorted(pins.items()))

    def _lunge_holds(self, value: Any) -> tuple[tuple[str, str], ...]:
        holds = dict(value.items() if isinstance(value, Mapping) else value)
        known = {d.id for d in self.catalogue.lunge.directions}
        for direction, kind in holds.items():
            if direction not in known:
                raise Invalid(
                    f"'{str(direction)[:40]}' is not a lunge direction", field="lunge_holds"
                )
            if kind not in HOLD_KINDS:
                raise Invalid(
                    f"a lunge direction is held by {' or '.join(HOLD_KINDS)}, not {kind!r}",
                    field="lunge_holds",
                )
        return tuple(sorted(holds.items()))

    def _save_settings(
        self,
        athlete: Athlete,
        s: Settings,
        effective: date,
        author: tuple[str, str] | None = None,
    ) -> None:
        self.conn.execute(
            insert(t.settings_entries).values(
                athlete_id=athlete.id,
                effective=effective,
                data=json.dumps(settings_to_json(s), sort_keys=True),
                created_at=_now(),
                author=author[0][:100] if author else None,
                author_role=author[1] if author else None,
            )
        )

    def settings_history(self, athlete: Athlete) -> list[dict[str, Any]]:
        """Every settings entry, oldest first: when it takes effect, when and by whom it was
        made, and what it changed from the entry before it (in words)."""
        from triplane.core.coaching import changes as describe

        rows = self.conn.execute(
            select(t.settings_entries)
            .where(t.settings_entries.c.athlete_id == athlete.id)
            .order_by(t.settings_entries.c.id)
        ).all()
        names = self.names()
        out: list[dict[str, Any]] = []
        before = Settings()
        for r in rows:
            now = settings_from_json(json.loads(r.data))
            out.append(
                {
                    "effective": r.effective,
                    "made": r.created_at,
                    "author": r.author,
                    "author_role": r.author_role,
                    "changes": describe(before, now, names),
                }
            )
            before = now
        return out

    def names(self) -> dict[str, str]:
        """Drill and lunge-direction ids -> their names, for sentences people read."""
        out = {d.id: d.name for d in self.catalogue.drills.values()}
        out.update({d.id: d.name for d in self.catalogue.lunge.directions})
        return out

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

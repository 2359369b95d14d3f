"""Read and validate the catalogue: the packaged TOML files, plus a coach's own drill files.

Everything is checked when it is loaded, so the rest of Triplane can trust the records. A
problem raises CatalogueError with one sentence naming the file, the entry and the field, e.g.
"drills.toml: drill 'pigeon': field 'position' is 'sitting'; expected one of standing, ...".

The only I/O here is reading those files: the packaged ones through importlib.resources (so it
works from an installed wheel) and, if asked, every *.toml in a coach's folder.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final, NoReturn

from triplane.core.anatomy import (
    DEMANDS,
    MOTIONS,
    PLANES,
    POSITIONS,
    SEXES,
    STYLES,
    UNITS,
    plane_of,
)
from triplane.core.catalogue.model import (
    AssessmentTest,
    Catalogue,
    CatalogueError,
    Condition,
    Dose,
    Drill,
    Ladder,
    LadderStep,
    LungeCap,
    LungeDirection,
    LungeMatrix,
    LungeRule,
    Norm,
    NormSet,
    RedFlag,
    TradeOff,
)

# The source keys of §6 of shared/domain-reference.md. Built-in entries may cite only these;
# a coach's own drills may cite anything.
KNOWN_SOURCE_KEYS: Final[frozenset[str]] = frozenset(
    {
        "ABT", "ACSM", "ACV", "APGR", "ARC", "ATH", "AYA", "AYA10", "BAN", "BHG", "BI94",
        "BIM", "BIO", "BKFO", "BMCT", "BRK", "BRN", "CDC", "CHA", "CJJ", "COF", "COXA",
        "CPR", "CRO", "DDN", "DPK", "ELL", "ESH", "EXP", "FIT", "FITDE", "FITP", "FPN",
        "FRE", "FUS", "FXA", "FYR", "GEI", "GEN", "GLW", "GPO", "GRA", "GRAY", "HAR", "HAT",
        "HDR", "HED", "HIB", "HIPRTS", "IDEA", "IND", "ING", "JFMK", "JHG", "JPA", "JSSM",
        "KES", "KOR", "KOS", "KOU", "KRA", "LEE", "LIV", "LVL", "MAM", "MAN", "MAT15",
        "MATH", "MAX", "MSKM", "MCG", "MER", "MGN", "MIL", "MJ", "MOD", "NEE", "NUS", "NWW",
        "ODR", "OMR", "OPT", "ORTH", "OUT", "OXY", "PEE", "PG4", "PG5", "PHG", "PHG2",
        "PHG3", "PHIL", "PHN", "PMX", "PRA", "PTA", "PTP", "PWZ", "R2P", "RB03", "REID",
        "RIV", "ROA", "RUN03", "SBC", "SCI", "SDT", "SHK", "SLS3", "SLSB", "SLSK", "SMOT",
        "SPOD", "SSCI", "TER", "TN", "TRI", "TRIG", "TSK", "UPH", "VAL", "VIG", "VML",
        "WIK", "WT",
    }
)  # fmt: skip

# Tests are taken in more positions than drills are done in.
TEST_POSITIONS: Final[tuple[str, ...]] = (*POSITIONS, "seated", "prone")

# The article's six lunge-matrix variables ("creativity" is combining them, not a ladder).
LUNGE_VARIABLES: Final[tuple[str, ...]] = (
    "load",
    "range",
    "environment",
    "speed",
    "stability",
    "duration",
)

NEVER_RECOMMENDED: Final[tuple[str, ...]] = (
    "seated_abduction_machine",
    "seated_adduction_machine",
)
_NEVER_WHY: Final[str] = (
    "Triplane never recommends the seated abduction/adduction machine, because it trains the "
    "hip seated and in one plane, which does little for running or everyday movement; use a "
    "standing drill such as side_to_side_leg_swings or lateral_lunge_shift instead"
)

DATA_FILES: Final[tuple[str, ...]] = (
    "conditions.toml",
    "drills.toml",
    "lunge_matrix.toml",
    "tests.toml",
    "norms.toml",
    "red_flags.toml",
)

_SLUG: Final = re.compile(r"[a-z0-9_]+")
_BUILTIN: Final[str] = "triplane"


# --------------------------------------------------------------------------- reading helpers


def _show(value: Any) -> str:
    """A value as a person would write it in the TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _one_of(choices: Iterable[str]) -> str:
    return "one of " + ", ".join(choices)


class _Table:
    """One TOML table being read; it knows where it sits so every error can say so."""

    def __init__(self, file: str, where: str, data: Any, allowed: Iterable[str]) -> None:
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            self._raise(f"is {_show(data)}; expected a table of fields")
        self.data: dict[str, Any] = data
        known = tuple(allowed)
        for key in data:
            if key not in known:
                self.fail(key, f"is not a known field; expected {_one_of(known)}")

    def _raise(self, problem: str) -> NoReturn:
        place = f"{self.file}: {self.where}" if self.where else self.file
        raise CatalogueError(f"{place} {problem}")

    def fail(self, name: str, problem: str) -> NoReturn:
        place = f"{self.file}: {self.where}: " if self.where else f"{self.file}: "
        raise CatalogueError(f"{place}field '{name}' {problem}")

    def has(self, name: str) -> bool:
        return name in self.data

    def _get(self, name: str, expected: str) -> Any:
        if name not in self.data:
            self.fail(name, f"is missing; expected {expected}")
        return self.data[name]

    def text(self, name: str) -> str:
        value = self._get(name, "some text")
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"is {_show(value)}; expected some text")
        return value.strip()

    def opt_text(self, name: str) -> str | None:
        return self.text(name) if name in self.data else None

    def slug(self, name: str) -> str:
        expected = "a slug of lower-case letters, digits and _ (e.g. 'hip_airplane')"
        value = self._get(name, expected)
        if not isinstance(value, str) or not _SLUG.fullmatch(value):
            self.fail(name, f"is {_show(value)}; expected {expected}")
        return value

    def opt_slug(self, name: str) -> str | None:
        return self.slug(name) if name in self.data else None

    def flag(self, name: str, default: bool | None = None) -> bool:
        if name not in self.data and default is not None:
            return default
        value = self._get(name, "true or false")
        if not isinstance(value, bool):
            self.fail(name, f"is {_show(value)}; expected true or false")
        return value

    def integer(self, name: str, low: int, high: int | None = None) -> int:
        expected = f"a whole number from {low} to {high}" if high else f"a whole number >= {low}"
        value = self._get(name, expected)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < low
            or (high is not None and value > high)
        ):
            self.fail(name, f"is {_show(value)}; expected {expected}")
        return value

    def opt_integer(self, name: str, low: int, high: int | None = None) -> int | None:
        return self.integer(name, low, high) if name in self.data else None

    def number(self, name: str, low: float | None = None, high: float | None = None) -> float:
        if low is not None and high is not None:
            expected = f"a number from {low:g} to {high:g}"
        elif low is not None:
            expected = f"a number >= {low:g}"
        else:
            expected = "a number"
        value = self._get(name, expected)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (low is not None and value < low)
            or (high is not None and value > high)
        ):
            self.fail(name, f"is {_show(value)}; expected {expected}")
        return float(value)

    def opt_number(self, name: str, low: float | None = None) -> float | None:
        return self.number(name, low) if name in self.data else None

    def choice(self, name: str, choices: Iterable[str]) -> str:
        options = tuple(choices)
        value = self._get(name, _one_of(options))
        if value not in options:
            self.fail(name, f"is {_show(value)}; expected {_one_of(options)}")
        return str(value)

    def texts(
        self, name: str, least: int = 1, most: int | None = None, default: bool = False
    ) -> tuple[str, ...]:
        if most is None:
            expected = f"a list of at least {least} piece(s) of text"
        elif least == most:
            expected = f"a list of exactly {least} piece(s) of text"
        else:
            expected = f"a list of {least} to {most} piece(s) of text"
        if default and name not in self.data:
            value: Any = []
        else:
            value = self._get(name, expected)
        if not isinstance(value, list):
            self.fail(name, f"is {_show(value)}; expected {expected}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(name, f"contains {_show(item)}; expected {expected}")
        if len(value) < least or (most is not None and len(value) > most):
            self.fail(name, f"has {len(value)} item(s); expected {expected}")
        return tuple(item.strip() for item in value)

    def choices(
        self, name: str, choices: Iterable[str], least: int = 1, default: bool = False
    ) -> tuple[str, ...]:
        options = tuple(choices)
        expected = f"a list of {_one_of(options)}"
        if default and name not in self.data:
            return ()
        value = self._get(name, expected)
        if not isinstance(value, list):
            self.fail(name, f"is {_show(value)}; expected {expected}")
        seen: list[str] = []
        for item in value:
            if item not in options:
                self.fail(name, f"contains {_show(item)}; expected {_one_of(options)}")
            if item in seen:
                self.fail(name, f"lists {_show(item)} twice; expected each once")
            seen.append(item)
        if len(seen) < least:
            self.fail(name, f"is empty; expected {expected}")
        return tuple(seen)

    def tables(self, name: str, kind: str, allowed: Iterable[str]) -> list[_Table]:
        """An array of tables ([[name]]), each named by its id where it has one."""
        expected = f"one or more [[{name}]] tables"
        value = self._get(name, expected)
        if not isinstance(value, list) or not value:
            self.fail(name, f"is {_show(value)}; expected {expected}")
        known = tuple(allowed)
        out: list[_Table] = []
        for n, item in enumerate(value, start=1):
            ident = item.get("id") if isinstance(item, dict) else None
            label = f"{kind} '{ident}'" if isinstance(ident, str) else f"{kind} #{n}"
            where = f"{self.where}: {label}" if self.where else label
            out.append(_Table(self.file, where, item, known))
        return out

    def table(self, name: str, allowed: Iterable[str]) -> _Table:
        value = self._get(name, "a table")
        where = f"{self.where}: {name}" if self.where else name
        if not isinstance(value, dict):
            self.fail(name, f"is {_show(value)}; expected a table")
        return _Table(self.file, where, value, allowed)

    def sources(self, builtin: bool) -> tuple[str, ...]:
        keys = self.texts("sources")
        if builtin:
            for key in keys:
                if key not in KNOWN_SOURCE_KEYS:
                    self.fail(
                        "sources",
                        f"cites {_show(key)}, which is not a source key of the domain "
                        "reference (§6); use one of its keys, e.g. 'FPN' or 'KOU'",
                    )
        return keys


def _parse_toml(file: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{file}: is not valid TOML: {exc}; fix the syntax there") from None


def _read_packaged(name: str) -> dict[str, Any]:
    resource = files("triplane.core.catalogue") / "data" / name
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(
            f"{name}: the packaged catalogue file is missing; reinstall Triplane"
        ) from None
    return _parse_toml(name, text)


def _top(file: str, data: dict[str, Any], allowed: Iterable[str]) -> _Table:
    return _Table(file, "", data, allowed)


def _unique(table: _Table, ident: str, seen: set[str], what: str) -> None:
    if ident in seen:
        table.fail("id", f"is '{ident}', which another {what} already uses; ids must be unique")
    seen.add(ident)


# --------------------------------------------------------------------------------- drills

_DRILL_FIELDS: Final = (
    "id",
    "name",
    "purpose",
    "planes",
    "motions",
    "position",
    "loads_knee",
    "style",
    "standing_version",
    "difficulty",
    "dose",
    "cues",
    "mistakes",
    "contraindications",
    "equipment",
    "sources",
    "easier",
    "demands",
)
_DOSE_FIELDS: Final = ("sets", "reps", "hold_seconds", "per_side", "tempo", "minutes")


def _is_never_recommended(ident: str, name: str | None) -> bool:
    lowered = (name or "").lower()
    return (
        ident in NEVER_RECOMMENDED
        or "abduction_machine" in ident
        or "adduction_machine" in ident
        or "abduction machine" in lowered
        or "adduction machine" in lowered
        or "abduction/adduction machine" in lowered
    )


def _parse_dose(t: _Table) -> Dose:
    d = t.table("dose", _DOSE_FIELDS)
    sets = d.integer("sets", 1, 10)
    reps = d.opt_integer("reps", 1, 50)
    hold = d.opt_integer("hold_seconds", 1, 300)
    if reps is None and hold is None:
        d.fail("reps", "is missing; a dose needs reps, hold_seconds or both")
    return Dose(
        sets=sets,
        reps=reps,
        hold_seconds=hold,
        per_side=d.flag("per_side"),
        tempo=d.text("tempo"),
        minutes=d.number("minutes", 1, 5),
    )


def _demands(t: _Table) -> tuple[str, ...]:
    """The required `demands` list: what an entry asks of the hip and knee (may be empty, but
    must be there, so no drill or direction slips past the conditions unlabelled)."""
    if not t.has("demands"):
        t.fail(
            "demands",
            "is missing; list what it asks of the hip and knee (any of "
            f"{', '.join(DEMANDS)}), or [] when none of them",
        )
    return t.choices("demands", DEMANDS, least=0)


def _parse_drill(
    t: _Table, builtin: bool, origin: str, conditions: Mapping[str, Condition]
) -> Drill:
    ident = t.slug("id")
    name = t.opt_text("name")
    if _is_never_recommended(ident, None):
        t.fail("id", f"is '{ident}', which is refused: {_NEVER_WHY}")
    if _is_never_recommended(ident, name):
        t.fail("name", f"is '{name}', which is refused: {_NEVER_WHY}")
    planes = t.choices("planes", PLANES)
    motions = t.choices("motions", MOTIONS)
    for motion in motions:
        plane = plane_of(motion)
        if plane not in planes:
            t.fail(
                "planes",
                f"lacks '{plane}', the plane of its motion '{motion}'; add it or drop the motion",
            )
    position = t.choice("position", POSITIONS)
    style = t.choice("style", STYLES)
    standing_version = t.opt_slug("standing_version")
    if position == "standing" and standing_version is not None:
        t.fail("standing_version", "is set on a standing drill; leave it out")
    if position != "standing" and standing_version is None:
        t.fail(
            "standing_version",
            f"is missing; a {position} drill needs the id of its standing version",
        )
    dose = _parse_dose(t)
    demands = _demands(t)
    loads_knee = t.flag("loads_knee")
    if loads_knee != ("knee_on_support" in demands):
        t.fail(
            "demands",
            "must list 'knee_on_support' exactly when loads_knee is true; make them agree",
        )
    if style in ("static_hold", "isometric") and dose.hold_seconds is None:
        t.fail("dose", f"has no hold_seconds; a {style} drill is dosed in seconds held")
    if style == "dynamic" and dose.reps is None:
        t.fail("dose", "has no reps; a dynamic drill is dosed in repetitions")
    return Drill(
        id=ident,
        name=t.text("name"),
        purpose=t.text("purpose"),
        planes=planes,
        motions=motions,
        position=position,
        loads_knee=loads_knee,
        style=style,
        standing_version=standing_version,
        difficulty=t.integer("difficulty", 1, 3),
        dose=dose,
        cues=t.texts("cues", 3, 5),
        mistakes=t.texts("mistakes", 2, 4),
        contraindications=t.choices("contraindications", conditions, least=0, default=True),
        equipment=t.texts("equipment", least=0, default=True),
        sources=t.sources(builtin),
        easier=t.opt_slug("easier"),
        origin=origin,
        demands=demands,
    )


def _drill_tables(file: str, data: dict[str, Any]) -> list[_Table]:
    return _top(file, data, ("drill",)).tables("drill", "drill", _DRILL_FIELDS)


def _check_links(
    drills: Mapping[str, Drill], to_check: Iterable[Drill], where: Mapping[str, _Table]
) -> None:
    """standing_version and easier must point at suitable drills in `drills`."""
    for drill in to_check:
        t = where[drill.id]
        if drill.standing_version is not None:
            target = drills.get(drill.standing_version)
            if target is None:
                t.fail(
                    "standing_version",
                    f"is '{drill.standing_version}', which is not a drill id; "
                    "expected the id of a standing drill",
                )
            if not target.is_standing:
                t.fail(
                    "standing_version",
                    f"is '{target.id}', which is done {target.position}; "
                    "expected a drill whose position is standing",
                )
        if drill.easier is not None:
            easier = drills.get(drill.easier)
            if easier is None:
                t.fail(
                    "easier",
                    f"is '{drill.easier}', which is not a drill id; expected the id of an "
                    "easier drill with the same primary motion",
                )
            if easier.id == drill.id:
                t.fail("easier", "names the drill itself; expected a different, easier drill")
            if easier.primary_motion != drill.primary_motion:
                t.fail(
                    "easier",
                    f"is '{easier.id}', whose primary motion is {easier.primary_motion}; "
                    f"expected a drill whose primary motion is {drill.primary_motion}",
                )
            if easier.difficulty >= drill.difficulty:
                t.fail(
                    "easier",
                    f"is '{easier.id}' with difficulty {easier.difficulty}; "
                    f"expected a drill with difficulty below {drill.difficulty}",
                )


def _load_drills(data: dict[str, Any], conditions: Mapping[str, Condition]) -> dict[str, Drill]:
    file = "drills.toml"
    drills: dict[str, Drill] = {}
    where: dict[str, _Table] = {}
    for t in _drill_tables(file, data):
        drill = _parse_drill(t, builtin=True, origin=_BUILTIN, conditions=conditions)
        _unique(t, drill.id, set(drills), "drill")
        drills[drill.id] = drill
        where[drill.id] = t
    _check_links(drills, drills.values(), where)
    return drills


def _load_user_drills(
    folder: Path, builtin: Mapping[str, Drill], conditions: Mapping[str, Condition]
) -> dict[str, Drill]:
    if not folder.is_dir():
        raise CatalogueError(
            f"{folder}: the drill folder does not exist or is not a folder; "
            "create it or leave the setting out"
        )
    added: dict[str, Drill] = {}
    where: dict[str, _Table] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name.startswith(".") or not path.is_file():
            continue
        file = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CatalogueError(f"{file}: is not UTF-8 text; save it as UTF-8") from None
        except OSError as exc:
            raise CatalogueError(f"{file}: cannot be read ({exc.strerror})") from None
        data = _parse_toml(file, text)
        if not data:
            continue  # an empty file (or only comments): nothing to add yet
        for t in _drill_tables(file, data):
            drill = _parse_drill(t, builtin=False, origin=file, conditions=conditions)
            if drill.id in builtin:
                t.fail("id", f"is '{drill.id}', which is a built-in drill; choose another id")
            if drill.id in added:
                other = added[drill.id].origin
                t.fail("id", f"is '{drill.id}', which {other} already uses; choose another id")
            added[drill.id] = drill
            where[drill.id] = t
    _check_links({**builtin, **added}, added.values(), where)
    return added


# ---------------------------------------------------------------------------- lunge matrix

_DIRECTION_FIELDS: Final = (
    "id",
    "name",
    "planes",
    "description",
    "arm_drivers",
    "cues",
    "sources",
    "demands",
)


def _load_lunge(data: dict[str, Any]) -> LungeMatrix:
    file = "lunge_matrix.toml"
    top = _top(
        file,
        data,
        (
            "start_reps",
            "default_order",
            "sources",
            "direction",
            "ladder",
            "rule",
            "trade_off",
            "cap",
        ),
    )
    directions: list[LungeDirection] = []
    seen: set[str] = set()
    for t in top.tables("direction", "direction", _DIRECTION_FIELDS):
        direction = LungeDirection(
            id=t.slug("id"),
            name=t.text("name"),
            planes=t.choices("planes", PLANES),
            description=t.text("description"),
            arm_drivers=t.texts("arm_drivers"),
            cues=t.texts("cues", 2, 5),
            sources=t.sources(builtin=True),
            demands=_demands(t),
        )
        _unique(t, direction.id, seen, "direction")
        directions.append(direction)

    ladders: dict[str, Ladder] = {}
    for t in top.tables("ladder", "ladder", ("variable", "steps", "sources", "start")):
        variable = t.choice("variable", LUNGE_VARIABLES)
        if variable in ladders:
            t.fail("variable", f"is '{variable}' again; each variable has one ladder")
        steps: list[LadderStep] = []
        step_ids: set[str] = set()
        for s in t.tables("steps", "step", ("id", "label", "reps", "load_mode", "demands")):
            step = LadderStep(
                id=s.slug("id"),
                label=s.text("label"),
                reps=s.opt_integer("reps", 1, 50),
                load_mode=s.opt_slug("load_mode"),
                demands=s.choices("demands", DEMANDS, least=0) if s.has("demands") else (),
            )
            _unique(s, step.id, step_ids, "step of this ladder")
            if variable == "duration" and step.reps is None:
                s.fail("reps", "is missing; every duration step sets reps per side")
            if variable != "duration" and step.reps is not None:
                s.fail("reps", "is set; only the duration ladder sets reps")
            previous = steps[-1].reps if steps else None
            if step.reps is not None and previous is not None and step.reps <= previous:
                s.fail("reps", f"is {step.reps}; expected more reps than the step before")
            steps.append(step)
        if len(steps) < 2:
            t.fail("steps", "has fewer than 2 steps; a ladder needs somewhere to go")
        start = t.choice("start", [s.id for s in steps]) if t.has("start") else steps[0].id
        ladders[variable] = Ladder(
            variable=variable,
            steps=tuple(steps),
            sources=t.sources(builtin=True),
            start=[s.id for s in steps].index(start),
        )
    missing = [v for v in LUNGE_VARIABLES if v not in ladders]
    if missing:
        top.fail("ladder", f"has no ladder for {', '.join(missing)}; expected all six variables")

    order = top.choices("default_order", LUNGE_VARIABLES)
    if len(order) != len(LUNGE_VARIABLES):
        top.fail("default_order", f"lists {len(order)} variables; expected all six, each once")
    start_reps = top.integer("start_reps", 1, 50)
    duration = ladders["duration"]
    if start_reps != duration.steps[duration.start].reps:
        top.fail(
            "start_reps",
            f"is {start_reps} but the starting duration step has "
            f"{duration.steps[duration.start].reps} reps; make them agree",
        )
    rules = tuple(_lunge_rule(t, ladders) for t in _opt_tables(top, "rule", "rule", _RULE_FIELDS))
    trade_offs = _trade_offs(top, ladders)
    cap = _lunge_cap(top, ladders)
    _check_one_load_mode(top, ladders, rules)
    return LungeMatrix(
        directions=tuple(directions),
        ladders={v: ladders[v] for v in LUNGE_VARIABLES},
        default_order=order,
        start_reps=start_reps,
        sources=top.sources(builtin=True),
        rules=rules,
        trade_offs=trade_offs,
        cap=cap,
    )


_RULE_FIELDS: Final = ("id", "says", "when", "only", "after_clean", "same")


def _opt_tables(top: _Table, name: str, kind: str, allowed: Iterable[str]) -> list[_Table]:
    return top.tables(name, kind, allowed) if top.has(name) else []


def _step_lists(
    t: _Table, name: str, ladders: dict[str, Ladder], from_bottom: bool = False
) -> tuple[tuple[str, frozenset[str]], ...]:
    """A table of variable = [step ids], every id a step of that variable's ladder."""
    table = t.table(name, LUNGE_VARIABLES)
    out: list[tuple[str, frozenset[str]]] = []
    for variable in table.data:
        ids = table.choices(variable, [s.id for s in ladders[variable].steps])
        if from_bottom:
            ladder = [s.id for s in ladders[variable].steps]
            if set(ids) != set(ladder[: len(ids)]):
                table.fail(
                    variable,
                    "must list the bottom steps of its ladder, easiest first "
                    f"({', '.join(ladder[: len(ids)])}), so a step down always helps",
                )
        out.append((variable, frozenset(ids)))
    if not out:
        t.fail(name, "is empty; expected at least one variable = [steps]")
    return tuple(out)


def _step_each(t: _Table, name: str, ladders: dict[str, Ladder]) -> tuple[tuple[str, str], ...]:
    """A table of variable = step id."""
    table = t.table(name, LUNGE_VARIABLES)
    out = tuple((v, table.choice(v, [s.id for s in ladders[v].steps])) for v in table.data)
    if not out:
        t.fail(name, "is empty; expected at least one variable = step")
    return out


def _lunge_rule(t: _Table, ladders: dict[str, Ladder]) -> LungeRule:
    rule = LungeRule(
        id=t.slug("id"),
        says=t.text("says"),
        when=_step_lists(t, "when", ladders),
        only=_step_lists(t, "only", ladders, from_bottom=True) if t.has("only") else (),
        after_clean=_step_each(t, "after_clean", ladders) if t.has("after_clean") else (),
        same=t.choices("same", LUNGE_VARIABLES, default=True),
    )
    if not rule.only and not rule.after_clean:
        t.fail("only", "is missing; a rule needs 'only' or 'after_clean'")
    for variable, step in rule.after_clean:
        bottom = ladders[variable].steps[0].id
        if step != bottom:
            t.fail("after_clean", f"sets {variable} to '{step}'; expected its bottom step "
                   f"'{bottom}', so the version it asks for is always easier")  # fmt: skip
    return rule


def _trade_offs(top: _Table, ladders: dict[str, Ladder]) -> tuple[TradeOff, ...]:
    out: list[TradeOff] = []
    for t in _opt_tables(top, "trade_off", "trade-off", ("raise", "says", "needs", "lower")):
        trade = TradeOff(
            raise_=t.choice("raise", LUNGE_VARIABLES),
            says=t.text("says"),
            needs=_step_lists(t, "needs", ladders, from_bottom=True) if t.has("needs") else (),
            lower=_step_each(t, "lower", ladders) if t.has("lower") else (),
        )
        if any(o.raise_ == trade.raise_ for o in out):
            t.fail("raise", f"is '{trade.raise_}' again; one trade-off per variable")
        if trade.raise_ in {v for v, _ in trade.lower} | {v for v, _ in trade.needs}:
            t.fail("raise", f"is '{trade.raise_}', which its own trade-off also names")
        if not trade.needs and not trade.lower:
            t.fail("needs", "is missing; a trade-off needs 'needs' or 'lower'")
        out.append(trade)
    # Going up on one variable may bring others down; if that ever came round again, a run of
    # clean sessions could go up and down forever instead of reaching a ceiling.
    lowers = {o.raise_: {v for v, _ in o.lower} for o in out}
    for first in lowers:
        seen, todo = set(), list(lowers[first])
        while todo:
            v = todo.pop()
            if v == first:
                top.fail("trade_off", f"goes round in a circle: raising {first} ends up lowering "
                         f"{first} again; one of them must not lower the other")  # fmt: skip
            if v not in seen:
                seen.add(v)
                todo.extend(lowers.get(v, ()))
    return tuple(out)


def _lunge_cap(top: _Table, ladders: dict[str, Ladder]) -> LungeCap:
    if not top.has("cap"):
        return LungeCap("a lighter session", (), ())
    t = top.table("cap", ("says", "at_most", "down"))
    return LungeCap(
        says=t.text("says"),
        at_most=_step_each(t, "at_most", ladders) if t.has("at_most") else (),
        down=t.choices("down", LUNGE_VARIABLES, default=True),
    )


def _check_one_load_mode(
    top: _Table, ladders: dict[str, Ladder], rules: tuple[LungeRule, ...]
) -> None:
    """Two steps that each have you hold a weight, on different ladders, must be kept apart by
    a rule: one load mode at a time."""
    loaded = [(v, s.id) for v, ladder in ladders.items() for s in ladder.steps if s.load_mode]
    for i, (va, a) in enumerate(loaded):
        for vb, b in loaded[i + 1 :]:
            if va == vb:
                continue
            pair = {va: a, vb: b}
            if not any(
                all(v in pair and pair[v] in steps for v, steps in r.when)
                and any(v in pair and pair[v] not in steps for v, steps in r.only)
                for r in rules
            ):
                top.fail("rule", f"lets {va} '{a}' and {vb} '{b}' go together: two load modes "
                         "at once; add a rule that keeps them apart")  # fmt: skip


# ----------------------------------------------------------------------------------- tests

_TEST_FIELDS: Final = (
    "id",
    "name",
    "motions",
    "unit",
    "minimum",
    "maximum",
    "signed",
    "higher_is_better",
    "mdc",
    "mdc_source",
    "position",
    "active",
    "instructions",
    "phone_how",
    "by_eye",
    "rating_guide",
    "sources",
    "pain_means_positive",
)


def _parse_test(t: _Table) -> AssessmentTest:
    ident = t.slug("id")
    motions = t.choices("motions", MOTIONS)
    unit = t.choice("unit", UNITS)
    minimum = t.number("minimum")
    maximum = t.number("maximum")
    if minimum >= maximum:
        t.fail("maximum", f"is {maximum:g}, not above the minimum {minimum:g}")
    signed = t.flag("signed")
    if not signed and minimum < 0:
        t.fail("minimum", f"is {minimum:g} on an unsigned test; expected 0 or more")
    if signed and minimum >= 0:
        t.fail("signed", "is true but the minimum is not negative; expected a negative minimum")
    if motions[0] == "flexion" and signed:
        t.fail("signed", "is true on a flexion test; flexion is never negative")
    if unit == "pass_fail" and (minimum, maximum) != (0.0, 1.0):
        t.fail("minimum", "must be 0 with maximum 1 for a pass_fail test")
    mdc = t.opt_number("mdc", low=0.01)
    mdc_source = t.opt_text("mdc_source")
    if mdc is not None and mdc_source is None:
        t.fail("mdc_source", "is missing; say which source the mdc comes from")
    if mdc is None and mdc_source is not None:
        t.fail("mdc", "is missing but mdc_source is given; add the mdc or drop its source")
    if mdc_source is not None and mdc_source not in KNOWN_SOURCE_KEYS:
        t.fail("mdc_source", f"is {_show(mdc_source)}, not a source key of the domain reference")
    return AssessmentTest(
        id=ident,
        name=t.text("name"),
        motions=motions,
        unit=unit,
        minimum=minimum,
        maximum=maximum,
        signed=signed,
        higher_is_better=t.flag("higher_is_better"),
        mdc=mdc,
        mdc_source=mdc_source,
        position=t.choice("position", TEST_POSITIONS),
        active=t.flag("active"),
        instructions=t.texts("instructions", 3, 6),
        phone_how=t.text("phone_how"),
        by_eye=t.text("by_eye"),
        rating_guide=t.texts("rating_guide", 4, 4),
        sources=t.sources(builtin=True),
        pain_means_positive=t.flag("pain_means_positive", default=False),
    )


def _load_tests(data: dict[str, Any]) -> tuple[dict[str, AssessmentTest], dict[str, str]]:
    file = "tests.toml"
    top = _top(file, data, ("default_tests", "test"))
    tests: dict[str, AssessmentTest] = {}
    for t in top.tables("test", "test", _TEST_FIELDS):
        test = _parse_test(t)
        _unique(t, test.id, set(tests), "test")
        tests[test.id] = test
    defaults_table = top.table("default_tests", MOTIONS)
    defaults: dict[str, str] = {}
    for motion in MOTIONS:
        test_id = defaults_table.choice(motion, tests)
        if motion not in tests[test_id].motions:
            defaults_table.fail(
                motion, f"is '{test_id}', which does not measure {motion}; pick a test that does"
            )
        defaults[motion] = test_id
    return tests, defaults


# ----------------------------------------------------------------------------------- norms


def _load_norms(
    data: dict[str, Any], tests: Mapping[str, AssessmentTest]
) -> tuple[dict[str, NormSet], str]:
    file = "norms.toml"
    top = _top(file, data, ("default_norm_set", "norm_set"))
    sets: dict[str, NormSet] = {}
    fields = ("id", "name", "description", "sources", "based_on", "norms", "applies_to")
    for t in top.tables("norm_set", "norm set", fields):
        ident = t.slug("id")
        _unique(t, ident, set(sets), "norm set")
        own: dict[tuple[str, str], Norm] = {}
        for n in t.tables("norms", "norm", ("test", "motion", "low", "high")):
            test = tests[n.choice("test", tests)]
            motion = n.choice("motion", test.motions)
            low = n.number("low", test.minimum, test.maximum)
            high = n.number("high", test.minimum, test.maximum)
            if low > high:
                n.fail("high", f"is {high:g}, below low {low:g}; expected low <= high")
            if (test.id, motion) in own:
                n.fail("motion", f"repeats {test.id}/{motion}; give each test and motion once")
            own[(test.id, motion)] = Norm(test=test.id, motion=motion, low=low, high=high)
        merged: dict[tuple[str, str], Norm] = {}
        if t.has("based_on"):
            base = t.choice("based_on", sets)  # only sets defined above this one
            merged = {(n.test, n.motion): n for n in sets[base].norms}
        merged.update(own)
        sex = min_age = max_age = None
        if t.has("applies_to"):
            a = t.table("applies_to", ("sex", "min_age", "max_age"))
            sex = a.choice("sex", SEXES) if a.has("sex") else None
            min_age = a.opt_integer("min_age", 0, 120)
            max_age = a.opt_integer("max_age", 0, 120)
            if sex is None and min_age is None and max_age is None:
                t.fail("applies_to", "is empty; give sex, min_age or max_age, or leave it out")
            if min_age is not None and max_age is not None and min_age > max_age:
                a.fail("max_age", f"is {max_age}, below min_age {min_age}")
        sets[ident] = NormSet(
            id=ident,
            name=t.text("name"),
            description=t.text("description"),
            sources=t.sources(builtin=True),
            norms=tuple(merged.values()),
            sex=sex,
            min_age=min_age,
            max_age=max_age,
        )
    default = top.choice("default_norm_set", sets)
    return sets, default


# ------------------------------------------------------------------------------ conditions

_CONDITION_FIELDS: Final = (
    "id",
    "label",
    "rules_out",
    "variant_option",
    "variants",
    "default_variant",
    "basis",
    "sources",
)
UNKNOWN_VARIANT: Final[str] = "unknown"


def _load_conditions(data: dict[str, Any]) -> dict[str, Condition]:
    file = "conditions.toml"
    top = _top(file, data, ("condition",))
    out: dict[str, Condition] = {}
    for t in top.tables("condition", "condition", _CONDITION_FIELDS):
        ident = t.slug("id")
        _unique(t, ident, set(out), "condition")
        rules_out = t.choices("rules_out", DEMANDS, least=0)
        sources = t.texts("sources", least=0)
        for key in sources:
            if key not in KNOWN_SOURCE_KEYS:
                t.fail("sources", f"cites {_show(key)}, not a source key of the domain reference")
        variants: list[tuple[str, tuple[str, ...]]] = []
        option = t.opt_slug("variant_option")
        default = None
        if option is not None:
            table = t.data.get("variants")
            if not isinstance(table, dict) or not table:
                t.fail("variants", "is missing or empty; a variant_option needs its variants")
            v = t.table("variants", tuple(table))
            for name in table:
                if not _SLUG.fullmatch(name) or name == UNKNOWN_VARIANT:
                    v.fail(name, f"is not a variant name; use a slug, not '{UNKNOWN_VARIANT}'")
                variants.append((name, v.choices(name, DEMANDS)))
            union = tuple(dict.fromkeys(d for _, ds in variants for d in ds))
            variants.append((UNKNOWN_VARIANT, union))
            default = t.choice("default_variant", [n for n, _ in variants])
        elif t.has("variants") or t.has("default_variant"):
            t.fail("variant_option", "is missing; variants need the option that picks them")
        out[ident] = Condition(
            id=ident,
            label=t.text("label"),
            rules_out=rules_out,
            basis=t.text("basis"),
            sources=sources,
            variant_option=option,
            variants=tuple(variants),
            default_variant=default,
        )
    return out


# ------------------------------------------------------------------------------- red flags


def _load_red_flags(data: dict[str, Any]) -> dict[str, RedFlag]:
    file = "red_flags.toml"
    top = _top(file, data, ("red_flag",))
    flags: dict[str, RedFlag] = {}
    fields = ("id", "label", "urgent", "stop_running", "advice", "sources")
    for t in top.tables("red_flag", "red flag", fields):
        flag = RedFlag(
            id=t.slug("id"),
            label=t.text("label"),
            urgent=t.flag("urgent"),
            stop_running=t.flag("stop_running"),
            advice=t.text("advice"),
            sources=t.sources(builtin=True),
        )
        _unique(t, flag.id, set(flags), "red flag")
        flags[flag.id] = flag
    return flags


# ------------------------------------------------------------------------------ public API


_BUILTIN_FILES = DATA_FILES


def builtin_fingerprint() -> str:
    """A hash of the packaged data files and of the code that shapes them into records (and
    of the Python version): a copy of the parsed catalogue kept under this key is still it."""
    texts = [(files("triplane.core.catalogue") / "data" / n).read_bytes() for n in _BUILTIN_FILES]
    here = Path(__file__).parent
    texts += [(here / "model.py").read_bytes(), Path(__file__).read_bytes()]
    return hashlib.sha256(b"\0".join(texts) + sys.version.encode()).hexdigest()[:24]


@functools.lru_cache(maxsize=1)
def _load_builtin() -> Catalogue:
    """The packaged catalogue, parsed and validated once per process (store/catalogue_cache.py
    keeps a validated copy on disk for the CLI's start-up)."""
    return parse_builtin()


def parse_builtin() -> Catalogue:
    """Parse and validate the packaged data files (no memo: see load_catalogue)."""
    conditions = _load_conditions(_read_packaged("conditions.toml"))
    drills = _load_drills(_read_packaged("drills.toml"), conditions)
    lunge = _load_lunge(_read_packaged("lunge_matrix.toml"))
    tests, default_tests = _load_tests(_read_packaged("tests.toml"))
    norm_sets, default_norm_set = _load_norms(_read_packaged("norms.toml"), tests)
    red_flags = _load_red_flags(_read_packaged("red_flags.toml"))
    return Catalogue(
        drills=drills,
        lunge=lunge,
        tests=tests,
        default_tests=default_tests,
        norm_sets=norm_sets,
        default_norm_set=default_norm_set,
        red_flags=red_flags,
        never_recommended=NEVER_RECOMMENDED,
        conditions=conditions,
    )


def load_catalogue(user_dir: Path | None = None, builtin: Catalogue | None = None) -> Catalogue:
    """The validated catalogue: the packaged data, plus every *.toml drill file in `user_dir`.

    Without `user_dir` the result is memoised (the CLI calls this once per command); treat it as
    read-only. A coach's folder is re-read on every call, so edits show up at once.
    `builtin` is the packaged catalogue when the caller has it already (from a cache).
    Raises CatalogueError with one sentence naming the file, entry and field at fault.
    """
    builtin = builtin or _load_builtin()
    if user_dir is None:
        return builtin
    extra = _load_user_drills(Path(user_dir), builtin.drills, builtin.conditions)
    return dataclasses.replace(builtin, drills={**builtin.drills, **extra})

"""Keyframes for the figures: load ``figures.toml``, place the body on the floor, validate.

Format of ``core/catalogue/data/figures.toml`` (a coach's ``figures/*.toml`` uses the same
``[figures.ID]`` tables):

- ``[limits]``: ``angle = [min, max]`` in degrees, per joint angle without the side prefix
  (``hip_flexion``, ``knee_flexion``...). Wider than the clinical norms on purpose: 90/90, the
  frog and a deep squat go past the norms by design; the limits catch typos and impossible
  poses, not stiffness.
- ``[positions.NAME]``: a base ``pose`` and the ``contact`` landmarks that rest on the floor,
  for each starting position (standing, kneeling, half_kneeling, quadruped, floor, supine,
  side_lying, prone).
- ``[figures.ID]`` for every drill id and lunge-direction id:
  ``view`` (front | side | top | three_quarter), ``position`` (a base above), ``sided``
  (true when left and right differ; keyframes are written for the working side = LEFT and the
  right side is their mirror image), ``props`` (``"floor"`` or ``{kind = "box", at =
  "left_knee"}``: box | step | chair | table | wall, placed at a landmark of the first
  keyframe), ``anchor`` (the landmark that stays put horizontally, e.g. the stance foot),
  ``contact`` (overrides the position's), ``arc = {angle = "left_hip_flexion", joint =
  "left_hip", distal = "left_knee"}`` (the arc of motion drawn, from the first keyframe to
  ``end_range``), and ``keyframes``: 2-4 of ``{name, pose, hold, move, contact?}``.
  A keyframe's ``pose`` overrides the previous keyframe's (the first one's overrides the
  position's base pose), or ``same_as = "start"`` repeats one; ``hold`` and ``move`` are
  seconds (the drill's tempo: hold this keyframe, then move to the next).

Pose keys: any :class:`~triplane.core.body.JointAngles` field, or the groups
``pelvis = [tilt, obliquity, rotation]``, ``trunk = [flexion, side_bend, rotation]``,
``left_hip = [flexion, abduction, rotation]``, ``left_knee = flexion``,
``left_ankle = dorsiflexion``, ``left_arm = [shoulder_flexion, shoulder_abduction,
elbow_flexion]`` (and ``right_``).

Placement: each keyframe's body is moved so that its lowest contact (allowing for the flesh
around a joint: a kneecap, the buttocks, the back of the head) touches the floor and its anchor
stays where the first keyframe put it.

Validation (:func:`validate_figures`): every drill and lunge direction has a figure and every
figure is a catalogue entry; angles within the limits; nothing goes through the floor; contact
points touch it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from triplane.core.body import (
    HEAD_RADIUS,
    JointAngles,
    Points,
    forward,
)
from triplane.core.errors import DataError

HEIGHT_M = 1.75  # figures are drawn for a 1.75 m adult
VIEWS = ("front", "side", "top", "three_quarter")
PROP_KINDS = ("floor", "box", "step", "chair", "table", "wall")
SIDED_GROUPS = {
    "hip": ("hip_flexion", "hip_abduction", "hip_rotation"),
    "knee": ("knee_flexion",),
    "ankle": ("ankle_dorsiflexion",),
    "arm": ("shoulder_flexion", "shoulder_abduction", "elbow_flexion"),
}
GROUPS = {
    "pelvis": ("pelvis_tilt", "pelvis_obliquity", "pelvis_rotation"),
    "trunk": ("trunk_flexion", "trunk_side_bend", "trunk_rotation"),
}
# Flesh between a landmark and the floor when it rests on it, as a fraction of height.
PADS: dict[str, float] = {
    "pelvis_centre": 0.055,
    "neck": 0.05,
    "head_centre": HEAD_RADIUS,
    "nose": 0.0,
    **{
        f"{s}_{p}": v
        for s in ("left", "right")
        for p, v in (
            ("knee", 0.03),
            ("hip", 0.085),
            ("ankle", 0.03),
            ("shoulder", 0.03),
            ("elbow", 0.02),
            ("wrist", 0.015),
            ("heel", 0.0),
            ("foot_index", 0.0),
        )
    },
}
THROUGH_FLOOR_TOLERANCE = 0.015  # fraction of height (2.6 cm at 1.75 m)
CONTACT_TOLERANCE = 0.03  # a contact point must be this close to the floor (5 cm)
DEFAULT_HOLD = 1.0
DEFAULT_MOVE = 1.5


class FigureError(DataError):
    """A figures file is wrong; the message names the file, the figure and the field."""


@dataclass(frozen=True)
class Keyframe:
    name: str
    angles: JointAngles
    hold: float
    move: float
    contact: tuple[str, ...]
    miss_cm: float = 0.0  # how far the solver left a planted/touching landmark from its target


@dataclass(frozen=True)
class Prop:
    kind: str
    at: str | None = None  # landmark it sits under / beside (first keyframe)


@dataclass(frozen=True)
class Arc:
    angle: str  # a JointAngles field, e.g. "left_hip_flexion"
    joint: str  # landmark at the arc's centre
    distal: str  # landmark whose swing the arc shows
    start: str  # keyframe names
    end: str


@dataclass(frozen=True)
class Figure:
    id: str
    view: str
    position: str
    sided: bool
    props: tuple[Prop, ...]
    keyframes: tuple[Keyframe, ...]
    anchor: str
    arc: Arc | None
    generated: bool = False  # a default figure for a drill without keyframes

    def keyframe(self, name: str) -> Keyframe:
        for k in self.keyframes:
            if k.name == name:
                return k
        raise KeyError(name)


@dataclass(frozen=True)
class Position:
    name: str
    pose: Mapping[str, float]
    contact: tuple[str, ...]


@dataclass(frozen=True)
class FigureSet:
    figures: dict[str, Figure]
    limits: dict[str, tuple[float, float]]
    positions: dict[str, Position]
    sources: tuple[str, ...] = field(default=())


ANGLE_NAMES = JointAngles.angle_names()
LANDMARKS = tuple(forward(JointAngles()).keys())


# --- parsing -----------------------------------------------------------------------------------


def _fail(file: str, where: str, problem: str) -> FigureError:
    return FigureError(f"{file}: {where}: {problem}")


def _numbers(file: str, where: str, key: str, value: Any, count: int) -> list[float]:
    vals = value if isinstance(value, list) else [value]
    if len(vals) != count or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in vals
    ):
        shape = "a number" if count == 1 else f"a list of {count} numbers"
        raise _fail(file, where, f"'{key}' is {value!r}; expected {shape} (degrees)")
    return [float(v) for v in vals]


def parse_pose(file: str, where: str, pose: Any) -> dict[str, float]:
    """Pose shorthand -> JointAngles field values."""
    if not isinstance(pose, dict):
        raise _fail(file, where, f"pose is {pose!r}; expected a table of angles")
    out: dict[str, float] = {}
    for key, value in pose.items():
        if key in ANGLE_NAMES:
            out[key] = _numbers(file, where, key, value, 1)[0]
        elif key in GROUPS:
            names: tuple[str, ...] = GROUPS[key]
            out.update(zip(names, _numbers(file, where, key, value, len(names)), strict=True))
        elif (
            "_" in key
            and key.split("_", 1)[0] in ("left", "right")
            and (key.split("_", 1)[1] in SIDED_GROUPS)
        ):
            side, group = key.split("_", 1)
            names = tuple(f"{side}_{n}" for n in SIDED_GROUPS[group])
            out.update(zip(names, _numbers(file, where, key, value, len(names)), strict=True))
        else:
            raise _fail(
                file,
                where,
                f"'{key}' is not an angle; expected a JointAngles field or one of "
                "pelvis, trunk, left_hip, left_knee, left_ankle, left_arm (and right_)",
            )
    return out


def _landmark(file: str, where: str, key: str, value: Any) -> str:
    if value not in LANDMARKS:
        raise _fail(file, where, f"'{key}' is {value!r}; expected a landmark such as left_knee")
    return str(value)


def _landmarks(file: str, where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(file, where, f"'{key}' is {value!r}; expected a list of landmarks")
    return tuple(_landmark(file, where, key, v) for v in value)


def _seconds(file: str, where: str, key: str, value: Any, default: float) -> float:
    if value is None:
        return default
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 30:
        raise _fail(file, where, f"'{key}' is {value!r}; expected seconds between 0 and 30")
    return float(value)


def _parse_figure(
    file: str,
    ident: str,
    t: Any,
    positions: Mapping[str, Position],
    limits: Mapping[str, tuple[float, float]],
) -> Figure:
    where = f"figures.{ident}"
    if not isinstance(t, dict):
        raise _fail(file, where, "expected a table")
    allowed = {"view", "position", "sided", "props", "anchor", "contact", "arc", "keyframes"}
    extra = sorted(set(t) - allowed)
    if extra:
        raise _fail(file, where, f"unknown field '{extra[0]}'; expected {sorted(allowed)}")
    view = t.get("view")
    if not isinstance(view, str) or view not in VIEWS:
        raise _fail(file, where, f"view is {view!r}; expected one of {', '.join(VIEWS)}")
    position = t.get("position")
    if not isinstance(position, str) or position not in positions:
        raise _fail(
            file, where, f"position is {position!r}; expected one of {', '.join(positions)}"
        )
    base = positions[position]
    sided = t.get("sided", True)
    if not isinstance(sided, bool):
        raise _fail(file, where, f"sided is {sided!r}; expected true or false")
    props: list[Prop] = []
    for p in t.get("props", []):
        if isinstance(p, str):
            p = {"kind": p}
        if not isinstance(p, dict) or p.get("kind") not in PROP_KINDS:
            raise _fail(file, where, f"prop {p!r}; expected one of {', '.join(PROP_KINDS)}")
        at = p.get("at")
        if p["kind"] != "floor":
            at = _landmark(file, where, "props.at", at)
        props.append(Prop(p["kind"], at))
    contact = _landmarks(file, where, "contact", t["contact"]) if "contact" in t else base.contact
    raw_frames = t.get("keyframes")
    if not isinstance(raw_frames, list) or not 2 <= len(raw_frames) <= 4:
        raise _fail(file, where, "keyframes: expected a list of 2 to 4 keyframes")
    frames: list[Keyframe] = []
    values: dict[str, float] = dict(base.pose)
    for i, k in enumerate(raw_frames):
        kw = f"{where}.keyframes[{i}]"
        if not isinstance(k, dict) or not isinstance(k.get("name"), str):
            raise _fail(file, kw, "expected a table with a name")
        unknown = sorted(
            set(k)
            - {"name", "pose", "same_as", "hold", "move", "contact", "plant", "touch", "free"}
        )
        if unknown:
            raise _fail(file, kw, f"unknown field '{unknown[0]}'")
        if any(f.name == k["name"] for f in frames):
            raise _fail(file, kw, f"name '{k['name']}' is used twice")
        if "same_as" in k:
            try:
                values = {
                    n: getattr(next(f for f in frames if f.name == k["same_as"]).angles, n)
                    for n in ANGLE_NAMES
                }
            except StopIteration:
                raise _fail(
                    file, kw, f"same_as is {k['same_as']!r}; expected an earlier keyframe"
                ) from None
        values = {**values, **parse_pose(file, kw, k.get("pose", {}))}
        k_contact = _landmarks(file, kw, "contact", k["contact"]) if "contact" in k else contact
        angles = JointAngles.of(values)
        plant = _landmarks(file, kw, "plant", k["plant"]) if "plant" in k else ()
        miss = 0.0
        touch = _landmarks(file, kw, "touch", k["touch"]) if "touch" in k else ()
        if plant or touch:
            free = k.get("free")
            if free is not None and (
                not isinstance(free, list) or any(f not in ANGLE_NAMES for f in free)
            ):
                raise _fail(file, kw, f"free is {free!r}; expected a list of JointAngles fields")
            anchor_name = t.get("anchor", frames[0].contact[0] if frames else k_contact[0])
            targets: dict[str, tuple[float | None, ...]] = {}
            if plant:
                if not frames:
                    raise _fail(file, kw, "plant needs an earlier keyframe to stay where it was")
                first = place(frames[0].angles, frames[0].contact, anchor_name)
                targets.update({n: first[n] for n in plant})
            targets.update({n: (None, 0.0, None) for n in touch})
            angles, miss = solve(angles, k_contact, anchor_name, targets, free, limits)
            values = {n: getattr(angles, n) for n in ANGLE_NAMES}
        frames.append(
            Keyframe(
                miss_cm=miss if plant or touch else 0.0,
                name=k["name"],
                angles=angles,
                hold=_seconds(file, kw, "hold", k.get("hold"), DEFAULT_HOLD),
                move=_seconds(file, kw, "move", k.get("move"), DEFAULT_MOVE),
                contact=k_contact,
            )
        )
    anchor = _landmark(file, where, "anchor", t.get("anchor", frames[0].contact[0]))
    arc = None
    if "arc" in t:
        a = t["arc"]
        names = [f.name for f in frames]
        if not isinstance(a, dict) or a.get("angle") not in ANGLE_NAMES:
            raise _fail(file, where, f"arc is {a!r}; expected {{angle = a JointAngles field, ...}}")
        start = a.get("from", names[0])
        end = a.get("to", "end_range" if "end_range" in names else names[1])
        if start not in names or end not in names:
            raise _fail(file, where, f"arc from/to must name keyframes ({', '.join(names)})")
        arc = Arc(
            angle=a["angle"],
            joint=_landmark(file, where, "arc.joint", a.get("joint")),
            distal=_landmark(file, where, "arc.distal", a.get("distal")),
            start=start,
            end=end,
        )
    return Figure(ident, view, position, sided, tuple(props), tuple(frames), anchor, arc)


def _parse_positions(file: str, data: Any) -> dict[str, Position]:
    out: dict[str, Position] = {}
    for name, t in (data or {}).items():
        where = f"positions.{name}"
        out[name] = Position(
            name,
            parse_pose(file, where, t.get("pose", {})),
            _landmarks(file, where, "contact", t.get("contact")),
        )
    return out


def _parse_limits(file: str, data: Any) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for name, value in (data or {}).items():
        low, high = _numbers(file, "limits", name, value, 2)
        if f"left_{name}" not in ANGLE_NAMES and name not in ANGLE_NAMES:
            raise _fail(file, "limits", f"'{name}' is not an angle name")
        out[name] = (low, high)
    return out


def _parse_file(
    file: str,
    text: str,
    positions: Mapping[str, Position] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[dict[str, Figure], dict[str, tuple[float, float]], dict[str, Position]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FigureError(f"{file}: is not valid TOML ({exc}); fix the syntax") from None
    own_positions = _parse_positions(file, data.get("positions"))
    all_positions = {**(positions or {}), **own_positions}
    limits = {**(limits or {}), **_parse_limits(file, data.get("limits"))}
    figures = {
        ident: _parse_figure(file, ident, t, all_positions, limits)
        for ident, t in (data.get("figures") or {}).items()
    }
    return figures, limits, all_positions


@lru_cache(maxsize=1)
def _builtin() -> FigureSet:
    text = (
        resources.files("triplane.core.catalogue")
        .joinpath("data/figures.toml")
        .read_text(encoding="utf-8")
    )
    figures, limits, positions = _parse_file("figures.toml", text)
    return FigureSet(figures, limits, positions)


def load_figures(coach_dir: Path | None = None) -> FigureSet:
    """The packaged figures, plus ``<coach_dir>/figures/*.toml`` when a coach folder is given."""
    builtin = _builtin()
    if coach_dir is None:
        return builtin
    figures = dict(builtin.figures)
    folder = Path(coach_dir) / "figures"
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        extra, _, _ = _parse_file(
            path.name, path.read_text(encoding="utf-8"), builtin.positions, builtin.limits
        )
        for ident in extra:
            if ident in builtin.figures:
                raise FigureError(
                    f"{path.name}: figures.{ident}: is a built-in figure; draw your own drills only"
                )
        figures.update(extra)
    return replace(builtin, figures=figures)


# --- default figures for drills without keyframes ----------------------------------------------

_MOTION_DELTA: dict[str, dict[str, float]] = {
    "flexion": {"left_hip_flexion": 60.0, "left_knee_flexion": 60.0},
    "extension": {"left_hip_flexion": -15.0},
    "abduction": {"left_hip_abduction": 35.0},
    "adduction": {"left_hip_abduction": -15.0},
    "internal_rotation": {"left_hip_rotation": 30.0},
    "external_rotation": {"left_hip_rotation": -40.0},
}
_MOTION_VIEW = {"sagittal": "side", "frontal": "front", "transverse": "three_quarter"}


def default_figure(ident: str, position: str, primary_motion: str, figures: FigureSet) -> Figure:
    """A simple two-keyframe figure from a drill's position and primary motion."""
    from triplane.core.anatomy import MOTION_PLANE

    base = figures.positions.get(position, figures.positions["standing"])
    start = JointAngles.of(base.pose)
    delta = dict(_MOTION_DELTA.get(primary_motion, {}))
    if "rotation" in primary_motion and start.left_knee_flexion < 60:
        # Hip rotation only shows with the knee bent: lift the thigh as in a hip swivel.
        start = replace(
            start, left_hip_flexion=max(start.left_hip_flexion, 80.0), left_knee_flexion=90.0
        )
    end = start.with_angles({k: getattr(start, k) + v for k, v in delta.items()})
    plane = MOTION_PLANE.get(primary_motion, "sagittal")
    group = {
        "flexion": "hip_flexion",
        "extension": "hip_flexion",
        "abduction": "hip_abduction",
        "adduction": "hip_abduction",
    }.get(primary_motion, "hip_rotation")
    distal = "left_ankle" if group == "hip_rotation" else "left_knee"
    joint = "left_knee" if group == "hip_rotation" else "left_hip"
    frames = (
        Keyframe("start", start, DEFAULT_HOLD, DEFAULT_MOVE, base.contact),
        Keyframe("end_range", end, 2.0, DEFAULT_MOVE, base.contact),
    )
    return Figure(
        id=ident,
        view=_MOTION_VIEW[plane],
        position=base.name,
        sided=True,
        props=(Prop("floor"),),
        keyframes=frames,
        anchor=base.contact[0],
        arc=Arc(f"left_{group}", joint, distal, "start", "end_range"),
        generated=True,
    )


# --- placing the body on the floor -------------------------------------------------------------


def pad(name: str, height_m: float = HEIGHT_M) -> float:
    return PADS.get(name, 0.0) * height_m


def _shift(points: Points, dx: float, dy: float, dz: float) -> Points:
    return {k: (v[0] + dx, v[1] + dy, v[2] + dz) for k, v in points.items()}


def lowest(points: Points, names: Iterable[str], height_m: float = HEIGHT_M) -> float:
    return min(points[n][1] - pad(n, height_m) for n in names)


def place(
    angles: JointAngles,
    contact: Iterable[str],
    anchor: str,
    anchor_at: tuple[float, float] = (0.0, 0.0),
    height_m: float = HEIGHT_M,
    lift: float | None = None,
) -> Points:
    """The pose's points, moved so its lowest contact is on the floor (or raised by ``lift``
    metres above where the body would be with no contacts) and its anchor at ``anchor_at``
    (x, z)."""
    pts = forward(angles, height_m)
    ax, _, az = pts[anchor]
    dy = -lowest(pts, contact, height_m) if lift is None else lift
    return _shift(pts, anchor_at[0] - ax, dy, anchor_at[1] - az)


def keyframe_points(figure: Figure, height_m: float = HEIGHT_M) -> list[Points]:
    return [place(k.angles, k.contact, figure.anchor, height_m=height_m) for k in figure.keyframes]


def interpolate(a: JointAngles, b: JointAngles, t: float) -> JointAngles:
    return JointAngles(**{n: (1 - t) * getattr(a, n) + t * getattr(b, n) for n in ANGLE_NAMES})


def between(figure: Figure, i: int, j: int, t: float, height_m: float = HEIGHT_M) -> Points:
    """Points at fraction t of the way from keyframe i to keyframe j (angles interpolated).

    Contacts both keyframes share stay on the floor; otherwise the height is interpolated.
    """
    ka, kb = figure.keyframes[i], figure.keyframes[j]
    angles = interpolate(ka.angles, kb.angles, t)
    shared = [c for c in ka.contact if c in kb.contact]
    if shared:
        pts = place(angles, shared, figure.anchor, height_m=height_m)
        # Interpolated angles can swing a foot through the floor (a 90/90 switch does): let
        # that leg bend just enough to slide along the floor instead.
        sunk = {
            n: (None, 0.0, None)
            for n in _LEG_POINTS
            if pts[n][1] - min(pad(n, height_m), 0.035 * height_m) < -0.005 * height_m
        }
        if sunk:
            sides = sorted({n.split("_")[0] for n in sunk})
            free = [f"{s}_{a}" for s in sides for a in _LEG_ANGLES]
            angles, _ = solve(angles, shared, figure.anchor, sunk, free, {}, height_m)
            pts = place(angles, shared, figure.anchor, height_m=height_m)
        return pts
    pa = place(ka.angles, ka.contact, figure.anchor, height_m=height_m)
    pb = place(kb.angles, kb.contact, figure.anchor, height_m=height_m)
    unplaced = forward(angles, height_m)
    ya = pa["pelvis_centre"][1] - forward(ka.angles, height_m)["pelvis_centre"][1]
    yb = pb["pelvis_centre"][1] - forward(kb.angles, height_m)["pelvis_centre"][1]
    ax, _, az = unplaced[figure.anchor]
    pts = _shift(unplaced, -ax, (1 - t) * ya + t * yb, -az)
    # Nothing to slide along here (the contacts change): lift the body out of the floor.
    sink = min(p[1] - min(pad(n, height_m), 0.035 * height_m) for n, p in pts.items())
    return _shift(pts, 0.0, -sink, 0.0) if sink < 0 else pts


# --- solving keyframes so feet stay planted and contacts touch the floor ------------------------

_LEG_ANGLES = ("hip_flexion", "hip_abduction", "knee_flexion", "ankle_dorsiflexion")
_LEG_POINTS = tuple(
    f"{s}_{p}" for s in ("left", "right") for p in ("knee", "ankle", "heel", "foot_index")
)


def _linear_solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-15:
            continue
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-15 else 0.0 for i in range(n)]


def solve(
    angles: JointAngles,
    contact: Iterable[str],
    anchor: str,
    targets: Mapping[str, tuple[float | None, ...]],
    free: Iterable[str] | None,
    limits: Mapping[str, tuple[float, float]],
    height_m: float = HEIGHT_M,
) -> tuple[JointAngles, float]:
    """Adjust a few angles (damped least squares) so landmarks reach their targets.

    A target is a world point, or (None, 0, None) for "resting on the floor". The body is
    placed on the floor by the contacts that are not targets. ``free`` defaults to the hip
    flexion and abduction, knee and ankle of each leg with a target.
    """
    contact = tuple(contact)
    ground = tuple(c for c in contact if c not in targets) or contact
    if free is None:
        sides = {n.split("_")[0] for n in targets if n.split("_")[0] in ("left", "right")}
        free = [f"{s}_{a}" for s in sorted(sides) for a in _LEG_ANGLES]
    names = list(free)

    def residual(a: JointAngles) -> list[float]:
        pts = place(a, ground, anchor, height_m=height_m)
        out: list[float] = []
        for n, target in targets.items():
            for i in range(3):
                t = target[i]
                if t is not None:
                    value = pts[n][i] - (pad(n, height_m) if i == 1 and target[0] is None else 0)
                    out.append(100 * (value - t))
        return out

    def clamp(name: str, value: float) -> float:
        lim = _limit_for(name, limits)
        return value if lim is None else min(max(value, lim[0]), lim[1])

    current = angles
    lam = 0.05
    for _ in range(60):
        r = residual(current)
        cost = sum(x * x for x in r)
        if cost < 1e-4:
            break
        jac: list[list[float]] = []
        for name in names:
            h = 0.01
            bumped = replace(current, **{name: getattr(current, name) + h})
            jac.append([(b - a) / h for a, b in zip(r, residual(bumped), strict=True)])
        jtj = [[sum(x * y for x, y in zip(ji, jk, strict=True)) for jk in jac] for ji in jac]
        for i in range(len(names)):
            jtj[i][i] += lam
        jtr = [-sum(x * y for x, y in zip(ji, r, strict=True)) for ji in jac]
        step = _linear_solve(jtj, jtr)
        trial = current.with_angles(
            {
                n: clamp(n, getattr(current, n) + max(-20.0, min(20.0, d)))
                for n, d in zip(names, step, strict=True)
            }
        )
        if sum(x * x for x in residual(trial)) < cost:
            current, lam = trial, max(lam / 3, 1e-4)
        else:
            lam *= 10
    worst = max((abs(x) for x in residual(current)), default=0.0)
    return current, worst


# --- validation --------------------------------------------------------------------------------


def _limit_for(name: str, limits: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    for prefix in ("left_", "right_"):
        if name.startswith(prefix):
            return limits.get(name[len(prefix) :])
    return limits.get(name)


def check_figure(
    figure: Figure, limits: Mapping[str, tuple[float, float]], height_m: float = HEIGHT_M
) -> list[str]:
    """Problems with one figure's keyframes (empty when it is anatomically possible)."""
    problems: list[str] = []
    where = f"figures.{figure.id}"
    for k, pts in zip(figure.keyframes, keyframe_points(figure, height_m), strict=True):
        for name in ANGLE_NAMES:
            lim = _limit_for(name, limits)
            value = float(getattr(k.angles, name))
            if lim is not None and not lim[0] <= value <= lim[1]:
                problems.append(
                    f"{where}: keyframe '{k.name}': {name} is {value:g} degrees, outside the "
                    f"anatomical limits {lim[0]:g}..{lim[1]:g}"
                )
        for name, p in pts.items():
            # Flesh is thinner than the contact pads in most directions: cap it for this check.
            flesh = (
                pad(name, height_m)
                if name == "head_centre"
                else min(pad(name, height_m), 0.035 * height_m)
            )
            depth = p[1] - flesh
            if depth < -THROUGH_FLOOR_TOLERANCE * height_m:
                problems.append(
                    f"{where}: keyframe '{k.name}': {name} is {-depth * 100:.0f} cm through "
                    "the floor"
                )
        for name in k.contact:
            gap = pts[name][1] - pad(name, height_m)
            if gap > CONTACT_TOLERANCE * height_m:
                problems.append(
                    f"{where}: keyframe '{k.name}': {name} should rest on the floor but is "
                    f"{gap * 100:.0f} cm above it"
                )
        if k.miss_cm > 3:
            problems.append(
                f"{where}: keyframe '{k.name}': the planted or touching points cannot all be "
                f"reached (off by {k.miss_cm:.0f} cm); change the pose or free more angles"
            )
    if figure.arc is not None:
        names = [k.name for k in figure.keyframes]
        if figure.arc.start not in names or figure.arc.end not in names:
            problems.append(f"{where}: arc names a keyframe the figure does not have")
    return problems


def validate_figures(
    figures: FigureSet | None = None, catalogue: Any = None, height_m: float = HEIGHT_M
) -> list[str]:
    """Every problem with the figures, as sentences; an empty list means all is well.

    With a catalogue (default: the packaged one), figures must cover exactly its built-in
    drills and lunge directions. Coach drills need no figure (they get a default one), but a
    coach figure must belong to one of the catalogue's drills.
    """
    figs = figures or load_figures()
    problems: list[str] = []
    if catalogue is None:
        from triplane.core.catalogue import load_catalogue

        catalogue = load_catalogue()
    builtin = {d.id for d in catalogue.drills.values() if d.origin == "triplane"}
    coach = {d.id for d in catalogue.drills.values() if d.origin != "triplane"}
    directions = {d.id for d in catalogue.lunge.directions}
    wanted = builtin | directions
    for ident in sorted(wanted - set(figs.figures)):
        problems.append(f"figures.toml: no figure for '{ident}'; add [figures.{ident}]")
    for ident in sorted(set(figs.figures) - wanted - coach):
        problems.append(
            f"figures.toml: figures.{ident}: is not a drill or lunge direction in the catalogue"
        )
    for fig in figs.figures.values():
        problems.extend(check_figure(fig, figs.limits, height_m))
    return problems

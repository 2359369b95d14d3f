"""Draw a figure as SVG: a looped animation between keyframes, or a static strip for print.

Projection is orthographic from the figure's view (front, side, top or three-quarter; the side
and three-quarter views look from the working side). Units are centimetres. The working leg is
drawn in the accent colour, the far-side limbs lighter, every limb with a halo so overlaps
stay readable; the arc of motion of the drill's main joint is drawn with its angle at the end
range. Colours are CSS custom properties in the SVG with a ``prefers-color-scheme: dark``
variant; the animation is SMIL ``<animate>`` (no script), and with ``prefers-reduced-motion``
the end-range pose is shown still. No external references: fonts are the system's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from triplane.core.body import Points, Vec
from triplane.figures.keyframes import (
    HEIGHT_M,
    Figure,
    FigureError,
    between,
    default_figure,
    keyframe_points,
    load_figures,
    pad,
)

Pt = tuple[float, float, float]  # screen x, screen y (down), depth (towards the viewer)

# Camera: (screen right, screen up, towards the viewer), in world axes (X fwd, Y up, Z right).
_S = math.sqrt(0.5)
_EL = math.radians(18)


def _three_quarter() -> tuple[Vec, Vec, Vec]:
    toward = (math.cos(_EL) * _S, math.sin(_EL), -math.cos(_EL) * _S)  # front-left, above
    right = (-_S, 0.0, -_S)
    up = (
        toward[1] * right[2] - toward[2] * right[1],
        toward[2] * right[0] - toward[0] * right[2],
        toward[0] * right[1] - toward[1] * right[0],
    )
    return right, up, toward


CAMERAS: dict[str, tuple[Vec, Vec, Vec]] = {
    "front": ((0.0, 0.0, -1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)),
    "side": ((-1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),  # from the left
    "top": ((0.0, 0.0, 1.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "three_quarter": _three_quarter(),
}

STYLE = """
.fig{--ink:#1f2933;--far:#8a96a3;--work:#d9480f;--work-far:#f08c4a;--halo:#ffffff;
--floor:#9aa5b1;--floor-fill:#eef1f4;--prop:#c7ced6;--prop-edge:#7b8794;--arc:#1864ab;}
@media (prefers-color-scheme: dark){.fig{--ink:#e4e7eb;--far:#7b8794;--work:#ff922b;
--work-far:#c2661b;--halo:#15191e;--floor:#616e7c;--floor-fill:#1f262e;--prop:#323f4b;
--prop-edge:#9aa5b1;--arc:#74c0fc;}}
.seg{fill:none;stroke-linecap:round;stroke-linejoin:round}
.halo{stroke:var(--halo)} .halo.solid{fill:var(--halo)}
.near{stroke:var(--ink)} .near.solid{fill:var(--ink)}
.far{stroke:var(--far)} .far.solid{fill:var(--far)}
.work{stroke:var(--work)} .work.far{stroke:var(--work-far)}
.floor{fill:var(--floor-fill);stroke:var(--floor);stroke-width:1.5;stroke-linejoin:round}
.prop{fill:var(--prop);stroke:var(--prop-edge);stroke-width:1;stroke-linejoin:round}
.arc{fill:none;stroke:var(--arc);stroke-width:1.6}
.ghost{fill:none;stroke:var(--arc);stroke-width:1.2;stroke-dasharray:3 3;stroke-linecap:round}
.lbl{fill:var(--arc);font:600 9px system-ui,-apple-system,'Segoe UI',sans-serif;
paint-order:stroke;stroke:var(--halo);stroke-width:2.5px;stroke-linejoin:round}
.nose{fill:var(--halo);stroke:var(--ink);stroke-width:1.4}
.cap{fill:var(--ink);font:600 10px system-ui,-apple-system,'Segoe UI',sans-serif}
.still{display:none}
@media (prefers-reduced-motion: reduce){.anim{display:none}.still{display:inline}}
"""

# (kind, landmarks, width in cm, part); part decides the colour class.
_LIMBS: list[tuple[str, tuple[str, ...], float, str]] = [
    ("poly", ("left_shoulder", "right_shoulder", "right_hip", "left_hip"), 12.0, "trunk"),
    ("line", ("pelvis_centre", "neck"), 19.0, "trunk"),
    ("line", ("neck", "head_centre"), 7.0, "trunk"),
    ("head", ("head_centre",), 0.0, "trunk"),
    ("nose", ("head_centre", "nose"), 0.0, "trunk"),
]
for _side in ("left", "right"):
    _LIMBS += [
        ("line", (f"{_side}_hip", f"{_side}_knee"), 10.5, f"{_side}_leg"),
        ("line", (f"{_side}_knee", f"{_side}_ankle"), 8.0, f"{_side}_leg"),
        ("poly", (f"{_side}_heel", f"{_side}_ankle", f"{_side}_foot_index"), 3.5, f"{_side}_leg"),
        ("line", (f"{_side}_shoulder", f"{_side}_elbow"), 7.0, f"{_side}_arm"),
        ("line", (f"{_side}_elbow", f"{_side}_wrist"), 6.0, f"{_side}_arm"),
    ]
HALO = 2.6  # extra width of the halo round each limb, cm
HEAD_R = 11.0


@dataclass
class _Sample:
    time: float
    points: Points
    arc: float  # opacity of the arc of motion


# --- looking up figures ------------------------------------------------------------------------


def _catalogue(coach_dir: Path | None) -> Any:
    from triplane.core.catalogue import load_catalogue

    return load_catalogue(coach_dir) if coach_dir is not None else load_catalogue()


def get_figure(entry_id: str, coach_dir: Path | None = None) -> tuple[Figure, str]:
    """The figure for a drill or lunge-direction id, and the entry's display name."""
    figs = load_figures(coach_dir)
    cat = _catalogue(coach_dir)
    name = entry_id.replace("_", " ")
    drill = cat.drills.get(entry_id)
    if drill is not None:
        name = drill.name
    else:
        for d in cat.lunge.directions:
            if d.id == entry_id:
                name = d.name
    if entry_id in figs.figures:
        return figs.figures[entry_id], name
    if drill is not None:
        return default_figure(entry_id, drill.position, drill.primary_motion, figs), name
    raise FigureError(
        f"'{entry_id}' is not a drill or lunge direction; see `triplane drills` for the ids"
    )


def figure_sides(entry_id: str, coach_dir: Path | None = None) -> list[str | None]:
    """[None] when both sides look the same, else ["left", "right"]."""
    fig, _ = get_figure(entry_id, coach_dir)
    return ["left", "right"] if fig.sided else [None]


# --- projection --------------------------------------------------------------------------------


def project(points: Points, view: str, mirror: bool = False) -> dict[str, Pt]:
    right, up, toward = CAMERAS[view]
    k = -1.0 if mirror else 1.0
    out: dict[str, Pt] = {}
    for name, p in points.items():
        sx = 100 * (p[0] * right[0] + p[1] * right[1] + p[2] * right[2])
        sy = -100 * (p[0] * up[0] + p[1] * up[1] + p[2] * up[2])
        d = 100 * (p[0] * toward[0] + p[1] * toward[1] + p[2] * toward[2])
        out[name] = (k * sx, sy, d)
    return out


def _smooth(t: float) -> float:
    return t * t * (3 - 2 * t)


def timeline(fig: Figure) -> tuple[list[_Sample], float]:
    """Samples of the loop (keyframes held, moves eased), and its length in seconds."""
    keys = keyframe_points(fig, HEIGHT_M)
    n = len(keys)
    end = _arc_end_index(fig)
    same_ends = fig.keyframes[-1].angles == fig.keyframes[0].angles
    samples: list[_Sample] = []
    t = 0.0
    for i in range(n):
        k = fig.keyframes[i]
        op = 1.0 if i == end else 0.0
        samples.append(_Sample(t, keys[i], op))
        if k.hold > 0:
            t += k.hold
            samples.append(_Sample(t, keys[i], op))
        if i == n - 1 and same_ends:
            break
        j = (i + 1) % n
        op_j = 1.0 if j == end else 0.0
        steps = max(4, round(k.move * 8))
        for s in range(1, steps):
            f = _smooth(s / steps)
            samples.append(
                _Sample(t + k.move * s / steps, between(fig, i, j, f), op + (op_j - op) * f)
            )
        t += k.move
        if j == 0:
            samples.append(_Sample(t, keys[0], op_j))
    return samples, max(t, 0.1)


def _arc_end_index(fig: Figure) -> int:
    names = [k.name for k in fig.keyframes]
    if fig.arc is not None:
        return names.index(fig.arc.end)
    return names.index("end_range") if "end_range" in names else min(1, len(names) - 1)


def timing(entry_id: str, coach_dir: Path | None = None) -> dict[str, Any]:
    """When the looped animation reaches and leaves the end-range pose, and its length (s):
    the web timer sets the figure's clock from these so it moves with the timer's phases."""
    fig, _ = get_figure(entry_id, coach_dir)
    end = _arc_end_index(fig)
    arrive = sum(k.hold + k.move for k in fig.keyframes[:end])
    return {
        "loop": round(timeline(fig)[1], 3),
        "arrive": round(arrive, 3),
        "leave": round(arrive + fig.keyframes[end].hold, 3),
        "sided": fig.sided,
    }


# --- props -------------------------------------------------------------------------------------


Face = tuple[list[Vec], Vec]  # corners, outward direction


def _cuboid(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> list[Face]:
    c = [(x, y, z) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    mid = ((x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2)
    idx = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    faces: list[Face] = []
    for face in idx:
        corners = [c[i] for i in face]
        centre = tuple(sum(p[i] for p in corners) / 4 - mid[i] for i in range(3))
        faces.append((corners, (centre[0], centre[1], centre[2])))
    return faces


def _prop_faces(fig: Figure, pts: Points, all_pts: list[Points]) -> list[Face]:
    faces: list[Face] = []
    xs = [p[0] for f in all_pts for p in f.values()]
    for prop in fig.props:
        if prop.kind == "floor":
            continue
        assert prop.at is not None
        x, y, z = pts[prop.at]
        top = max(0.05, y - pad(prop.at))
        distal = prop.at.replace("_knee", "_ankle")
        if distal != prop.at and abs(pts[distal][1] - y) < 0.12:
            # A shin lying on the prop: centre the prop under the shin, not just the knee.
            x, z = (x + pts[distal][0]) / 2, (z + pts[distal][2]) / 2
        if prop.kind in ("box", "step"):
            hx, hz = (0.25, 0.25) if prop.kind == "box" else (0.2, 0.35)
            faces += _cuboid(x - hx, x + hx, 0.0, top, z - hz, z + hz)
        elif prop.kind in ("chair", "table"):
            hx, hz = (0.22, 0.22) if prop.kind == "chair" else (0.35, 0.55)
            for lx in (x - hx + 0.03, x + hx - 0.03):
                for lz in (z - hz + 0.03, z + hz - 0.03):
                    faces += _cuboid(lx - 0.02, lx + 0.02, 0.0, top - 0.05, lz - 0.02, lz + 0.02)
            faces += _cuboid(x - hx, x + hx, top - 0.05, top, z - hz, z + hz)
            if prop.kind == "chair":
                away = x + hx if x >= pts["pelvis_centre"][0] else x - hx
                faces += _cuboid(away - 0.03, away + 0.03, top, top + 0.45, z - hz, z + hz)
        elif prop.kind == "wall":
            side = 1.0 if z >= pts["pelvis_centre"][2] else -1.0
            wz = z + side * pad(prop.at)
            z0, z1 = sorted((wz, wz + side * 0.05))
            faces += _cuboid(min(xs) - 0.3, max(xs) + 0.3, 0.0, 2.0, z0, z1)
    return faces


def _floor_face(all_pts: list[Points]) -> list[Vec]:
    xs = [p[0] for f in all_pts for p in f.values()]
    zs = [p[2] for f in all_pts for p in f.values()]
    x0, x1, z0, z1 = min(xs) - 0.15, max(xs) + 0.15, min(zs) - 0.15, max(zs) + 0.15
    return [(x0, 0.0, z0), (x1, 0.0, z0), (x1, 0.0, z1), (x0, 0.0, z1)]


def _visible(face: Face, view: str) -> bool:
    t = CAMERAS[view][2]
    n = face[1]
    return n[0] * t[0] + n[1] * t[1] + n[2] * t[2] > 1e-6


def _depth(face: Face, view: str) -> float:
    t = CAMERAS[view][2]
    return sum(p[0] * t[0] + p[1] * t[1] + p[2] * t[2] for p in face[0]) / len(face[0])


# --- drawing -----------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    return "0" if s in ("-0.0", "0.0") else s.removesuffix(".0")


def _classes(fig: Figure, part: str, depth_left: float, depth_right: float) -> str:
    side = part.split("_")[0] if part != "trunk" else None
    far = False
    if side is not None and abs(depth_left - depth_right) > 4:
        far = (depth_left < depth_right) if side == "left" else (depth_right < depth_left)
    cls = "far" if far else "near"
    if part.endswith("leg") and (side == "left" or not fig.sided):
        cls += " work"  # the working leg; both legs when the sides do not differ
    return cls


def _shape(kind: str, names: tuple[str, ...], pts: dict[str, Pt]) -> dict[str, str]:
    if kind == "line":
        a, b = pts[names[0]], pts[names[1]]
        return {"x1": _fmt(a[0]), "y1": _fmt(a[1]), "x2": _fmt(b[0]), "y2": _fmt(b[1])}
    if kind == "head":
        c = pts[names[0]]
        return {"cx": _fmt(c[0]), "cy": _fmt(c[1])}
    if kind == "nose":
        c, n = pts[names[0]], pts[names[1]]
        dx, dy = n[0] - c[0], n[1] - c[1]
        k = HEAD_R / max(math.hypot(dx, dy), HEAD_R)  # at the rim, or inside it seen face-on
        return {"cx": _fmt(c[0] + dx * k), "cy": _fmt(c[1] + dy * k)}
    return {"points": " ".join(f"{_fmt(pts[n][0])},{_fmt(pts[n][1])}" for n in names)}


def _element(tag: str, attrs: dict[str, str], children: str = "") -> str:
    a = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{tag}{a}>{children}</{tag}>" if children else f"<{tag}{a}/>"


def _figure_elements(
    fig: Figure, frames: list[dict[str, Pt]], times: list[float] | None, dur: float
) -> list[str]:
    """The body, depth-sorted (far first). With times, every shape animates across frames."""
    mean_depth = {n: sum(f[n][2] for f in frames) / len(frames) for n in frames[0]}
    dl = (mean_depth["left_hip"] + mean_depth["left_shoulder"]) / 2
    dr = (mean_depth["right_hip"] + mean_depth["right_shoulder"]) / 2
    items: list[tuple[float, str]] = []
    torso: list[str] = []
    torso_depth = 0.0
    for kind, names, width, part in _LIMBS:
        depth = sum(mean_depth[n] for n in names) / len(names)
        if part.endswith("arm"):
            depth += 0.5
        cls = _classes(fig, part, dl, dr)
        body_attrs = _shape(kind, names, frames[0])
        anim = ""
        if times is not None:
            key_times = ";".join(f"{t / dur:.4f}" for t in times)
            for attr in body_attrs:
                values = ";".join(_shape(kind, names, f)[attr] for f in frames)
                anim += _element(
                    "animate",
                    {
                        "attributeName": attr,
                        "dur": f"{dur:.2f}s",
                        "repeatCount": "indefinite",
                        "keyTimes": key_times,
                        "values": values,
                        "calcMode": "linear",
                    },
                )
        out = []
        for role, extra in (("halo", HALO), (cls, 0.0)):
            attrs = dict(body_attrs)
            if kind == "nose":
                if role != "halo":
                    attrs["r"] = "3.2"
                    attrs["class"] = "nose"
                    out.append(_element("circle", attrs, anim))
                continue
            if kind == "head":
                attrs["r"] = _fmt(HEAD_R + extra / 2)
                attrs["class"] = f"{role} solid"
                out.append(_element("circle", attrs, anim))
                continue
            tag = "line" if kind == "line" else "polygon"
            solid = " solid" if kind == "poly" else ""
            attrs["class"] = f"seg {role}{solid}"
            attrs["stroke-width"] = _fmt(width + extra)
            out.append(_element(tag, attrs, anim))
        if kind in ("poly", "line") and part == "trunk" and names[0] != "neck":
            torso[0:0] = [out[0]]  # halos first, then the bodies, so the torso reads as one
            torso.append(out[1])
            torso_depth = depth
            continue
        items.append((depth, "".join(out)))
    if torso:
        halos = torso[: len(torso) // 2]
        bodies = torso[len(torso) // 2 :]
        items.append((torso_depth, "".join(halos + bodies)))
    items.sort(key=lambda it: it[0])
    return [s for _, s in items]


def _label(fig: Figure) -> str:
    assert fig.arc is not None
    angle = fig.arc.angle.removeprefix("left_").removeprefix("right_")
    value = float(getattr(fig.keyframe(fig.arc.end).angles, fig.arc.angle))
    names = {
        "hip_flexion": ("hip flexion", "hip extension"),
        "hip_abduction": ("hip abduction", "hip adduction"),
        "hip_rotation": ("hip IR", "hip ER"),
        "knee_flexion": ("knee flexion", "knee flexion"),
        "ankle_dorsiflexion": ("dorsiflexion", "plantarflexion"),
        "trunk_flexion": ("trunk flexion", "trunk extension"),
        "trunk_side_bend": ("side bend", "side bend"),
        "trunk_rotation": ("rotation", "rotation"),
        "pelvis_rotation": ("turn", "turn"),
        "pelvis_tilt": ("tilt", "tilt"),
        "pelvis_obliquity": ("hip hike", "hip drop"),
        "shoulder_flexion": ("arm raise", "arm back"),
        "shoulder_abduction": ("arm out", "arm across"),
        "elbow_flexion": ("elbow", "elbow"),
    }
    pos, neg = names.get(angle, (angle.replace("_", " "), angle.replace("_", " ")))
    return f"{pos if value >= 0 else neg} {abs(value):.0f}\u00b0"


def _arc_svg(fig: Figure, start: dict[str, Pt], end: dict[str, Pt]) -> str:
    if fig.arc is None:
        return ""
    j, d = fig.arc.joint, fig.arc.distal
    cx, cy = end[j][0], end[j][1]
    v0 = (start[d][0] - start[j][0], start[d][1] - start[j][1])
    v1 = (end[d][0] - cx, end[d][1] - cy)
    len1 = math.hypot(*v1)
    len0 = math.hypot(*v0)
    parts = []
    a1 = math.atan2(v1[1], v1[0])
    a0 = math.atan2(v0[1], v0[0]) if len0 > 1e-6 else a1
    r = max(14.0, 0.55 * max(len1, len0, 1.0))
    if len0 > 1e-6:
        gx, gy = cx + v0[0], cy + v0[1]
        parts.append(
            _element(
                "line",
                {"class": "ghost", "x1": _fmt(cx), "y1": _fmt(cy), "x2": _fmt(gx), "y2": _fmt(gy)},
            )
        )
    delta = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
    if abs(delta) > math.radians(3):
        x0, y0 = cx + r * math.cos(a0), cy + r * math.sin(a0)
        x1, y1 = cx + r * math.cos(a1), cy + r * math.sin(a1)
        sweep = "1" if delta > 0 else "0"
        path = f"M{_fmt(x0)} {_fmt(y0)} A{_fmt(r)} {_fmt(r)} 0 0 {sweep} {_fmt(x1)} {_fmt(y1)}"
        parts.append(_element("path", {"class": "arc", "d": path}))
        # arrow head at the end of the arc
        tang = a1 + (math.pi / 2 if delta > 0 else -math.pi / 2)
        hx, hy = x1 - 5 * math.cos(tang), y1 - 5 * math.sin(tang)
        parts.append(
            _element(
                "path",
                {
                    "class": "arc",
                    "d": f"M{_fmt(hx + 2.5 * math.cos(a1))} {_fmt(hy + 2.5 * math.sin(a1))} "
                    f"L{_fmt(x1)} {_fmt(y1)} L{_fmt(hx - 2.5 * math.cos(a1))} "
                    f"{_fmt(hy - 2.5 * math.sin(a1))}",
                },
            )
        )
    mid = a0 + delta / 2
    lx, ly = cx + (r + 12) * math.cos(mid), cy + (r + 12) * math.sin(mid)
    anchor = "start" if math.cos(mid) > 0.3 else "end" if math.cos(mid) < -0.3 else "middle"
    parts.append(
        _element(
            "text",
            {"class": "lbl", "x": _fmt(lx), "y": _fmt(ly + 3), "text-anchor": anchor},
            escape(_label(fig)),
        )
    )
    return "".join(parts)


def _bbox(frames: list[dict[str, Pt]], extra: list[tuple[float, float]]) -> tuple[float, ...]:
    xs = [p[0] for f in frames for p in f.values()] + [e[0] for e in extra]
    ys = [p[1] for f in frames for p in f.values()] + [e[1] for e in extra]
    m = 16.0
    return (min(xs) - m, min(ys) - m, max(xs) + m, max(ys) + m)


def _scene(fig: Figure, mirror: bool) -> dict[str, Any]:
    keys = keyframe_points(fig, HEIGHT_M)
    samples, dur = timeline(fig)
    all_pts = keys + [s.points for s in samples]
    floor = _floor_face(all_pts) if any(p.kind == "floor" for p in fig.props) else None
    faces = _prop_faces(fig, keys[0], all_pts)

    def proj_face(face: list[Vec]) -> list[tuple[float, float]]:
        pr = project({str(i): p for i, p in enumerate(face)}, fig.view, mirror)
        return [(pr[str(i)][0], pr[str(i)][1]) for i in range(len(face))]

    visible = sorted((f for f in faces if _visible(f, fig.view)), key=lambda f: _depth(f, fig.view))
    faces2d = [proj_face(f[0]) for f in visible]
    floor2d = proj_face(floor) if floor is not None else None
    return {
        "keys": [project(k, fig.view, mirror) for k in keys],
        "samples": [project(s.points, fig.view, mirror) for s in samples],
        "times": [s.time for s in samples],
        "arc_op": [s.arc for s in samples],
        "dur": dur,
        "faces": faces2d,
        "floor": floor2d,
    }


def _poly(points: list[tuple[float, float]], cls: str) -> str:
    return _element(
        "polygon", {"class": cls, "points": " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)}
    )


def _props_svg(scene: dict[str, Any], dx: float = 0.0) -> str:
    out = []
    if scene["floor"] is not None:
        out.append(_poly([(x + dx, y) for x, y in scene["floor"]], "floor"))
    for face in scene["faces"]:
        out.append(_poly([(x + dx, y) for x, y in face], "prop"))
    return "".join(out)


def _svg(view_box: tuple[float, float, float, float], title: str, body: str) -> str:
    x0, y0, w, h = view_box
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="fig" role="img" '
        f'viewBox="{_fmt(x0)} {_fmt(y0)} {_fmt(w)} {_fmt(h)}" '
        f'width="{_fmt(w * 2)}" height="{_fmt(h * 2)}" '
        'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>{body}</svg>"
    )


def _shift2d(frame: dict[str, Pt], dx: float) -> dict[str, Pt]:
    return {k: (v[0] + dx, v[1], v[2]) for k, v in frame.items()}


def drill_figure_svg(
    entry_id: str, side: str | None = None, animated: bool = True, coach_dir: Path | None = None
) -> str:
    """The figure of a drill or lunge direction as a standalone SVG document.

    ``side``: "left" or "right" for sided figures (default left); ignored otherwise.
    ``animated``: a looped animation at the drill's tempo; False gives the end-range pose.
    """
    fig, name = get_figure(entry_id, coach_dir)
    return figure_svg(fig, name, side, animated)


def test_figure_svg(test_id: str, motion: str, animated: bool = True) -> str:
    """An assessment test's figure: its position and the motion it measures (the generated
    two-keyframe figure drills without their own get)."""
    cat = _catalogue(None)
    test = cat.tests.get(test_id)
    if test is None or motion not in test.motions:
        raise FigureError(f"there is no test '{test_id}' of {motion}")
    fig = default_figure(f"test_{test_id}_{motion}", test.position, motion, load_figures())
    return figure_svg(fig, test.name, None, animated)


def figure_svg(fig: Figure, name: str, side: str | None = None, animated: bool = True) -> str:
    """A figure as a standalone SVG document (see drill_figure_svg)."""
    if side not in (None, "left", "right"):
        raise FigureError(f"side is {side!r}; expected left, right or nothing")
    mirror = fig.sided and side == "right"
    scene = _scene(fig, mirror)
    keys = scene["keys"]
    end = _arc_end_index(fig)
    start = [k.name for k in fig.keyframes].index(fig.arc.start) if fig.arc else 0
    arc = _arc_svg(fig, keys[start], keys[end])
    bb = _bbox(scene["samples"] + keys, _face_points(scene))
    bb = _fit_label(bb, arc)
    title = name + (f" ({side} side)" if fig.sided and side else "")
    still = "".join(_figure_elements(fig, [keys[end]], None, 1.0))
    if animated:
        moving = "".join(_figure_elements(fig, scene["samples"], scene["times"], scene["dur"]))
        key_times = ";".join(f"{t / scene['dur']:.4f}" for t in scene["times"])
        op = _element(
            "animate",
            {
                "attributeName": "opacity",
                "dur": f"{scene['dur']:.2f}s",
                "repeatCount": "indefinite",
                "keyTimes": key_times,
                "calcMode": "linear",
                "values": ";".join(f"{o:.2f}" for o in scene["arc_op"]),
            },
        )
        body = (
            _props_svg(scene)
            + f'<g class="anim">{moving}<g opacity="0">{op}{arc}</g></g>'
            + f'<g class="still">{still}{arc}</g>'
        )
    else:
        body = _props_svg(scene) + still + arc
    return _svg((bb[0], bb[1], bb[2] - bb[0], bb[3] - bb[1]), title, body)


def _face_points(scene: dict[str, Any]) -> list[tuple[float, float]]:
    pts = [p for f in scene["faces"] for p in f]
    if scene["floor"] is not None:
        pts += scene["floor"]
    return pts


def _fit_label(bb: tuple[float, ...], arc: str) -> tuple[float, ...]:
    # Labels sit at most ~(r + 12) from a joint inside the figure; leave room for the text.
    if not arc:
        return bb
    return (bb[0] - 40, bb[1] - 6, bb[2] + 40, bb[3] + 4)


def strip_svg(entry_id: str, side: str | None = None, coach_dir: Path | None = None) -> str:
    """The keyframes side by side, captioned, for print and the PDF report (no animation)."""
    fig, name = get_figure(entry_id, coach_dir)
    mirror = fig.sided and side == "right"
    scene = _scene(fig, mirror)
    keys = scene["keys"]
    end = _arc_end_index(fig)
    start = [k.name for k in fig.keyframes].index(fig.arc.start) if fig.arc else 0
    arc = _arc_svg(fig, keys[start], keys[end])
    bb = _fit_label(_bbox(keys, _face_points(scene)), arc)
    width = bb[2] - bb[0]
    gap = 10.0
    panels = []
    for i, (k, frame) in enumerate(zip(fig.keyframes, keys, strict=True)):
        dx = i * (width + gap)
        shifted = _shift2d(frame, dx)
        parts = _props_svg(scene, dx) + "".join(_figure_elements(fig, [shifted], None, 1.0))
        if i == end and fig.arc is not None:
            parts += _arc_svg(fig, _shift2d(keys[start], dx), shifted)
        caption = f"{i + 1}. {k.name.replace('_', ' ')}"
        parts += _element(
            "text",
            {"class": "cap", "x": _fmt(bb[0] + dx + 4), "y": _fmt(bb[3] + 12)},
            escape(caption),
        )
        panels.append(f"<g>{parts}</g>")
    n = len(keys)
    view = (bb[0], bb[1], n * width + (n - 1) * gap, bb[3] - bb[1] + 18)
    title = f"{name}: keyframes" + (f" ({side} side)" if fig.sided and side else "")
    return _svg(view, title, "".join(panels))


def write_all_figures(
    out_dir: Path, coach_dir: Path | None = None, animated: bool = True
) -> list[Path]:
    """Write ID.svg (or ID-left.svg and ID-right.svg) for every drill and lunge direction."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cat = _catalogue(coach_dir)
    ids = list(cat.drills) + [d.id for d in cat.lunge.directions]
    written: list[Path] = []
    for ident in ids:
        for side in figure_sides(ident, coach_dir):
            path = out_dir / (f"{ident}-{side}.svg" if side else f"{ident}.svg")
            path.write_text(drill_figure_svg(ident, side, animated, coach_dir), encoding="utf-8")
            written.append(path)
    return written

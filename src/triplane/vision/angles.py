"""Joint angles of one frame, from 3D landmarks named like MediaPipe's.

Hip flexion/abduction/rotation, knee flexion and trunk lean come from the body model's inverse
(:func:`triplane.core.body.hip_angles` and :func:`~triplane.core.body.trunk_angles`), so what
the video measures and what the figures draw agree (angles -> points -> angles round-trips).
This module adds what a video needs on top: which pelvis reference to use for a posture, the
frontal-plane projection angle of the knee, pelvic obliquity, and the camera's view of the
person. Everything here is pure Python on a ``{name: (x, y, z)}`` dict in the body model's
axes (Y up), so it is tested on synthetic skeletons from :func:`triplane.core.body.forward`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from triplane.core import body
from triplane.core.body import Points, Vec

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")
# Above this trunk lean from vertical the person is taken as not upright (seated leaning back,
# lying). The pelvis frame always comes from the trunk (with shoulders in view).
UPRIGHT_LEAN = 45.0
MIN_PROJECTED = 0.5  # fppa: a segment must keep this much of its length in the frontal plane


@dataclass(frozen=True)
class FrameAngles:
    """Angles of one frame, degrees; None where the landmarks needed were not trusted."""

    hip_flexion: dict[str, float | None]
    hip_abduction: dict[str, float | None]
    hip_rotation: dict[str, float | None]  # internal positive; None with a straight knee
    knee_flexion: dict[str, float | None]
    fppa: dict[str, float | None]  # knee frontal-plane projection angle, valgus positive
    trunk_flexion: float | None  # forward lean from vertical
    trunk_side_bend: float | None  # to the right positive
    pelvic_obliquity: float | None  # right hip lower positive (body model's convention)
    view_yaw: float | None  # 0 = camera sees the person from the front or back, 90 = side
    upright: bool | None

    def value(self, key: str, side: str | None = None) -> float | None:
        v = getattr(self, key)
        if isinstance(v, dict):
            per_side: dict[str, float | None] = v
            return per_side.get(side) if side else None
        scalar: float | None = v
        return scalar


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _mid(a: Vec, b: Vec) -> Vec:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def with_neck(points: Points) -> Points:
    """Add ``neck`` and ``pelvis_centre`` (midpoints) when a landmark set lacks them."""
    out = dict(points)
    if "neck" not in out and "left_shoulder" in out and "right_shoulder" in out:
        out["neck"] = _mid(out["left_shoulder"], out["right_shoulder"])
    if "pelvis_centre" not in out and "left_hip" in out and "right_hip" in out:
        out["pelvis_centre"] = _mid(out["left_hip"], out["right_hip"])
    return out


def trunk_lean(points: Points) -> float:
    """Angle of the pelvis-centre-to-neck line from world vertical, degrees (0 = upright)."""
    p = with_neck(points)
    v = _sub(p["neck"], p["pelvis_centre"])
    n = math.sqrt(_dot(v, v))
    return math.degrees(math.acos(max(-1.0, min(1.0, v[1] / n))))


def pelvis_reference(points: Points) -> Literal["trunk", "vertical"]:
    """The trunk (hips to shoulders) whenever the shoulders are there, never the camera's
    vertical: a pelvis tilted 30 degrees would read as 30 degrees of hip flexion (issue 13).
    The calibration pose, when recorded, removes the person's own trunk-to-thigh offset."""
    return "trunk" if "neck" in with_neck(points) else "vertical"


def fppa(points: Points, side: Side, frame: body.Frame | None = None) -> float | None:
    """Knee frontal-plane projection angle: hip, knee and ankle projected on the pelvis's frontal
    plane (its Y-Z plane); the angle between the thigh and shank lines there, positive when the
    knee sits medial of the hip-ankle line (valgus), negative for varus. None when the thigh or
    shank is foreshortened in that plane to under half its length (a deep squat, a hip flexed
    toward 90 degrees): the projection angle means nothing there."""
    p = with_neck(points)
    f = frame if frame is not None else body.pelvis_frame(p, pelvis_reference(p))
    _, y_axis, z_axis = f

    def proj(v: Vec) -> tuple[float, float]:
        return (_dot(v, y_axis), _dot(v, z_axis))

    hip, knee, ankle = (proj(p[f"{side}_{j}"]) for j in ("hip", "knee", "ankle"))
    thigh = (knee[0] - hip[0], knee[1] - hip[1])
    shank = (ankle[0] - knee[0], ankle[1] - knee[1])
    for seg, (a, b) in ((thigh, ("hip", "knee")), (shank, ("knee", "ankle"))):
        full = _sub(p[f"{side}_{b}"], p[f"{side}_{a}"])
        if math.hypot(*seg) < MIN_PROJECTED * math.sqrt(_dot(full, full)):
            return None  # the segment points at or away from the frontal plane: no angle
    # Signed turn from the thigh line to the shank line, in (Y, Z) coordinates. Medial is +Z
    # for the left leg and -Z for the right: a left knee medial of the hip-ankle line turns
    # the shank back toward -Z, which is a positive turn; the right leg is the mirror image.
    cross = thigh[0] * shank[1] - thigh[1] * shank[0]
    dot = thigh[0] * shank[0] + thigh[1] * shank[1]
    turn = math.degrees(math.atan2(cross, dot))
    return turn if side == "left" else -turn


def pelvic_obliquity(points: Points) -> float:
    """Hip line's tilt from horizontal, degrees; positive when the right hip is lower."""
    v = _sub(points["right_hip"], points["left_hip"])
    return math.degrees(math.atan2(-v[1], math.hypot(v[0], v[2])))


def view_yaw(points: Points) -> float:
    """How the camera sees the person, from the hip line in camera axes (Z toward the camera):
    0 degrees = from the front or back (the hip line across the image), 90 = from the side."""
    v = _sub(points["right_hip"], points["left_hip"])
    return math.degrees(math.atan2(abs(v[2]), math.hypot(v[0], v[1])))


def frame_angles(points: Points, trusted: set[str] | None = None) -> FrameAngles:
    """All angles of one frame. `trusted` names the landmarks that passed the visibility gate
    (None: all); an angle that needs an untrusted landmark is None."""
    p = with_neck(points)

    def ok(*names: str) -> bool:
        return all(n in p and (trusted is None or n in trusted) for n in names)

    trunk_ok = ok("left_hip", "right_hip", "left_shoulder", "right_shoulder")
    upright: bool | None = None
    frame = None
    if trunk_ok:
        upright = trunk_lean(p) <= UPRIGHT_LEAN
        frame = body.pelvis_frame(p, "trunk")
    elif ok("left_hip", "right_hip"):
        frame = body.pelvis_frame(p, "vertical")
    flex: dict[str, float | None] = {}
    abd: dict[str, float | None] = {}
    rot: dict[str, float | None] = {}
    knee: dict[str, float | None] = {}
    fp: dict[str, float | None] = {}
    for side in SIDES:
        flex[side] = abd[side] = rot[side] = knee[side] = fp[side] = None
        if frame is None or not ok(f"{side}_hip", f"{side}_knee", f"{side}_ankle"):
            continue
        h = body.hip_angles(p, side, pelvis_frame=frame)
        flex[side], abd[side], rot[side], knee[side] = (
            h.flexion,
            h.abduction,
            h.rotation,
            h.knee_flexion,
        )
        fp[side] = fppa(p, side, frame)
    tf = tsb = None
    if trunk_ok:
        tf, tsb, _ = body.trunk_angles(p)
    hips = ok("left_hip", "right_hip")
    return FrameAngles(
        hip_flexion=flex,
        hip_abduction=abd,
        hip_rotation=rot,
        knee_flexion=knee,
        fppa=fp,
        trunk_flexion=tf,
        trunk_side_bend=tsb,
        pelvic_obliquity=pelvic_obliquity(p) if hips else None,
        view_yaw=view_yaw(p) if hips else None,
        upright=upright,
    )

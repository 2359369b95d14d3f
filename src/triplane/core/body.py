"""A small body model: joint angles -> 3D points (forward), and points -> joint angles (inverse).

Pure Python (``math`` only). The figures package draws drills with :func:`forward`; the video
package measures people with :func:`hip_angles` and :func:`trunk_angles`. The two are exact
inverses of each other (see "Round trip" below), so a figure drawn from angles measures back to
the same angles.

World frame
-----------
Right-handed, metres: **X forward** (anterior, the way the person faces at zero angles),
**Y up**, **Z to the person's right**. The floor is the plane Y = 0. With every angle at zero
the person stands upright facing +X, feet flat on the floor, arms hanging.

Segment frames use the same axis names (ISB, Wu et al. 2002/2005): X anterior, Y superior
(along the segment, distal to proximal), Z to the right.

Segment proportions
-------------------
Fractions of standing height H from Winter's anthropometric table (Winter, *Biomechanics and
Motor Control of Human Movement*, 4th ed. 2009, Fig. 4.1, after Drillis & Contini 1966):
hip (greater trochanter) height 0.530 H, knee 0.285 H, ankle 0.039 H, shoulder 0.818 H,
chin 0.870 H, top of head 1.000 H, foot length 0.152 H, shoulder width 0.259 H, upper arm
0.186 H, forearm 0.146 H. Hence thigh 0.245 H, shank 0.246 H, trunk (hip-joint centres to the
shoulder line) 0.288 H. Winter gives the bitrochanteric hip width (0.191 H); the hip joint
centres sit inside the trochanters, and the model places them 0.10 H apart (an approximation).

Angles (degrees), and the rotation each one is
----------------------------------------------
``Rx``, ``Ry``, ``Rz`` are right-handed rotations about a frame's X, Y, Z axes; each segment's
orientation is its parent's times the listed rotations, in the listed order (intrinsic).

- Pelvis, relative to the world (so lying figures are just a pelvis orientation):
  ``Ry(pelvis_rotation) . Rz(-pelvis_tilt) . Rx(pelvis_obliquity)``.
  Tilt: anterior tilt positive (supine = -90, prone/quadruped = +90). Rotation: positive turns
  the person to their left (counter-clockwise seen from above). Obliquity: positive drops the
  right hip (left side up; side-lying on the right = +90).
- Trunk, relative to the pelvis: ``Rz(-trunk_flexion) . Rx(trunk_side_bend) . Ry(trunk_rotation)``.
  Flexion forward positive; side bend positive to the right; rotation positive to the left.
- Hip (ISB joint coordinate system: flexion about the pelvis Z axis, abduction about the
  floating axis, rotation about the femur's long axis), left ``Rz(flex) . Rx(abd) . Ry(-rot)``,
  right ``Rz(flex) . Rx(-abd) . Ry(rot)``: flexion positive (extension negative), abduction
  positive (adduction negative), internal rotation positive (external negative) on both sides.
- Knee: ``Rz(-knee_flexion)`` (flexion positive, 0 = straight).
- Ankle: ``Rz(ankle_dorsiflexion)`` (dorsiflexion positive, plantarflexion negative; 0 = foot
  at a right angle to the shank).
- Shoulder, relative to the trunk: left ``Rz(flex) . Rx(abd)``, right ``Rz(flex) . Rx(-abd)``
  (flexion 180 = arm overhead; abduction 90 = arm out to the side; negative abduction with the
  arm forward reaches across the body). Elbow: ``Rz(elbow_flexion)``.

Round trip
----------
``hip_angles`` and ``trunk_angles`` recover the angles ``forward`` used, to rounding error,
when the reference frame they assume is the one the pose was built with:

- Landmarks give the pelvis only as two hip points, so its tilt about the hip line cannot be
  told apart from lumbar flexion. :func:`pelvis_frame` builds the pelvis frame from the hip line
  plus an upward reference: the trunk (``"trunk"``, default for ``hip_angles``: assumes a
  neutral lumbar spine, works lying down as well as standing) or world vertical
  (``"vertical"``, used by ``trunk_angles``: assumes an upright pelvis, no tilt).
- Hip flexion/abduction/knee flexion round-trip exactly when the pelvis frame is exact
  (trunk_flexion = 0 with the default, or any pose with :func:`pelvis_frame_of` passed in).
  Hip rotation additionally needs the knee bent: it is read from the shank's direction about the
  thigh axis, and is ``None`` when knee flexion is below :data:`MIN_KNEE_FOR_ROTATION` (20 deg).
- Trunk angles round-trip exactly when pelvis_tilt = 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Final, Literal

Vec = tuple[float, float, float]
# A rotation matrix as its three column vectors: the frame's X, Y and Z axes in world terms.
Frame = tuple[Vec, Vec, Vec]
Points = dict[str, Vec]

# Fractions of standing height (Winter 2009, after Drillis & Contini 1966).
HIP_HEIGHT: Final = 0.530
KNEE_HEIGHT: Final = 0.285
ANKLE_HEIGHT: Final = 0.039
SHOULDER_HEIGHT: Final = 0.818
CHIN_HEIGHT: Final = 0.870
FOOT_LENGTH: Final = 0.152
SHOULDER_WIDTH: Final = 0.259
HIP_JOINT_SPACING: Final = 0.100  # hip-joint centres, inside Winter's 0.191 H trochanter width
UPPER_ARM: Final = 0.186
FOREARM: Final = 0.146
HAND: Final = 0.108
THIGH: Final = HIP_HEIGHT - KNEE_HEIGHT  # 0.245
SHANK: Final = KNEE_HEIGHT - ANKLE_HEIGHT  # 0.246
TRUNK: Final = SHOULDER_HEIGHT - HIP_HEIGHT  # 0.288
HEEL_BACK: Final = 0.040  # heel behind the ankle; the rest of the foot length is in front
HEAD_CENTRE: Final = 0.117  # above the shoulder line (chin 0.870 H, top of head 1.000 H)
HEAD_RADIUS: Final = 0.065
NOSE_UP: Final = 0.085
NOSE_FORWARD: Final = 0.055

MIN_KNEE_FOR_ROTATION: Final = 20.0

SideName = Literal["left", "right"]


@dataclass(frozen=True)
class JointAngles:
    """A whole-body pose in degrees (conventions in the module docstring). Defaults: standing."""

    pelvis_tilt: float = 0.0
    pelvis_obliquity: float = 0.0
    pelvis_rotation: float = 0.0
    trunk_flexion: float = 0.0
    trunk_side_bend: float = 0.0
    trunk_rotation: float = 0.0
    left_hip_flexion: float = 0.0
    left_hip_abduction: float = 0.0
    left_hip_rotation: float = 0.0
    left_knee_flexion: float = 0.0
    left_ankle_dorsiflexion: float = 0.0
    left_shoulder_flexion: float = 0.0
    left_shoulder_abduction: float = 0.0
    left_elbow_flexion: float = 0.0
    right_hip_flexion: float = 0.0
    right_hip_abduction: float = 0.0
    right_hip_rotation: float = 0.0
    right_knee_flexion: float = 0.0
    right_ankle_dorsiflexion: float = 0.0
    right_shoulder_flexion: float = 0.0
    right_shoulder_abduction: float = 0.0
    right_elbow_flexion: float = 0.0
    # Where the pelvis centre (midpoint of the hip joints) is, in metres; None = standing on the
    # floor at the origin, i.e. (0, 0.530 * height, 0).
    pelvis_position: Vec | None = None

    @classmethod
    def angle_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.name != "pelvis_position")

    @classmethod
    def of(cls, angles: Mapping[str, float], pelvis_position: Vec | None = None) -> JointAngles:
        """A pose from {angle name: degrees} (names from angle_names()); the rest standing."""
        return cls(pelvis_position=pelvis_position, **angles)

    def with_angles(self, angles: Mapping[str, float]) -> JointAngles:
        """This pose with some angles changed ({angle name: degrees})."""
        return replace(self, pelvis_position=self.pelvis_position, **angles)

    def mirrored(self) -> JointAngles:
        """The same pose with left and right swapped (a mirror image in the sagittal plane)."""
        values: dict[str, float] = {}
        for name in self.angle_names():
            value = float(getattr(self, name))
            if name.startswith("left_"):
                values["right_" + name[5:]] = value
            elif name.startswith("right_"):
                values["left_" + name[6:]] = value
            elif name in (
                "pelvis_obliquity",
                "pelvis_rotation",
                "trunk_side_bend",
                "trunk_rotation",
            ):
                values[name] = -value
            else:
                values[name] = value
        pos = self.pelvis_position
        mirrored_pos = None if pos is None else (pos[0], pos[1], -pos[2])
        return replace(self, pelvis_position=mirrored_pos, **values)


@dataclass(frozen=True)
class HipAngles:
    flexion: float
    abduction: float
    rotation: float | None  # None when the knee is too straight for rotation to be defined
    knee_flexion: float


# --- small vector and rotation helpers --------------------------------------------------------


def _add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scale(a: Vec, k: float) -> Vec:
    return (a[0] * k, a[1] * k, a[2] * k)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _norm(a: Vec) -> float:
    return math.sqrt(_dot(a, a))


def _unit(a: Vec) -> Vec:
    n = _norm(a)
    if n < 1e-12:
        raise ValueError("cannot take the direction of a zero-length vector (points coincide)")
    return _scale(a, 1.0 / n)


def _apply(frame: Frame, v: Vec) -> Vec:
    """Frame-local vector -> world vector."""
    x, y, z = frame
    return (
        x[0] * v[0] + y[0] * v[1] + z[0] * v[2],
        x[1] * v[0] + y[1] * v[1] + z[1] * v[2],
        x[2] * v[0] + y[2] * v[1] + z[2] * v[2],
    )


def _local(frame: Frame, v: Vec) -> Vec:
    """World vector -> frame-local vector (the transpose)."""
    return (_dot(frame[0], v), _dot(frame[1], v), _dot(frame[2], v))


def _compose(frame: Frame, rot: Frame) -> Frame:
    return (_apply(frame, rot[0]), _apply(frame, rot[1]), _apply(frame, rot[2]))


def _rx(deg: float) -> Frame:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((1.0, 0.0, 0.0), (0.0, c, s), (0.0, -s, c))


def _ry(deg: float) -> Frame:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, 0.0, -s), (0.0, 1.0, 0.0), (s, 0.0, c))


def _rz(deg: float) -> Frame:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, s, 0.0), (-s, c, 0.0), (0.0, 0.0, 1.0))


def _chain(*rots: Frame) -> Frame:
    out: Frame = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    for r in rots:
        out = _compose(out, r)
    return out


def _deg(rad: float) -> float:
    return math.degrees(rad)


# --- forward kinematics ------------------------------------------------------------------------


def pelvis_frame_of(angles: JointAngles) -> Frame:
    """The exact pelvis frame of a pose (for measuring a pose you built, e.g. in tests)."""
    return _chain(
        _ry(angles.pelvis_rotation), _rz(-angles.pelvis_tilt), _rx(angles.pelvis_obliquity)
    )


def trunk_frame_of(angles: JointAngles) -> Frame:
    return _compose(
        pelvis_frame_of(angles),
        _chain(_rz(-angles.trunk_flexion), _rx(angles.trunk_side_bend), _ry(angles.trunk_rotation)),
    )


def forward(angles: JointAngles, height_m: float = 1.75) -> Points:
    """3D points of a pose, in metres in the world frame (X forward, Y up, Z right).

    Names follow MediaPipe Pose landmarks where one exists (``nose``, ``left_shoulder``,
    ``left_elbow``, ``left_wrist``, ``left_hip``, ``left_knee``, ``left_ankle``, ``left_heel``,
    ``left_foot_index`` and the ``right_`` ones; hips are the hip-joint centres), plus
    ``pelvis_centre`` (midpoint of the hips), ``neck`` (midpoint of the shoulders) and
    ``head_centre``.
    """
    h = height_m
    pelvis = pelvis_frame_of(angles)
    trunk = trunk_frame_of(angles)
    root = angles.pelvis_position or (0.0, HIP_HEIGHT * h, 0.0)
    pts: Points = {"pelvis_centre": root}
    neck = _add(root, _apply(trunk, (0.0, TRUNK * h, 0.0)))
    pts["neck"] = neck
    pts["head_centre"] = _add(neck, _apply(trunk, (0.0, HEAD_CENTRE * h, 0.0)))
    pts["nose"] = _add(neck, _apply(trunk, (NOSE_FORWARD * h, NOSE_UP * h, 0.0)))
    for side, sign in (("left", -1.0), ("right", 1.0)):
        hip = _add(root, _apply(pelvis, (0.0, 0.0, sign * HIP_JOINT_SPACING * h / 2)))
        flex = float(getattr(angles, f"{side}_hip_flexion"))
        abd = float(getattr(angles, f"{side}_hip_abduction"))
        rot = float(getattr(angles, f"{side}_hip_rotation"))
        # Left: abduction about +X, internal rotation about -Y; the right side is the mirror.
        thigh = _compose(pelvis, _chain(_rz(flex), _rx(-sign * abd), _ry(sign * rot)))
        knee = _add(hip, _apply(thigh, (0.0, -THIGH * h, 0.0)))
        shank = _compose(thigh, _rz(-float(getattr(angles, f"{side}_knee_flexion"))))
        ankle = _add(knee, _apply(shank, (0.0, -SHANK * h, 0.0)))
        foot = _compose(shank, _rz(float(getattr(angles, f"{side}_ankle_dorsiflexion"))))
        heel = _add(ankle, _apply(foot, (-HEEL_BACK * h, -ANKLE_HEIGHT * h, 0.0)))
        toe = _add(ankle, _apply(foot, ((FOOT_LENGTH - HEEL_BACK) * h, -ANKLE_HEIGHT * h, 0.0)))
        pts[f"{side}_hip"] = hip
        pts[f"{side}_knee"] = knee
        pts[f"{side}_ankle"] = ankle
        pts[f"{side}_heel"] = heel
        pts[f"{side}_foot_index"] = toe

        shoulder = _add(neck, _apply(trunk, (0.0, 0.0, sign * SHOULDER_WIDTH * h / 2)))
        s_flex = float(getattr(angles, f"{side}_shoulder_flexion"))
        s_abd = float(getattr(angles, f"{side}_shoulder_abduction"))
        upper = _compose(trunk, _chain(_rz(s_flex), _rx(-sign * s_abd)))
        elbow = _add(shoulder, _apply(upper, (0.0, -UPPER_ARM * h, 0.0)))
        fore = _compose(upper, _rz(float(getattr(angles, f"{side}_elbow_flexion"))))
        wrist = _add(elbow, _apply(fore, (0.0, -FOREARM * h, 0.0)))
        pts[f"{side}_shoulder"] = shoulder
        pts[f"{side}_elbow"] = elbow
        pts[f"{side}_wrist"] = wrist
    return pts


# --- inverse: points -> angles -----------------------------------------------------------------


def _frame_from(z_axis: Vec, up_hint: Vec) -> Frame:
    """A right-handed frame with Z along z_axis and Y as close to up_hint as Z allows."""
    z = _unit(z_axis)
    y = _unit(_sub(up_hint, _scale(z, _dot(up_hint, z))))
    x = _cross(y, z)
    return (x, y, z)


def pelvis_frame(points: Points, reference: Literal["trunk", "vertical"] = "trunk") -> Frame:
    """Pelvis frame from the two hip points (Z, left to right) and an upward reference for Y.

    ``"trunk"``: Y is the pelvis-centre-to-neck direction made perpendicular to the hip line
    (assumes no lumbar flexion). ``"vertical"``: Y is world up made perpendicular to the hip
    line (assumes no pelvic tilt). X = Y x Z points forward.
    """
    left, right = points["left_hip"], points["right_hip"]
    centre = _scale(_add(left, right), 0.5)
    up = _sub(points["neck"], centre) if reference == "trunk" else (0.0, 1.0, 0.0)
    return _frame_from(_sub(right, left), up)


_pelvis_frame = pelvis_frame  # the inverse functions take a parameter of the same name


def hip_angles(points: Points, side: SideName, pelvis_frame: Frame | None = None) -> HipAngles:
    """Hip flexion, abduction and rotation and knee flexion of one side, in degrees.

    Decomposition (ISB joint coordinate system, Wu et al. 2002): the thigh's orientation in the
    pelvis frame is ``Rz(flexion) . Rx(+-abduction) . Ry(-+rotation)``. The thigh's long axis
    (knee to hip) gives flexion (its angle from the pelvis Y axis in the pelvis's sagittal
    plane, about Z) and then abduction (its angle out of that plane, about the floating axis).
    Knee flexion is the angle between thigh and shank axes. Rotation is the angle, about the
    thigh axis, of the shank's direction (the part perpendicular to the thigh) from where it
    would point at zero rotation; with a straight knee that direction does not exist, so
    rotation is ``None`` when knee flexion is under 20 degrees.

    ``pelvis_frame`` defaults to :func:`pelvis_frame` with the trunk reference.
    """
    frame = pelvis_frame if pelvis_frame is not None else _pelvis_frame(points)
    sign = -1.0 if side == "left" else 1.0
    hip, knee, ankle = points[f"{side}_hip"], points[f"{side}_knee"], points[f"{side}_ankle"]
    thigh_y = _unit(_sub(hip, knee))
    u = _local(frame, thigh_y)
    flexion = _deg(math.atan2(-u[0], u[1]))
    abduction = -sign * _deg(math.atan2(u[2], math.hypot(u[0], u[1])))
    shank_y = _unit(_sub(knee, ankle))
    cos_k = max(-1.0, min(1.0, _dot(thigh_y, shank_y)))
    sin_k = _norm(_cross(thigh_y, shank_y))
    knee_flexion = _deg(math.atan2(sin_k, cos_k))
    rotation: float | None = None
    if knee_flexion >= MIN_KNEE_FOR_ROTATION - 1e-9:
        # The thigh's X axis: the shank's component perpendicular to the thigh axis.
        thigh_x = _unit(_sub(shank_y, _scale(thigh_y, _dot(shank_y, thigh_y))))
        before_rot = _compose(frame, _chain(_rz(flexion), _rx(-sign * abduction)))
        v = _local(before_rot, thigh_x)
        rotation = sign * _deg(math.atan2(-v[2], v[0]))
    return HipAngles(flexion, abduction, rotation, knee_flexion)


def trunk_angles(points: Points, pelvis_frame: Frame | None = None) -> tuple[float, float, float]:
    """Trunk (flexion, side_bend, rotation) in degrees, relative to the pelvis.

    The trunk frame: Y from the pelvis centre to the neck, Z along the shoulder line (left to
    right). Its orientation in the pelvis frame is decomposed as
    ``Rz(-flexion) . Rx(side_bend) . Ry(rotation)``: flexion is the trunk axis's forward lean
    in the pelvis's sagittal plane, side bend its lean out of that plane (right positive), and
    rotation the shoulder line's turn about the trunk axis (left positive).

    ``pelvis_frame`` defaults to the hip line plus world vertical (:func:`pelvis_frame` with
    ``"vertical"``), so flexion and side bend are measured from upright.
    """
    frame = pelvis_frame if pelvis_frame is not None else _pelvis_frame(points, "vertical")
    centre = _scale(_add(points["left_hip"], points["right_hip"]), 0.5)
    trunk_y = _unit(_sub(points["neck"], centre))
    trunk = _frame_from(_sub(points["right_shoulder"], points["left_shoulder"]), trunk_y)
    y = _local(frame, trunk[1])
    flexion = _deg(math.atan2(y[0], y[1]))
    side_bend = _deg(math.atan2(y[2], math.hypot(y[0], y[1])))
    before_rot = _compose(frame, _chain(_rz(-flexion), _rx(side_bend)))
    z = _local(before_rot, trunk[2])
    rotation = _deg(math.atan2(z[0], z[2]))
    return (flexion, side_bend, rotation)

"""The angle maths on synthetic skeletons with known angles: body model forward -> vision angles.

Exact to rounding error, in every plane, on both sides; plus the frontal-plane projection angle,
pelvic obliquity, the camera-view estimate and the visibility gate.
"""

from __future__ import annotations

import math

import pytest

from triplane.core import body
from triplane.core.body import JointAngles
from triplane.vision import angles as ang

TOL = 1e-6


def measure(pose: JointAngles, trusted: set[str] | None = None) -> ang.FrameAngles:
    return ang.frame_angles(body.forward(pose), trusted)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("flexion", [-25.0, 0.0, 30.0, 75.0, 110.0])
def test_sagittal_flexion_and_extension_round_trip(side: str, flexion: float) -> None:
    pose = JointAngles(**{f"{side}_hip_flexion": flexion, f"{side}_knee_flexion": 40.0})
    fa = measure(pose)
    assert fa.hip_flexion[side] == pytest.approx(flexion, abs=TOL)
    assert fa.knee_flexion[side] == pytest.approx(40.0, abs=TOL)
    other = "right" if side == "left" else "left"
    assert fa.hip_flexion[other] == pytest.approx(0.0, abs=TOL)
    assert fa.upright is True


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("abduction", [-20.0, 0.0, 15.0, 45.0])
@pytest.mark.parametrize("flexion", [0.0, 30.0])
def test_frontal_abduction_and_adduction_round_trip(
    side: str, abduction: float, flexion: float
) -> None:
    pose = JointAngles(**{f"{side}_hip_abduction": abduction, f"{side}_hip_flexion": flexion})
    fa = measure(pose)
    assert fa.hip_abduction[side] == pytest.approx(abduction, abs=TOL)
    assert fa.hip_flexion[side] == pytest.approx(flexion, abs=TOL)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("rotation", [-40.0, -10.0, 0.0, 25.0, 45.0])
def test_transverse_rotation_in_the_seated_test(side: str, rotation: float) -> None:
    """Seated: hip and knee at 90, shin swung; internal rotation positive on both sides."""
    pose = JointAngles(**{f"{side}_hip_flexion": 90.0, f"{side}_knee_flexion": 90.0,
                          f"{side}_hip_rotation": rotation})  # fmt: skip
    pts = body.forward(pose)
    fa = ang.frame_angles(pts)
    assert fa.hip_rotation[side] == pytest.approx(rotation, abs=TOL)
    assert fa.knee_flexion[side] == pytest.approx(90.0, abs=TOL)
    # The seated test's own reading: the shin's angle from vertical, foot outward = internal.
    knee, ankle = pts[f"{side}_knee"], pts[f"{side}_ankle"]
    lateral = (ankle[2] - knee[2]) * (1 if side == "right" else -1)
    shin = math.degrees(math.atan2(lateral, knee[1] - ankle[1]))
    assert shin == pytest.approx(rotation, abs=TOL)


@pytest.mark.parametrize("side", ["left", "right"])
def test_ninety_ninety_rotation(side: str) -> None:
    """90/90 sitting: front hip flexed 90, abducted, externally rotated with the knee at 90."""
    pose = JointAngles(**{f"{side}_hip_flexion": 80.0, f"{side}_hip_abduction": 35.0,
                          f"{side}_hip_rotation": -60.0, f"{side}_knee_flexion": 90.0})  # fmt: skip
    fa = measure(pose)
    assert fa.hip_rotation[side] == pytest.approx(-60.0, abs=TOL)
    assert fa.hip_abduction[side] == pytest.approx(35.0, abs=TOL)
    assert fa.hip_flexion[side] == pytest.approx(80.0, abs=TOL)


def test_rotation_is_none_with_a_straight_knee() -> None:
    fa = measure(JointAngles(left_hip_rotation=30.0))
    assert fa.hip_rotation["left"] is None


@pytest.mark.parametrize("side", ["left", "right"])
def test_lying_down_uses_the_trunk_as_reference(side: str) -> None:
    """Modified Thomas test: supine (pelvis tilt -90), the hanging thigh 15 deg below the table."""
    other = "right" if side == "left" else "left"
    pose = JointAngles(pelvis_tilt=-90.0, **{f"{side}_hip_flexion": -15.0,
                                            f"{side}_knee_flexion": 80.0,
                                            f"{other}_hip_flexion": 120.0,
                                            f"{other}_knee_flexion": 130.0})  # fmt: skip
    fa = measure(pose)
    assert fa.upright is False
    assert fa.hip_flexion[side] == pytest.approx(-15.0, abs=TOL)
    assert fa.hip_flexion[other] == pytest.approx(120.0, abs=TOL)


@pytest.mark.parametrize("lean", [0.0, 20.0, 40.0])
def test_trunk_lean_and_side_bend(lean: float) -> None:
    fa = measure(JointAngles(trunk_flexion=lean, trunk_side_bend=-12.0))
    assert fa.trunk_flexion == pytest.approx(lean, abs=TOL)
    assert fa.trunk_side_bend == pytest.approx(-12.0, abs=TOL)


@pytest.mark.parametrize("obliquity", [-10.0, 0.0, 8.0])
def test_pelvic_obliquity_right_hip_lower_positive(obliquity: float) -> None:
    pts = body.forward(JointAngles(pelvis_obliquity=obliquity))
    assert ang.pelvic_obliquity(pts) == pytest.approx(obliquity, abs=TOL)
    assert (pts["right_hip"][1] < pts["left_hip"][1]) == (obliquity > 0)


def _leg(side: str, knee_offset: float) -> dict[str, tuple[float, float, float]]:
    """A leg in the frontal plane: hip and ankle on a vertical line, knee moved medially."""
    lateral = -1.0 if side == "left" else 1.0  # the person's left is -Z
    z = 0.1 * lateral
    pts = {
        "left_hip": (0.0, 1.0, -0.1), "right_hip": (0.0, 1.0, 0.1),
        "left_shoulder": (0.0, 1.5, -0.2), "right_shoulder": (0.0, 1.5, 0.2),
    }  # fmt: skip
    pts[f"{side}_knee"] = (0.0, 0.5, z - lateral * knee_offset)
    pts[f"{side}_ankle"] = (0.0, 0.0, z)
    return pts


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("offset", [0.05, -0.05, 0.0])
def test_fppa_valgus_positive_varus_negative(side: str, offset: float) -> None:
    expected = 2 * math.degrees(math.atan2(offset, 0.5))
    assert ang.fppa(_leg(side, offset), side) == pytest.approx(expected, abs=TOL)  # type: ignore[arg-type]


def test_fppa_is_none_when_the_thigh_points_at_the_camera() -> None:
    pts = body.forward(JointAngles(left_hip_flexion=90.0, left_knee_flexion=90.0))
    assert ang.fppa(pts, "left") is None
    assert ang.frame_angles(pts).fppa["left"] is None


def test_view_yaw_front_and_side() -> None:
    """Camera axes: x across the picture, Y up, Z toward the camera. The body model faces +X
    at rotation 0 (seen from the side); turned 90 degrees it faces the camera."""
    assert ang.view_yaw(body.forward(JointAngles())) == pytest.approx(90.0, abs=TOL)
    assert ang.view_yaw(body.forward(JointAngles(pelvis_rotation=90.0))) == pytest.approx(
        0.0, abs=TOL
    )


def test_angles_do_not_depend_on_where_the_camera_is() -> None:
    """Turning the whole skeleton about the vertical (the person facing another way) changes
    nothing; the hip angles are read in the pelvis frame."""
    base = JointAngles(left_hip_flexion=35.0, left_hip_abduction=12.0, left_hip_rotation=20.0,
                       left_knee_flexion=60.0, right_hip_flexion=-10.0)  # fmt: skip
    a = measure(base)
    for turn in (30.0, 90.0, 200.0):
        b = measure(JointAngles(**{**base.__dict__, "pelvis_rotation": turn}))
        for key in ("hip_flexion", "hip_abduction", "hip_rotation", "knee_flexion"):
            for side in ("left", "right"):
                va, vb = getattr(a, key)[side], getattr(b, key)[side]
                assert (va is None) == (vb is None)
                if va is not None:
                    assert vb == pytest.approx(va, abs=TOL)


def test_visibility_gate_drops_only_what_needs_the_unseen_landmark() -> None:
    pts = body.forward(JointAngles(left_hip_flexion=20.0, right_hip_flexion=40.0))
    trusted = set(pts) - {"left_knee"}
    fa = ang.frame_angles(pts, trusted)
    assert fa.hip_flexion["left"] is None and fa.knee_flexion["left"] is None
    assert fa.hip_flexion["right"] == pytest.approx(40.0, abs=TOL)
    no_shoulders = set(pts) - {"left_shoulder"}
    fa = ang.frame_angles(pts, no_shoulders)
    assert fa.trunk_flexion is None
    assert fa.hip_flexion["right"] == pytest.approx(40.0, abs=TOL)  # falls back to vertical

"""The body model: forward kinematics on known poses, and the round trip through the inverse."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triplane.core.body import (
    ANKLE_HEIGHT,
    FOREARM,
    HIP_HEIGHT,
    MIN_KNEE_FOR_ROTATION,
    SHANK,
    THIGH,
    UPPER_ARM,
    JointAngles,
    forward,
    hip_angles,
    pelvis_frame,
    pelvis_frame_of,
    trunk_angles,
)

H = 1.75
TOL = 1e-9


def dist(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return math.dist(a, b)


def approx(a: tuple[float, ...], b: tuple[float, ...], tol: float = 1e-9) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


# --- known poses --------------------------------------------------------------------------------


def test_standing_straight_puts_knee_below_hip_by_thigh_length_and_feet_on_floor() -> None:
    p = forward(JointAngles(), H)
    for side in ("left", "right"):
        hip, knee, ankle = p[f"{side}_hip"], p[f"{side}_knee"], p[f"{side}_ankle"]
        assert approx(knee, (hip[0], hip[1] - THIGH * H, hip[2]))
        assert approx(ankle, (knee[0], knee[1] - SHANK * H, knee[2]))
        assert abs(p[f"{side}_heel"][1]) < TOL and abs(p[f"{side}_foot_index"][1]) < TOL
        assert p[f"{side}_foot_index"][0] > ankle[0] > p[f"{side}_heel"][0]  # toes forward
    assert abs(p["pelvis_centre"][1] - HIP_HEIGHT * H) < TOL
    assert abs(p["left_ankle"][1] - ANKLE_HEIGHT * H) < TOL
    assert p["left_hip"][2] < 0 < p["right_hip"][2]  # Z points to the person's right
    assert p["nose"][0] > p["neck"][0]  # facing +X
    assert p["head_centre"][1] > p["neck"][1] > p["pelvis_centre"][1]


def test_ninety_degrees_of_hip_flexion_puts_the_knee_forward_at_hip_height() -> None:
    p = forward(JointAngles(left_hip_flexion=90), H)
    hip, knee = p["left_hip"], p["left_knee"]
    assert approx(knee, (hip[0] + THIGH * H, hip[1], hip[2]))
    # the right leg did not move
    assert approx(p["right_knee"], forward(JointAngles(), H)["right_knee"])


def test_hip_extension_moves_the_knee_back() -> None:
    p = forward(JointAngles(right_hip_flexion=-20), H)
    assert p["right_knee"][0] == pytest.approx(-THIGH * H * math.sin(math.radians(20)))


@pytest.mark.parametrize("side, lateral", [("left", -1.0), ("right", 1.0)])
def test_abduction_moves_the_knee_laterally(side: str, lateral: float) -> None:
    p = forward(JointAngles(**{f"{side}_hip_abduction": 30.0}), H)
    hip, knee = p[f"{side}_hip"], p[f"{side}_knee"]
    assert knee[2] - hip[2] == pytest.approx(lateral * THIGH * H * 0.5)
    assert knee[1] == pytest.approx(hip[1] - THIGH * H * math.cos(math.radians(30)))
    adducted = forward(JointAngles(**{f"{side}_hip_abduction": -20.0}), H)
    assert (adducted[f"{side}_knee"][2] - hip[2]) * lateral < 0  # adduction: toward the midline


@pytest.mark.parametrize("side, lateral", [("left", -1.0), ("right", 1.0)])
def test_internal_rotation_with_the_knee_bent_swings_the_ankle_outward(
    side: str, lateral: float
) -> None:
    """Seated IR test: thigh level, shin hanging; internal rotation swings the foot out."""
    seated = {f"{side}_hip_flexion": 90.0, f"{side}_knee_flexion": 90.0}
    p0 = forward(JointAngles(**seated), H)
    p_ir = forward(JointAngles(**seated, **{f"{side}_hip_rotation": 30.0}), H)
    p_er = forward(JointAngles(**seated, **{f"{side}_hip_rotation": -30.0}), H)
    knee = p0[f"{side}_knee"]
    assert approx(p_ir[f"{side}_knee"], knee)  # rotation about the thigh axis: knee stays
    swing = p_ir[f"{side}_ankle"][2] - p0[f"{side}_ankle"][2]
    assert swing == pytest.approx(lateral * SHANK * H * math.sin(math.radians(30)))
    assert (p_er[f"{side}_ankle"][2] - p0[f"{side}_ankle"][2]) * lateral < 0


def test_rotation_with_a_straight_knee_does_not_move_the_ankle() -> None:
    p0 = forward(JointAngles(), H)
    p1 = forward(JointAngles(left_hip_rotation=40), H)
    assert approx(p0["left_ankle"], p1["left_ankle"])
    assert not approx(p0["left_foot_index"], p1["left_foot_index"], 1e-3)  # the foot turns


def test_knee_flexion_moves_the_ankle_behind_the_knee() -> None:
    p = forward(JointAngles(left_knee_flexion=90), H)
    knee, ankle = p["left_knee"], p["left_ankle"]
    assert approx(ankle, (knee[0] - SHANK * H, knee[1], knee[2]))


def test_trunk_flexion_side_bend_and_rotation() -> None:
    upright = forward(JointAngles(), H)
    flexed = forward(JointAngles(trunk_flexion=30), H)
    assert flexed["neck"][0] > 0.1 and flexed["neck"][1] < upright["neck"][1]
    bent = forward(JointAngles(trunk_side_bend=20), H)
    assert bent["neck"][2] > 0.05  # side bend positive: to the right
    turned = forward(JointAngles(trunk_rotation=30), H)
    assert turned["left_shoulder"][0] < 0 < turned["right_shoulder"][0]  # turned to the left


def test_lying_supine_is_a_pelvis_orientation() -> None:
    p = forward(JointAngles(pelvis_tilt=-90), H)
    assert p["neck"][0] < p["pelvis_centre"][0] < p["left_knee"][0]  # head behind, feet ahead
    assert p["nose"][1] > p["neck"][1]  # face up
    assert abs(p["neck"][1] - p["pelvis_centre"][1]) < TOL


def test_arms_overhead() -> None:
    p = forward(JointAngles(left_shoulder_flexion=180), H)
    shoulder, wrist = p["left_shoulder"], p["left_wrist"]
    assert wrist[1] - shoulder[1] == pytest.approx((UPPER_ARM + FOREARM) * H)


def test_mirrored_pose_is_the_mirror_image() -> None:
    a = JointAngles(
        pelvis_obliquity=8,
        pelvis_rotation=20,
        trunk_side_bend=10,
        trunk_rotation=-15,
        left_hip_flexion=40,
        left_hip_abduction=20,
        left_hip_rotation=15,
        left_knee_flexion=60,
        right_hip_flexion=-10,
        left_shoulder_flexion=90,
        right_elbow_flexion=40,
    )
    p, m = forward(a, H), forward(a.mirrored(), H)
    for name, v in p.items():
        twin = name.replace("left_", "R_").replace("right_", "left_").replace("R_", "right_")
        assert approx(m[twin], (v[0], v[1], -v[2]), 1e-9), name


# --- properties ---------------------------------------------------------------------------------

angle = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def poses(draw: st.DrawFn, knee_min: float = 0.0, trunk_flexion: bool = False) -> JointAngles:
    values: dict[str, float] = {
        "pelvis_tilt": draw(st.floats(-90, 90)),
        "pelvis_obliquity": draw(st.floats(-45, 45)),
        "pelvis_rotation": draw(st.floats(-179, 179)),
        "trunk_flexion": draw(st.floats(-30, 90)) if trunk_flexion else 0.0,
        "trunk_side_bend": draw(st.floats(-40, 40)),
        "trunk_rotation": draw(st.floats(-60, 60)),
    }
    for side in ("left", "right"):
        values[f"{side}_hip_flexion"] = draw(st.floats(-35, 140))
        values[f"{side}_hip_abduction"] = draw(st.floats(-40, 80))
        values[f"{side}_hip_rotation"] = draw(st.floats(-85, 75))
        values[f"{side}_knee_flexion"] = draw(st.floats(knee_min, 150))
        values[f"{side}_ankle_dorsiflexion"] = draw(st.floats(-60, 40))
        values[f"{side}_shoulder_flexion"] = draw(st.floats(-50, 180))
        values[f"{side}_shoulder_abduction"] = draw(st.floats(-40, 170))
        values[f"{side}_elbow_flexion"] = draw(st.floats(0, 150))
    return JointAngles(**values)


@settings(max_examples=300, deadline=None)
@given(poses())
def test_segment_lengths_never_change(a: JointAngles) -> None:
    p = forward(a, H)
    for side in ("left", "right"):
        assert dist(p[f"{side}_hip"], p[f"{side}_knee"]) == pytest.approx(THIGH * H)
        assert dist(p[f"{side}_knee"], p[f"{side}_ankle"]) == pytest.approx(SHANK * H)
        assert dist(p[f"{side}_shoulder"], p[f"{side}_elbow"]) == pytest.approx(UPPER_ARM * H)


@settings(max_examples=400, deadline=None)
@given(poses(knee_min=MIN_KNEE_FOR_ROTATION))
def test_round_trip_hip_angles_with_the_knee_bent(a: JointAngles) -> None:
    """angles -> points -> angles within 1e-6 deg (default pelvis frame: trunk reference)."""
    p = forward(a, H)
    for side in ("left", "right"):
        got = hip_angles(p, side)  # type: ignore[arg-type]
        assert abs(got.flexion - getattr(a, f"{side}_hip_flexion")) < 1e-6
        assert abs(got.abduction - getattr(a, f"{side}_hip_abduction")) < 1e-6
        assert abs(got.knee_flexion - getattr(a, f"{side}_knee_flexion")) < 1e-6
        assert got.rotation is not None
        assert abs(got.rotation - getattr(a, f"{side}_hip_rotation")) < 1e-6


@settings(max_examples=200, deadline=None)
@given(poses(trunk_flexion=True))
def test_round_trip_with_the_exact_pelvis_frame_and_any_trunk_flexion(a: JointAngles) -> None:
    p = forward(a, H)
    got = hip_angles(p, "left", pelvis_frame_of(a))
    assert abs(got.flexion - a.left_hip_flexion) < 1e-6
    assert abs(got.abduction - a.left_hip_abduction) < 1e-6
    assert abs(got.knee_flexion - a.left_knee_flexion) < 1e-6
    if a.left_knee_flexion >= MIN_KNEE_FOR_ROTATION:
        assert got.rotation is not None and abs(got.rotation - a.left_hip_rotation) < 1e-6


@settings(max_examples=200, deadline=None)
@given(poses(), st.floats(0, MIN_KNEE_FOR_ROTATION - 0.01))
def test_rotation_is_undefined_with_a_straight_knee(a: JointAngles, knee: float) -> None:
    p = forward(replace(a, left_knee_flexion=knee), H)
    got = hip_angles(p, "left")
    assert got.rotation is None
    assert abs(got.flexion - a.left_hip_flexion) < 1e-6  # the rest is still defined


@settings(max_examples=300, deadline=None)
@given(poses(trunk_flexion=True))
def test_round_trip_trunk_angles(a: JointAngles) -> None:
    a = replace(a, pelvis_tilt=0.0)  # the default pelvis frame assumes an upright pelvis
    flexion, side_bend, rotation = trunk_angles(forward(a, H))
    assert abs(flexion - a.trunk_flexion) < 1e-6
    assert abs(side_bend - a.trunk_side_bend) < 1e-6
    assert abs(rotation - a.trunk_rotation) < 1e-6


def test_pelvis_frame_from_points_matches_the_pose() -> None:
    a = JointAngles(pelvis_tilt=-90, pelvis_rotation=30, left_hip_flexion=100)
    built = pelvis_frame(forward(a, H))
    exact = pelvis_frame_of(a)
    for u, v in zip(built, exact, strict=True):
        assert approx(u, v, 1e-9)


def test_height_scales_every_point() -> None:
    a = JointAngles(left_hip_flexion=45, left_knee_flexion=60, trunk_rotation=20)
    small, tall = forward(a, 1.5), forward(a, 2.0)
    for name in small:
        assert approx(tuple(x / 1.5 for x in small[name]), tuple(x / 2.0 for x in tall[name]))

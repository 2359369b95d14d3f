"""Lunge-matrix reps on synthetic skeletons: the planted foot stays put, the other steps."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from triplane.core import body
from triplane.core.body import JointAngles
from triplane.vision import angles as ang
from triplane.vision.lunge import RepCounter, classify
from triplane.vision.measure import lunge_frame
from triplane.vision.pose import INDEX, Observation

FPS = 30.0
CAMERA_DISTANCE = 4.0
FOCAL = 900.0


def _project(p: tuple[float, float, float]) -> tuple[float, float]:
    """A pinhole camera 1 m up, 4 m away along +Z, looking along -Z."""
    depth = CAMERA_DISTANCE - p[2]
    return (960 + FOCAL * p[0] / depth, 540 + FOCAL * (1.0 - p[1]) / depth)


def _observation(pts: dict[str, tuple[float, float, float]]) -> Observation:
    image = np.zeros((33, 2))
    world = np.zeros((33, 3))
    centre = np.array(pts["pelvis_centre"])
    for name, i in INDEX.items():
        if name in pts:
            image[i] = _project(pts[name])
            world[i] = np.array(pts[name]) - centre  # MediaPipe's world origin: the hip centre
    return Observation(image, world, np.ones(33))


def _rep_frames(bottom: JointAngles, planted: str, start_frame: int = 0):  # type: ignore[no-untyped-def]
    """Standing -> bottom -> standing (5 still, 12 down, 6 hold, 12 up, 5 still frames)."""
    names = JointAngles.angle_names()
    stand = JointAngles()
    plan = (
        [0.0] * 5
        + [i / 12 for i in range(1, 13)]
        + [1.0] * 6
        + [1 - i / 12 for i in range(1, 13)]
        + [0.0] * 5
    )
    anchor = None
    out = []
    for k, t in enumerate(plan):
        pose = JointAngles(**{n: getattr(stand, n) + t * (getattr(bottom, n) - getattr(stand, n))
                              for n in names})  # fmt: skip
        pts = body.forward(pose)
        ankle = np.array(pts[f"{planted}_ankle"])
        if anchor is None:
            anchor = ankle
        shift = anchor - ankle  # keep the planted foot where it was
        pts = {n: tuple(float(c) for c in np.array(v) + shift) for n, v in pts.items()}
        out.append((start_frame + k, pts))
    return out


def _count(frames) -> RepCounter:  # type: ignore[no-untyped-def]
    counter = RepCounter(FPS)
    for f, pts in frames:
        fa = ang.frame_angles(pts)
        counter.push(lunge_frame(f, _observation(pts), pts, fa))
    return counter


CASES = {
    "anterior": (JointAngles(right_hip_flexion=80, right_knee_flexion=90, left_hip_flexion=-20,
                             left_knee_flexion=90), "left", "right"),
    "posterior": (JointAngles(left_hip_flexion=-30, left_knee_flexion=90, right_hip_flexion=70,
                              right_knee_flexion=90), "right", "left"),
    "lateral": (JointAngles(right_hip_abduction=40, right_knee_flexion=100, right_hip_flexion=70,
                            left_hip_abduction=30, left_hip_flexion=20), "left", "right"),
    "crossover": (JointAngles(right_hip_flexion=50, right_hip_abduction=-35,
                              right_knee_flexion=90, left_hip_flexion=40,
                              left_knee_flexion=90), "left", "right"),
    "posterolateral": (JointAngles(left_hip_flexion=-20, left_hip_abduction=45,
                                   left_knee_flexion=60, right_hip_flexion=60,
                                   right_knee_flexion=80), "right", "left"),
    "transverse": (JointAngles(pelvis_rotation=-70, right_hip_flexion=70, right_knee_flexion=80,
                               left_hip_flexion=-10, left_knee_flexion=50), "left", "right"),
}  # fmt: skip


@pytest.mark.parametrize("direction", sorted(CASES))
@pytest.mark.parametrize("facing", [0.0, 90.0, -135.0])
def test_each_direction_is_recognised(direction: str, facing: float) -> None:
    bottom, planted, stepping = CASES[direction]
    # The person may face any way relative to the camera; the direction must not change.
    frames = _rep_frames(bottom, planted)
    if facing:
        frames = [(f, _turn(pts, facing)) for f, pts in frames]
    counter = _count(frames)
    assert len(counter.reps) == 1
    rep = counter.reps[0]
    assert rep.direction == direction, rep
    assert rep.stepping_side == stepping
    assert rep.bottom_frame in range(16, 23)  # reached at 16, held to 22


def _turn(pts, deg):  # type: ignore[no-untyped-def]
    """Turn the whole scene about the vertical axis (the person facing another way)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return {n: (c * p[0] + s * p[2], p[1], -s * p[0] + c * p[2]) for n, p in pts.items()}


def test_depth_tempo_and_working_leg() -> None:
    bottom, planted, _ = CASES["anterior"]
    frames = _rep_frames(bottom, planted) + _rep_frames(bottom, planted, start_frame=40)
    counter = _count(frames)
    assert len(counter.reps) == 2
    rep = counter.reps[0]
    assert rep.working_side in ("left", "right")
    assert rep.depth_knee == pytest.approx(90.0, abs=1e-6)
    assert rep.depth_hip == pytest.approx(80.0 if rep.working_side == "right" else -20.0, abs=1e-6)
    # 12 frames down, 6 held at the bottom (within 5 degrees: a little more), 12 up.
    assert 0.25 <= rep.down_s <= 0.4
    assert 0.15 <= rep.hold_s <= 0.3
    assert 0.25 <= rep.up_s <= 0.45
    assert rep.trunk_lean == pytest.approx(0.0, abs=1e-6)
    assert rep.pelvic_drop == pytest.approx(0.0, abs=1e-6)
    summary = counter.summary()
    assert summary["reps"] == 2 and summary["direction"] == "anterior"
    assert summary["reps_per_side"] == {"right": 2}


def test_pelvic_drop_and_trunk_lean_are_reported() -> None:
    bottom = replace(CASES["anterior"][0], pelvis_obliquity=6.0, trunk_flexion=25.0)
    rep = _count(_rep_frames(bottom, "left")).reps[0]
    assert rep.pelvic_drop == pytest.approx(6.0, abs=1e-6)
    assert rep.pelvic_drop_side == "right"
    assert rep.trunk_lean == pytest.approx(25.0, abs=1e-6)


def test_a_shallow_dip_is_not_a_rep() -> None:
    bottom = JointAngles(right_knee_flexion=35, left_knee_flexion=35, right_hip_flexion=20,
                         left_hip_flexion=20)  # fmt: skip
    assert _count(_rep_frames(bottom, "left")).reps == []


@pytest.mark.parametrize(
    ("angle", "turn", "expected"),
    [(0, 0, "anterior"), (35, 0, "anterior"), (90, 0, "lateral"), (90, 60, "transverse"),
     (135, 0, "posterolateral"), (180, 0, "posterior"), (-170, 0, "posterior"),
     (-60, 0, "crossover"), (-130, 0, "crossover")],
)  # fmt: skip
def test_classify(angle: float, turn: float, expected: str) -> None:
    assert classify(angle, turn) == expected


def test_a_squat_in_place_is_not_a_lunge() -> None:
    bottom = JointAngles(right_knee_flexion=90, left_knee_flexion=90, right_hip_flexion=80,
                         left_hip_flexion=80, trunk_flexion=20)  # fmt: skip
    assert _count(_rep_frames(bottom, "left")).reps == []

"""Smoothing, calibration and the person lock, on made-up numbers."""

from __future__ import annotations

import numpy as np
import pytest

from triplane.vision.calibrate import SEATED, STANDING, calibrate
from triplane.vision.pose import Observation, PersonLock
from triplane.vision.smoothing import Smoother


def _smooth(values: list[float | None], frames: list[int] | None = None) -> dict[int, float | None]:
    s = Smoother()
    out: dict[int, float | None] = {}
    for f, v in zip(frames or range(len(values)), values, strict=True):
        out.update((k, d["a"]) for k, d in s.push(f, {"a": v}))
    out.update((k, d["a"]) for k, d in s.flush())
    return out


def test_smoother_removes_a_one_frame_spike_and_keeps_a_held_end_range() -> None:
    values: list[float | None] = [10.0] * 5 + [80.0] + [10.0] * 5 + [40.0] * 6 + [10.0] * 3
    out = _smooth(values)
    assert sorted(out) == list(range(len(values)))  # every frame comes out once
    assert max(v for v in out.values() if v is not None) == 40.0  # spike gone, hold kept
    assert out[13] == 40.0


def test_smoother_does_not_bridge_gaps_and_keeps_missing_values_missing() -> None:
    out = _smooth([1.0, 2.0, None, 4.0, 5.0, 100.0, 101.0], frames=[0, 1, 2, 3, 4, 20, 21])
    assert out[2] is None
    assert out[20] == pytest.approx(100.5)  # its window holds only frames 20 and 21


def _standing(n: int, flex: float = 25.0, jitter: float = 0.5) -> list[dict[str, float | None]]:
    rng = np.random.default_rng(1)
    frames = []
    for _ in range(n):
        j = float(rng.uniform(-jitter, jitter))
        frames.append({"hip_flexion.left": flex + j, "hip_flexion.right": flex - 3 + j,
                       "hip_abduction.left": 2.0, "hip_abduction.right": -1.0,
                       "knee_flexion.left": 10.0, "knee_flexion.right": 12.0,
                       "trunk_lean": 8.0, "trunk_flexion": 8.0})  # fmt: skip
    return frames


def test_calibration_on_a_still_neutral_second_removes_the_offsets() -> None:
    cal = calibrate(STANDING, _standing(30), fps=30.0)
    assert cal.calibrated and cal.factor == 1.0
    assert cal.offsets["hip_flexion.left"] == pytest.approx(25.0, abs=0.5)
    after = cal.apply({"hip_flexion.left": 95.0, "hip_flexion.right": 22.0, "other": 5.0})
    assert after["hip_flexion.left"] == pytest.approx(70.0, abs=0.5)
    assert after["hip_flexion.right"] == pytest.approx(0.0, abs=0.5)
    assert after["other"] == 5.0


def test_no_calibration_when_the_start_is_not_neutral() -> None:
    moving = _standing(30, jitter=15.0)
    cal = calibrate(STANDING, moving, fps=30.0)
    assert not cal.calibrated and cal.factor < 1.0 and "moving" in cal.note
    bent = [dict(f, **{"knee_flexion.left": 70.0}) for f in _standing(30)]
    cal = calibrate(STANDING, bent, fps=30.0)
    assert not cal.calibrated and "standing still" in cal.note
    assert not calibrate(STANDING, _standing(5), fps=30.0).calibrated  # too short
    assert not calibrate(SEATED, _standing(30), fps=30.0).calibrated  # not seated


def _obs(cx: float, cy: float, size: float) -> Observation:
    """A stick person centred at (cx, cy) pixels with torso length `size`."""
    image = np.zeros((33, 2))
    for i, (dx, dy) in {11: (-0.3, -0.5), 12: (0.3, -0.5), 23: (-0.2, 0.5), 24: (0.2, 0.5),
                        25: (-0.2, 1.3), 26: (0.2, 1.3), 27: (-0.2, 2.1),
                        28: (0.2, 2.1)}.items():  # fmt: skip
        image[i] = (cx + dx * size, cy + dy * size)
    return Observation(image, np.zeros((33, 3)), np.ones(33))


def test_lock_refuses_a_jump_to_another_person_and_takes_the_person_back_later() -> None:
    lock = PersonLock()
    lock.lock(_obs(800, 300, 100), 0)
    for f in range(1, 10):  # walking: 5 px a frame
        assert lock.check(_obs(800 + 5 * f, 300, 100), f)
    assert not lock.check(None, 10)  # the model lost them...
    for f in range(11, 40):  # ...and picked up someone far away, walking on
        assert not lock.check(_obs(200 - 3 * f, 650, 120), f)
    assert lock.switches == [11]
    assert not lock.check(None, 40)
    assert lock.check(_obs(1000, 500, 95), 41)  # back on the person: plausible after 32 frames
    assert lock.reacquired == [(9, 41)]


def test_lock_refuses_a_switch_without_a_lost_frame() -> None:
    lock = PersonLock()
    lock.lock(_obs(800, 300, 100), 0)
    assert lock.check(_obs(805, 300, 100), 1)
    assert not lock.check(_obs(300, 300, 100), 2)  # 5 body sizes in one frame
    assert not lock.check(_obs(302, 300, 100), 3)  # the same wrong track goes on
    lock2 = PersonLock()
    lock2.lock(_obs(800, 300, 100), 0)
    assert not lock2.check(_obs(800, 300, 250), 1)  # same place, 2.5 times the size

"""The multi-camera reference (issue 13, item 7): the calibration reader, triangulation and the
angles of triangulated landmarks, on the real calibration and real 2D landmarks of Pose2Sim's
public four-camera demo (tests/vision/data/pose2sim_demo: the lab's Calib.qca.txt and MediaPipe's
landmarks of every tenth frame, BSD-3-Clause, see LICENSE-pose2sim there)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from triplane.vision import multiview as mv

DATA = Path(__file__).parent / "data" / "pose2sim_demo"
JOINTS = (11, 12, 23, 24, 25, 26, 27, 28)  # shoulders, hips, knees, ankles


@pytest.fixture(scope="module")
def cams() -> dict[str, mv.Camera]:
    return mv.read_qualisys(DATA / "Calib.qca.txt")


@pytest.fixture(scope="module")
def landmarks() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    raw = json.loads((DATA / "landmarks.json").read_text())
    return {
        c: (np.array(v["image"], dtype=float), np.array(v["visibility"], dtype=float))
        for c, v in raw["cameras"].items()
    }


def _median_reprojection(cams: dict[str, mv.Camera], lm: dict[str, tuple[np.ndarray, np.ndarray]]):
    names = sorted(cams)
    und = {c: mv.undistort(cams[c], lm[c][0]) for c in names}
    errs = []
    for f in range(len(lm[names[0]][0])):
        for j in JOINTS:
            Ps = [cams[c].P for c in names]
            xys = [und[c][f, j] for c in names]
            X = mv.triangulate(Ps, xys)
            errs.extend(
                float(np.linalg.norm(mv.project(P, X) - xy)) for P, xy in zip(Ps, xys, strict=True)
            )
    return float(np.median(errs))


def test_the_lab_calibration_puts_every_camera_where_the_views_agree(cams, landmarks) -> None:
    # Four views of the same joints meet within a few centimetres (MediaPipe places a joint a
    # little differently from each side): about 15 px at 3 m. The rotation read transposed (the
    # mistake this guards against) or the camera's viewing axis not flipped puts them metres
    # apart: hundreds of pixels.
    assert sorted(cams) == ["cam01", "cam02", "cam03", "cam04"]
    assert _median_reprojection(cams, landmarks) < 25.0
    assert _median_reprojection({k: _transposed(c) for k, c in cams.items()}, landmarks) > 80.0


def _transposed(cam: mv.Camera) -> mv.Camera:
    """The same camera with the lab rotation read by columns instead of rows."""
    flip = np.diag([1.0, -1.0, -1.0])
    lab_to_cam = flip @ cam.R  # back to Qualisys camera axes
    position = -lab_to_cam.T @ (flip @ cam.t)
    wrong = lab_to_cam.T
    return dataclasses.replace(cam, R=flip @ wrong, t=flip @ (-wrong @ position))


def test_every_camera_sees_the_person_in_front_of_it(cams, landmarks) -> None:
    names = sorted(cams)
    und = {c: mv.undistort(cams[c], landmarks[c][0]) for c in names}
    X = mv.triangulate([cams[c].P for c in names], [und[c][0, 23] for c in names])
    for c in names:
        depth = (cams[c].R @ X + cams[c].t)[2]
        assert 1.0 < depth < 10.0, c  # metres in front of the lens, not behind it


def test_triangulated_landmarks_stand_upright_in_the_body_models_axes(cams, landmarks) -> None:
    rows, stats = mv.reference_series(cams, landmarks, fps=6.0)
    assert stats["mean_views"] > 3.5  # nearly every landmark seen by all four cameras
    names = sorted(cams)
    und = {c: mv.undistort(cams[c], landmarks[c][0]) for c in names}

    def point(j: int) -> tuple[float, float, float]:
        X = mv.triangulate([cams[c].P for c in names], [und[c][0, j] for c in names])
        return mv.lab_to_body(X)

    shoulder, hip, ankle = point(11), point(23), point(27)
    assert shoulder[1] > hip[1] > ankle[1]  # Y up: shoulder above hip above ankle
    assert 0.35 < shoulder[1] - hip[1] < 0.75  # a torso, in metres
    # The hip angles of the reference exist where the trunk and legs were seen.
    with_angles = [r for r in rows if "left.hip_flexion" in r]
    assert len(with_angles) >= len(rows) - 1


def test_a_view_that_misses_the_others_is_left_out() -> None:
    K = np.array([[1000.0, 0, 500], [0, 1000.0, 500], [0, 0, 1]])

    def cam(yaw: float) -> np.ndarray:
        c, s = np.cos(yaw), np.sin(yaw)
        R = np.array([[c, 0, -s], [0, 1, 0], [s, 0, c]])
        return K @ np.hstack([R, (np.array([0, 0, 4.0])).reshape(3, 1)])

    Ps = [cam(a) for a in (-0.6, -0.2, 0.2, 0.6)]
    X = np.array([0.1, -0.2, 0.3])
    xys = [mv.project(P, X) for P in Ps]
    xys[2] = xys[2] + np.array([120.0, -80.0])  # one camera put the joint on another limb
    got, worst = mv.robust_point(Ps, xys)
    assert got is not None and np.allclose(got, X, atol=1e-6)
    assert worst < 1e-3
    # Two views that disagree (off each other's epipolar line: here vertically, the cameras
    # being side by side) cannot be told apart: no point at all rather than a wrong one.
    bad, _ = mv.robust_point(Ps[:2], [xys[0], xys[1] + np.array([0.0, 200.0])])
    assert bad is None


@pytest.mark.slow
def test_the_video_bands_cover_every_error_found_on_the_real_reference(pose2sim_demo: Path) -> None:
    """Issue 13, item 5: the error band shown with a video angle is learned from this check, so
    no camera and side of the real four-camera demo may be further off than its plane's band,
    and the reference itself must be sound where it is used (flexion and abduction)."""
    from triplane.core.measurement_error import VIDEO_ERROR_BAND

    v = mv.validate(pose2sim_demo)
    assert v.reference["median_reprojection_px"] < 25.0
    assert v.reference["mean_views"] > 3.5
    assert not v.refused, v.refused  # every camera's clip is measurable as a whole
    for plane in ("sagittal", "frontal"):
        spread = [s.rmse for s in v.own_spread if s.plane == plane]
        assert float(np.median(spread)) < 10.0, (plane, spread)
    for camera, stats in v.single.items():
        assert {s.plane for s in stats} >= {"sagittal", "frontal"}, camera
        for s in stats:
            assert s.rmse <= VIDEO_ERROR_BAND[s.plane], (camera, s)

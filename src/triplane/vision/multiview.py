"""Triangulated 3D landmarks from several calibrated cameras: a multi-camera reference.

Used by ``bench/vision_multiview.py`` to check the single-camera measurement against a
reconstruction that takes depth from several viewpoints (issue 13). MediaPipe finds the 2D
landmarks in each view; each landmark is triangulated (linear DLT) from the views that see it,
leaving out a view whose point misses the others' by more than MAX_REPROJECTION_PX; the app's
own angle code turns the 3D landmarks into hip angles. Camera calibrations are read from
Qualisys ``.qca.txt`` files (the format of Pose2Sim's public demo).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from triplane.vision import accuracy as acc
from triplane.vision import angles as ang
from triplane.vision.pose import NAMES, PoseModel

MIN_VISIBILITY = 0.5  # a camera's landmark below this takes no part in triangulation
# A camera's 2D point this far from the triangulated point is left out (a left/right swap, a
# landmark on the wrong limb). MediaPipe's landmarks of the same joint differ between views by
# about 3 cm (15 px here), so the limit only catches gross errors.
MAX_REPROJECTION_PX = 40.0


@dataclass(frozen=True)
class Camera:
    name: str
    K: np.ndarray  # 3x3 intrinsics, pixels
    dist: np.ndarray  # k1, k2, p1, p2
    R: np.ndarray  # world -> camera rotation (OpenCV: x right, y down, z forward)
    t: np.ndarray  # world -> camera translation, metres

    @property
    def P(self) -> np.ndarray:
        projection: np.ndarray = self.K @ np.hstack([self.R, self.t.reshape(3, 1)])
        return projection


def read_qualisys(path: Path) -> dict[str, Camera]:
    """Cameras of a Qualisys .qca.txt calibration (Qualisys stores intrinsics in 1/64 pixel
    and each camera's pose in the lab frame with the camera looking down its -Z axis)."""
    root = ET.parse(path).getroot()
    cams: dict[str, Camera] = {}
    for cam in root.findall("cameras/camera"):
        fov = cam.find("fov_video")
        intr = cam.find("intrinsic")
        tr = cam.find("transform")
        assert fov is not None and intr is not None and tr is not None
        left, top = float(fov.get("left", 0)), float(fov.get("top", 0))
        g = intr.get
        K = np.array(
            [
                [float(g("focalLengthU", 0)) / 64, 0.0, float(g("centerPointU", 0)) / 64 - left],
                [0.0, float(g("focalLengthV", 0)) / 64, float(g("centerPointV", 0)) / 64 - top],
                [0.0, 0.0, 1.0],
            ]
        )
        dist = np.array(
            [float(g(k, 0)) / 64 for k in ("radialDistortion1", "radialDistortion2")]
            + [float(g(k, 0)) / 64 for k in ("tangentalDistortion1", "tangentalDistortion2")]
        )
        # r_ij is the lab -> camera rotation (Qualisys camera axes); x, y, z the camera's
        # position in the lab (mm).
        R = np.array([[float(tr.get(f"r{i}{j}", 0)) for j in (1, 2, 3)] for i in (1, 2, 3)])
        pos = np.array([float(tr.get(k, 0)) for k in ("x", "y", "z")]) / 1000.0
        t = -R @ pos
        flip = np.diag([1.0, -1.0, -1.0])  # Qualisys camera (-Z forward) -> OpenCV (+Z forward)
        cams[str(cam.get("serial"))] = Camera(str(cam.get("serial")), K, dist, flip @ R, flip @ t)
    return cams


def landmarks_2d(video: Path) -> tuple[np.ndarray, np.ndarray, float]:
    """Per frame (n, 33, 2) pixel landmarks and (n, 33) visibility (NaN / 0 where no pose)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = float(cap.get(cv2.CAP_PROP_FPS)) or 30.0
    pts: list[np.ndarray] = []
    vis: list[np.ndarray] = []
    with PoseModel() as model:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            obs = model.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if obs is None:
                pts.append(np.full((33, 2), np.nan))
                vis.append(np.zeros(33))
            else:
                pts.append(obs.image.copy())
                vis.append(obs.visibility.copy())
    cap.release()
    return np.array(pts), np.array(vis), fps


def undistort(cam: Camera, xy: np.ndarray) -> np.ndarray:
    import cv2

    ok = np.isfinite(xy).all(axis=-1)
    out = np.full_like(xy, np.nan)
    if ok.any():
        und = cv2.undistortPoints(xy[ok].reshape(-1, 1, 2), cam.K, cam.dist, P=cam.K)
        out[ok] = und.reshape(-1, 2)
    return out


def triangulate(Ps: list[np.ndarray], xys: list[np.ndarray]) -> np.ndarray:
    """Linear (DLT) triangulation of one point from two or more views."""
    rows = []
    for P, (x, y) in zip(Ps, xys, strict=True):
        rows.append(x * P[2] - P[0])
        rows.append(y * P[2] - P[1])
    _, _, vt = np.linalg.svd(np.array(rows))
    X = vt[-1]
    return X[:3] / X[3]  # type: ignore[no-any-return]


def project(P: np.ndarray, X: np.ndarray) -> np.ndarray:
    h = P @ np.append(X, 1.0)
    return h[:2] / h[2]  # type: ignore[no-any-return]


def robust_point(Ps: list[np.ndarray], xys: list[np.ndarray]) -> tuple[np.ndarray | None, float]:
    """Triangulate from every view, then drop the worst view while its reprojection error is
    over the limit (keeping at least two). Returns the point and its worst remaining error."""
    idx = list(range(len(Ps)))
    while len(idx) >= 2:
        X = triangulate([Ps[i] for i in idx], [xys[i] for i in idx])
        errs = [float(np.linalg.norm(project(Ps[i], X) - xys[i])) for i in idx]
        worst = int(np.argmax(errs))
        if errs[worst] <= MAX_REPROJECTION_PX:
            return X, errs[worst]
        idx.pop(worst)
    return None, math.inf


def lab_to_body(X: np.ndarray) -> tuple[float, float, float]:
    """Lab axes (Z up) -> the body model's axes (Y up): a proper rotation about X."""
    return (float(X[0]), float(X[2]), float(-X[1]))


def reference_series(
    cams: dict[str, Camera], lm: dict[str, tuple[np.ndarray, np.ndarray]], fps: float
) -> tuple[list[dict[str, object]], dict[str, float]]:
    names = sorted(lm)
    n = min(len(lm[c][0]) for c in names)
    und = {c: undistort(cams[c], lm[c][0][:n]) for c in names}
    rows: list[dict[str, object]] = []
    errors: list[float] = []
    used_views: list[int] = []
    for f in range(n):
        points: dict[str, tuple[float, float, float]] = {}
        for j, name in enumerate(NAMES):
            if j < 11:
                continue
            Ps, xys = [], []
            for c in names:
                xy = und[c][f, j]
                if lm[c][1][f, j] >= MIN_VISIBILITY and np.isfinite(xy).all():
                    Ps.append(cams[c].P)
                    xys.append(xy)
            if len(Ps) < 2:
                continue
            X, err = robust_point(Ps, xys)
            if X is None:
                continue
            errors.append(err)
            used_views.append(len(Ps))
            points[name] = lab_to_body(X)
        row: dict[str, object] = {"time": f / fps}
        if {"left_hip", "right_hip", "left_shoulder", "right_shoulder"} <= set(points):
            fa = ang.frame_angles(points)
            for side in ("left", "right"):
                for key in acc.KEYS:
                    row[f"{side}.{key}"] = fa.value(key, side)
        rows.append(row)
    stats = {
        "frames": float(n),
        "median_reprojection_px": float(np.median(errors)) if errors else math.nan,
        "p95_reprojection_px": float(np.percentile(errors, 95)) if errors else math.nan,
        "mean_views": float(np.mean(used_views)) if used_views else math.nan,
    }
    return rows, stats


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    cols = ["time"] + [f"{s}.{k}" for s in ("left", "right") for k in acc.KEYS]
    with path.open("w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join("" if r.get(c) is None else f"{r[c]}" for c in cols) + "\n")


def as_series(rows: list[dict[str, object]]) -> acc.Series:
    out: acc.Series = {}
    for side in ("left", "right"):
        for key in acc.KEYS:
            pts = [(r["time"], r.get(f"{side}.{key}")) for r in rows]
            pts = [(float(t), float(v)) for t, v in pts if v is not None]  # type: ignore[arg-type]
            if pts:
                t, v = zip(*pts, strict=True)
                out[(side, key)] = (np.asarray(t), np.asarray(v))
    return out


@dataclass
class Validation:
    """Single-camera angles against the multi-camera reference, one camera left out at a time."""

    fps: float
    reference: dict[str, float]  # frames, mean_views, reprojection median / 95th percentile (px)
    reference_rows: list[dict[str, object]]
    own_spread: list[acc.Stats]  # each reference without one camera vs the one with all
    single: dict[str, list[acc.Stats]]  # camera -> that camera alone vs the others' reference
    refused: dict[str, str]  # camera -> why the single-camera measurement refused the clip
    measured: dict[str, acc.Series]  # camera -> its single-camera per-frame series


def load_landmarks(
    videos: dict[str, Path], cache: Path | None = None
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
    """2D landmarks of every video (kept in `cache`, an .npz, when given)."""
    if cache and cache.exists():
        z = np.load(cache)
        return {c: (z[f"{c}_pts"], z[f"{c}_vis"]) for c in videos}, float(z["fps"])
    lm = {}
    fps = 30.0
    for c, path in videos.items():
        pts, vis, fps = landmarks_2d(path)
        lm[c] = (pts, vis)
    if cache:
        arrays = {f"{c}_{k}": a for c, (p, v) in lm.items() for k, a in (("pts", p), ("vis", v))}
        np.savez(cache, fps=fps, **arrays)  # type: ignore[arg-type]
    return lm, fps


def demo_videos(folder: Path) -> tuple[dict[str, Camera], dict[str, Path]]:
    """The calibrated cameras and videos of a Pose2Sim-style folder (calibration/, videos/)."""
    cams = read_qualisys(folder / "calibration" / "Calib.qca.txt")
    videos = {p.stem: p for p in sorted((folder / "videos").glob("*.mp4"))}
    missing = set(videos) - set(cams)
    if missing or len(videos) < 3:
        raise ValueError(f"need three or more calibrated videos; none for {sorted(missing)}")
    return cams, videos


def validate(folder: Path, cache: Path | None = None) -> Validation:
    from triplane.vision.errors import VisionError
    from triplane.vision.measure import measure_video

    cams, videos = demo_videos(folder)
    lm, fps = load_landmarks(videos, cache)
    rows, stats = reference_series(cams, lm, fps)
    full = as_series(rows)
    own: list[acc.Stats] = []
    single: dict[str, list[acc.Stats]] = {}
    refused: dict[str, str] = {}
    measured: dict[str, acc.Series] = {}
    for c, path in videos.items():
        others = {k: v for k, v in lm.items() if k != c}
        without_c = as_series(reference_series(cams, others, fps)[0])
        own.extend(acc.compare(without_c, full))
        try:
            result = measure_video(path, test="free", frames=True)
        except VisionError as e:
            refused[c] = str(e)
            continue
        measured[c] = acc.measured_series(result.frames or [])
        single[c] = acc.compare(measured[c], without_c)
    return Validation(fps, stats, rows, own, single, refused, measured)

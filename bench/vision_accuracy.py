"""Video angles against a reference: RMSE, bias and correlation per plane and side, and the
mirror test (a horizontally flipped clip must swap the sides). Prints, never asserts.

    # a real clip against a reference series (CSV or OpenSim .mot of hip_flexion/adduction/
    # rotation per side), and the same clip flipped:
    .venv-vision/bin/python bench/vision_accuracy.py clip.mp4 --reference ik.mot [--test free]
        [--offset 0.0] [--no-mirror]
    # a clip and its mirror image only (no reference): do the sides swap?
    .venv-vision/bin/python bench/vision_accuracy.py clip.mp4
    # measured per-frame series saved earlier (`triplane measure clip --json --frames > m.json`):
    .venv-vision/bin/python bench/vision_accuracy.py --measured m.json --reference ik.mot
    # synthetic skeletons with known angles (no video: the angle code on noisy 3D landmarks),
    # trunk-referenced flexion side by side with the camera-vertical baseline, same run:
    .venv-vision/bin/python bench/vision_accuracy.py --synthetic

The synthetic reference checks the geometry (pelvis reference, the body model's inverse,
left/right, mirroring) with landmark noise like MediaPipe's (depth noisier than the image
plane); it says nothing about the pose model on real pixels. A real reference needs a clip AND
a multi-camera or marker-based reconstruction of the same movement: see docs/video.md.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from triplane.core import body
from triplane.core.body import JointAngles
from triplane.vision import accuracy as acc
from triplane.vision import angles as ang

FPS = 30.0


def synthetic_poses(seconds: float = 12.0, seed: int = 0) -> list[JointAngles]:
    """A movement with every plane: hip flexion to 100, abduction to 40, rotation +/-35 (knee
    bent, so rotation is defined), while the pelvis and trunk tilt together up to 30 degrees."""
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * math.pi, 6)
    out = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        s = [
            math.sin(2 * math.pi * f * t + p)
            for f, p in zip((0.13, 0.21, 0.17, 0.11, 0.19, 0.07), phase, strict=True)
        ]
        out.append(JointAngles(
            pelvis_tilt=-15 + 15 * s[5],  # forward tilt of pelvis and trunk together (negative)
            left_hip_flexion=50 + 45 * s[0], right_hip_flexion=50 - 45 * s[0],
            left_hip_abduction=20 + 20 * s[1], right_hip_abduction=15 + 15 * s[2],
            left_hip_rotation=35 * s[3], right_hip_rotation=-30 * s[4],
            left_knee_flexion=70.0, right_knee_flexion=70.0,
        ))  # fmt: skip
    return out


def _noisy(points: dict[str, tuple[float, float, float]], rng: np.random.Generator,
           image_sd: float, depth_sd: float) -> dict[str, tuple[float, float, float]]:  # fmt: skip
    """Landmark noise: image-plane axes (Y up, Z across) image_sd metres, depth (X, toward the
    camera for a front view) depth_sd."""
    return {
        n: (p[0] + rng.normal(0, depth_sd), p[1] + rng.normal(0, image_sd),
            p[2] + rng.normal(0, image_sd))
        for n, p in points.items()
    }  # fmt: skip


def _mirror_points(points: dict[str, tuple[float, float, float]]) -> dict[str, Any]:
    """A mirror image in the sagittal plane (Z -> -Z) with left and right names swapped."""
    out = {}
    for n, p in points.items():
        m = n.replace("left_", "@").replace("right_", "left_").replace("@", "right_")
        out[m] = (p[0], p[1], -p[2])
    return out


def synthetic(image_sd: float = 0.01, depth_sd: float = 0.04) -> None:
    poses = synthetic_poses()
    rng = np.random.default_rng(1)
    rows: dict[str, list[dict[str, Any]]] = {"trunk": [], "vertical": [], "mirror": []}
    ref_rows = []
    for i, pose in enumerate(poses):
        t = i / FPS
        pts = _noisy(body.forward(pose), rng, image_sd, depth_sd)
        for name, ref in (("trunk", "trunk"), ("vertical", "vertical")):
            p = ang.with_neck(pts)
            frame = body.pelvis_frame(p, ref)  # type: ignore[arg-type]
            row: dict[str, Any] = {"time": t}
            for side in acc.SIDES:
                h = body.hip_angles(p, side, pelvis_frame=frame)  # type: ignore[arg-type]
                row[side] = {"hip_flexion": h.flexion, "hip_abduction": h.abduction,
                             "hip_rotation": h.rotation}  # fmt: skip
            rows[name].append(row)
        fa = ang.frame_angles(_mirror_points(pts))
        rows["mirror"].append({"time": t, **{s: {k: getattr(fa, k)[s] for k in acc.KEYS}
                                             for s in acc.SIDES}})  # fmt: skip
        ref_rows.append({"time": t, **{s: {k: float(getattr(pose, f"{s}_{k}")) for k in acc.KEYS}
                                       for s in acc.SIDES}})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        ref_csv = Path(tmp) / "reference.csv"
        names = ["time"] + [f"{s}.{k}" for s in acc.SIDES for k in acc.KEYS]
        lines = [",".join(names)] + [
            ",".join([f"{r['time']:.4f}"] + [f"{r[s][k]:.4f}" for s in acc.SIDES
                                             for k in acc.KEYS]) for r in ref_rows
        ]  # fmt: skip
        ref_csv.write_text("\n".join(lines) + "\n")
        reference = acc.read_reference(ref_csv)
    print(f"synthetic skeletons: {len(poses)} frames at {FPS:g} fps, landmark noise "
          f"{image_sd * 100:g} cm in the image plane, {depth_sd * 100:g} cm in depth; pelvis and "
          "trunk tilting together 0-30 degrees")  # fmt: skip
    trunk = acc.compare(acc.measured_series(rows["trunk"]), reference)
    vertical = acc.compare(acc.measured_series(rows["vertical"]), reference)
    print(
        "\nflexion referenced to the trunk (this code)      | baseline: camera vertical, same run"
    )
    for a, b in zip(acc.table(trunk).splitlines(), acc.table(vertical).splitlines(), strict=True):
        print(f"{a:<49}| {b}")
    print("\nmirror test (skeleton mirrored, names swapped):")
    _print_mirror(acc.mirror_check(acc.measured_series(rows["trunk"]),
                                   acc.measured_series(rows["mirror"])))  # fmt: skip


def _print_mirror(rows: list[dict[str, Any]]) -> None:
    print(f"{'plane':<11} {'flipped':<8} {'RMSE vs other side':>19} {'vs same side':>13} "
          f"{'r':>6}  sides swap")  # fmt: skip
    for m in rows:
        print(f"{m['plane']:<11} {m['flipped_side']:<8} {m['rmse_vs_other_side']:>19.1f} "
              f"{m['rmse_vs_same_side']:>13.1f} {m['r_vs_other_side']:>6.2f}  "
              f"{'yes' if m['sides_swap'] else 'NO'}")  # fmt: skip


def _measure(clip: Path, test: str) -> list[dict[str, Any]]:
    from triplane.vision import measure_video

    rows = measure_video(clip, test, frames=True).frames
    assert rows is not None
    return rows


def _flipped(clip: Path, out: Path) -> Path:
    import cv2

    from triplane.vision.video import open_capture, probe, upright

    info = probe(clip)
    cap = open_capture(str(clip))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), info.fps,
                             (info.width, info.height))  # fmt: skip
    try:
        while True:
            ok, f = cap.read()
            if not ok:
                break
            writer.write(cv2.flip(upright(cv2, f, info.rotation), 1))
    finally:
        cap.release()
        writer.release()
    return out


def real(args: argparse.Namespace) -> None:
    reference = acc.read_reference(args.reference) if args.reference else None
    if args.measured:
        assert reference is not None
        data = json.loads(Path(args.measured).read_text())
        rows = data.get("frames")
        if rows is None:
            sys.exit(f"{args.measured} has no 'frames': measure with --json --frames")
        print(acc.table(acc.compare(acc.measured_series(rows), reference, args.offset)))
        return
    clip = Path(args.clip)
    rows = _measure(clip, args.test)
    if reference is not None:
        print(f"{clip} ({args.test}) against {args.reference}, offset {args.offset:g} s")
        print(acc.table(acc.compare(acc.measured_series(rows), reference, args.offset)))
    else:
        print(f"{clip} ({args.test}): no reference given, mirror test only")
    if not args.no_mirror:
        with tempfile.TemporaryDirectory() as tmp:
            flipped = _measure(_flipped(clip, Path(tmp) / "flipped.mp4"), args.test)
        print("\nmirror test (the clip flipped horizontally):")
        _print_mirror(acc.mirror_check(acc.measured_series(rows), acc.measured_series(flipped)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("clip", nargs="?")
    ap.add_argument("--reference")
    ap.add_argument("--measured")
    ap.add_argument("--test", default="free")
    ap.add_argument("--offset", type=float, default=0.0, help="reference time = clip time + s")
    ap.add_argument("--no-mirror", action="store_true")
    ap.add_argument("--synthetic", action="store_true")
    args = ap.parse_args()
    if args.synthetic:
        synthetic()
        return
    if not (args.clip or (args.measured and args.reference)):
        ap.error("give a clip (and --reference), or --measured JSON and --reference, or "
                 "--synthetic")  # fmt: skip
    real(args)


if __name__ == "__main__":
    main()

"""A real multi-camera reference for the video measurement, and single-camera errors against it.

The reference is Pose2Sim's public demo (github.com/perfanalytics/pose2sim, BSD-3-Clause,
`Pose2Sim/Demo_SinglePerson`): one man with reflective markers, filmed by four calibrated,
synchronised phones-sized video cameras (1080x1920, 60 fps) of a Qualisys lab, doing a
balance-and-reach movement with large hip motion in every plane. Nothing of it is committed;
clone it and point this script at the folder:

    git clone --depth 1 https://github.com/perfanalytics/pose2sim /tmp/pose2sim
    .venv-vision/bin/python bench/vision_multiview.py /tmp/pose2sim/Pose2Sim/Demo_SinglePerson

What it does, all with this project's own code:
1. MediaPipe Pose (the same model the app uses) finds the 2D landmarks in every camera's video.
2. Those are triangulated with the lab's camera calibration (`calibration/Calib.qca.txt`) into
   3D landmarks: depth comes from four viewpoints, not from the model's single-view guess. A
   camera whose ray misses the others' point by more than MAX_REPROJECTION_PX is left out of
   that landmark in that frame, and a landmark seen well by fewer than two cameras is missing.
3. The app's angle code (triplane.vision.angles, the body model's inverse) turns the
   triangulated landmarks into hip flexion, abduction and rotation per side and frame: the
   reference series (`--out ref.csv` writes it, in bench/vision_accuracy.py's CSV format).
4. Each camera's video alone goes through `measure_video` (what `triplane measure` runs) with
   its per-frame series, and is compared with the reference: RMSE, bias and correlation per
   plane and side (triplane.vision.accuracy), then the mirror test.

What it cannot say: the 2D landmarks of the reference come from the same pose model, so errors
that all four views share (a landmark placed on the wrong part of the thigh in every view) are
in the reference too. The figures are the single-camera error that multiple views remove
(depth, the view angle); a marker-based reference would add the model's own landmark error.
The clip is 1.7 s long: one person, one movement, four views.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from triplane.vision import accuracy as acc
from triplane.vision.multiview import (
    as_series,
    landmarks_2d,
    read_qualisys,
    reference_series,
    write_csv,
)


def load_landmarks(
    videos: dict[str, Path], cache: Path | None
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], float]:
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
        np.savez(cache, fps=fps, **arrays)
    return lm, fps


def _plane_summary(stats: list[acc.Stats], label: str) -> None:
    print(f"\n{label} (RMSE, degrees): median / worst over cameras and sides")
    for plane in ("sagittal", "frontal", "transverse"):
        r = [s.rmse for s in stats if s.plane == plane and math.isfinite(s.rmse)]
        c = [s.r for s in stats if s.plane == plane and math.isfinite(s.r)]
        if r:
            print(
                f"  {plane:<11} {np.median(r):6.1f} / {max(r):6.1f}   correlation median "
                f"{np.median(c):5.2f}, lowest {min(c):5.2f}   (n={len(r)})"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("folder", type=Path, help="Pose2Sim/Demo_SinglePerson (videos/, calibration/)")
    ap.add_argument("--out", type=Path, help="write the four-camera reference series (CSV)")
    ap.add_argument("--cache", type=Path, help="keep the 2D landmarks here (.npz) between runs")
    ap.add_argument("--no-mirror", action="store_true", help="skip the mirror test")
    args = ap.parse_args(argv)
    from triplane.vision import measure_video
    from triplane.vision.errors import VisionError

    cams = read_qualisys(args.folder / "calibration" / "Calib.qca.txt")
    videos = {p.stem: p for p in sorted((args.folder / "videos").glob("*.mp4"))}
    missing = set(videos) - set(cams)
    if missing or len(videos) < 3:
        print(f"need three or more calibrated videos; no calibration for {sorted(missing)}")
        return 1
    lm, fps = load_landmarks(videos, args.cache)
    rows, stats = reference_series(cams, lm, fps)
    print(
        f"four-camera reference: {int(stats['frames'])} frames at {fps:g} fps, "
        f"{stats['mean_views']:.1f} views per landmark, reprojection median "
        f"{stats['median_reprojection_px']:.1f} px, 95th percentile "
        f"{stats['p95_reprojection_px']:.1f} px"
    )
    if args.out:
        write_csv(rows, args.out)
    full = as_series(rows)
    # How sure the reference itself is: each three-camera reference against the four-camera one.
    own: list[acc.Stats] = []
    leave_one_out: dict[str, acc.Series] = {}
    for c in videos:
        others = {k: v for k, v in lm.items() if k != c}
        leave_one_out[c] = as_series(reference_series(cams, others, fps)[0])
        own.extend(acc.compare(leave_one_out[c], full))
    _plane_summary(own, "the reference's own spread: each three-camera reference vs all four")
    # Each camera alone against the reference made WITHOUT it (no shared view).
    single: list[acc.Stats] = []
    measured_of: dict[str, acc.Series] = {}
    for c, path in videos.items():
        try:
            result = measure_video(path, test="free", frames=True)
        except VisionError as e:
            print(f"\n{c}: single camera refused: {e}")
            continue
        measured_of[c] = acc.measured_series(result.frames or [])
        stats_c = acc.compare(measured_of[c], leave_one_out[c])
        single.extend(stats_c)
        print(f"\n{c} alone (triplane measure) vs the reference of the other three cameras")
        print(acc.table(stats_c))
    _plane_summary(single, "single camera vs multi-camera reference")
    if not args.no_mirror:
        import subprocess
        import tempfile

        print("\nmirror test (each clip flipped horizontally: left and right must swap)")
        with tempfile.TemporaryDirectory() as tmp:
            for c, path in videos.items():
                if c not in measured_of:
                    continue
                flipped = Path(tmp) / f"{c}_flipped.mp4"
                subprocess.run(
                    ["ffmpeg", "-v", "error", "-y", "-i", str(path), "-vf", "hflip", str(flipped)],
                    check=True,
                )
                m = acc.measured_series(measure_video(flipped, "free", frames=True).frames or [])
                for row in acc.mirror_check(measured_of[c], m):
                    print(
                        f"  {c} {row['plane']:<11} flipped {row['flipped_side']:<5} RMSE vs "
                        f"other side {row['rmse_vs_other_side']:5.1f}, vs same side "
                        f"{row['rmse_vs_same_side']:5.1f}  sides swap: {row['sides_swap']}"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

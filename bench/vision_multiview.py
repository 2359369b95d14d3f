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
from triplane.vision import multiview as mv


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
    try:
        v = mv.validate(args.folder, args.cache)
    except (ValueError, OSError) as e:
        print(e, file=sys.stderr)
        return 1
    s = v.reference
    print(
        f"four-camera reference: {int(s['frames'])} frames at {v.fps:g} fps, "
        f"{s['mean_views']:.1f} views per landmark, reprojection median "
        f"{s['median_reprojection_px']:.1f} px, 95th percentile {s['p95_reprojection_px']:.1f} px"
    )
    if args.out:
        mv.write_csv(v.reference_rows, args.out)
    _plane_summary(
        v.own_spread, "the reference's own spread: each three-camera reference vs all four"
    )
    for c, stats in v.single.items():
        print(f"\n{c} alone (triplane measure) vs the reference of the other three cameras")
        print(acc.table(stats))
    for c, why in v.refused.items():
        print(f"\n{c}: single camera refused: {why}")
    _plane_summary(
        [x for st in v.single.values() for x in st], "single camera vs multi-camera reference"
    )
    if not args.no_mirror:
        _mirror(mv.demo_videos(args.folder)[1], v.measured)
    return 0


def _mirror(videos: dict[str, Path], measured_of: dict[str, acc.Series]) -> None:
    import subprocess
    import tempfile

    from triplane.vision import measure_video

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


if __name__ == "__main__":
    sys.exit(main())

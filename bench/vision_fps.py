"""Video measurement speed and memory, printed.

Frames per second of ``measure_video`` (decode thread, MediaPipe Pose, person lock, angles,
smoothing, calibration, ranges) side by side, in the same run, with a bare MediaPipe loop over
the same frames (cv2 read, BGR->RGB, ``Pose.process``), alternating, median of several runs.
Both are timed end to end, model start-up included. Then peak memory (RSS, fresh process) for
the clip and the clip looped three times.

Run with the vision virtualenv:  .venv-vision/bin/python bench/vision_fps.py [--runs 3]
Targets: at least 90% of the bare loop's rate; 1080p at 30 fps in real time; flat memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "vision"
DEMO = CACHE / "Sports2D" / "Demo" / "demo.mp4"


def demo_clip() -> Path:
    if DEMO.exists():
        return DEMO
    wheels = CACHE / "sports2d"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "sports2d==0.8.34",
                    "-d", str(wheels)], check=True)  # fmt: skip
    with zipfile.ZipFile(next(wheels.glob("sports2d-0.8.34-*.whl"))) as z:
        z.extract("Sports2D/Demo/demo.mp4", CACHE)
    return DEMO


def bare(clip: Path) -> tuple[int, float, float]:
    import cv2
    from mediapipe.python.solutions import pose as mp_pose

    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    with mp_pose.Pose(model_complexity=1) as pose:
        cap = cv2.VideoCapture(str(clip))
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            n += 1
        cap.release()
    return n, time.perf_counter() - t0, time.process_time() - c0


def pipeline(clip: Path) -> tuple[int, float, float]:
    from triplane.vision import measure_video

    t0, c0 = time.perf_counter(), time.process_time()
    r = measure_video(clip, "free")
    return r.frames_read, time.perf_counter() - t0, time.process_time() - c0


def resized(clip: Path, out: Path, size: tuple[int, int], loops: int = 1) -> Path:
    import cv2

    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, size)
    for _ in range(loops):
        cap = cv2.VideoCapture(str(clip))
        while True:
            ok, f = cap.read()
            if not ok:
                break
            writer.write(f if (f.shape[1], f.shape[0]) == size else cv2.resize(f, size))
        cap.release()
    writer.release()
    return out


PEAK = """
import json, resource, sys
from triplane.vision import measure_video
r = measure_video(sys.argv[1], "free")
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"frames": r.frames_read, "rss_mb": rss}))
"""


def peak(clip: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", PEAK, str(clip)], capture_output=True, text=True,
                         check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(label: str, clip: Path, runs: int) -> None:
    """Wall-clock fps (what a person waits for) and CPU fps (frames per CPU-second of the
    whole process, all threads: steadier when other work shares the machine)."""
    bw, pw, bc, pc = [], [], [], []
    frames = 0
    for _ in range(runs):  # alternate, so drift in machine load hits both alike
        n, wall, cpu = bare(clip)
        bw.append(n / wall)
        bc.append(n / cpu)
        frames, wall, cpu = pipeline(clip)
        pw.append(frames / wall)
        pc.append(frames / cpu)
    med = statistics.median
    print(
        f"{label:<10} {frames:>6}  wall: bare {med(bw):5.1f} ours {med(pw):5.1f}"
        f" ({med(pw) / med(bw):6.1%}); best bare {max(bw):5.1f} ours {max(pw):5.1f}"
        f" ({max(pw) / max(bw):6.1%})"
    )
    print(f"{'':<17}  cpu:  bare {med(bc):5.1f} ours {med(pc):5.1f} ({med(pc) / med(bc):6.1%})")
    print(f"{'':<17}  runs wall bare {' '.join(f'{x:.1f}' for x in bw)}")
    print(f"{'':<17}  runs wall ours {' '.join(f'{x:.1f}' for x in pw)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--verbose", action="store_true", help="keep MediaPipe's own stderr logs")
    args = ap.parse_args()
    if not args.verbose:  # MediaPipe's C++ logs (warnings about its graph) go to fd 2
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    clip = demo_clip()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; clip {clip.name}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other work on the machine slows both)")
    print("frames per second: medians of the runs, and the best run; ratio = ours / bare")
    compare("1768x994", clip, args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        hd = resized(clip, Path(tmp) / "hd.mp4", (1920, 1080))
        compare("1920x1080", hd, args.runs)
        print("(1080p at 30 fps is real time when ours >= 30 frames per second, wall)")
        small = resized(clip, Path(tmp) / "x1.mp4", (960, 540))
        triple = resized(clip, Path(tmp) / "x3.mp4", (960, 540), loops=3)
        a, c = peak(small), peak(triple)
        print(
            f"peak RSS, 960x540: {a['frames']:.0f} frames {a['rss_mb']:.0f} MB; "
            f"{c['frames']:.0f} frames (3x) {c['rss_mb']:.0f} MB; "
            f"difference {c['rss_mb'] - a['rss_mb']:+.1f} MB"
        )


if __name__ == "__main__":
    main()

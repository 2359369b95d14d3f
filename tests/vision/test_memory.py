"""Streaming: peak memory does not grow with the length of the video.

The same frames are measured as a clip and as the clip looped three times, each in a fresh
process; peak RSS and the peak of Python allocations (tracemalloc) are compared.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .clips import read_frames, write_clip

pytestmark = pytest.mark.slow

PROBE = """
import json, resource, sys, tracemalloc
from triplane.vision import measure_video
tracemalloc.start()
r = measure_video(sys.argv[1], "free")
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"frames": r.frames_read, "used": r.frames_used.count, "py_peak": peak,
                  "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _peak(clip: Path) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(clip)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_peak_memory_is_flat_in_video_length(demo_clip: Path, tmp_path: Path) -> None:
    frames = list(read_frames(demo_clip, 10, 100, (884, 497)))  # the man jumping, in view
    short = write_clip(tmp_path / "short.mp4", frames)
    long = write_clip(tmp_path / "long.mp4", frames * 3)
    a, b = _peak(short), _peak(long)
    assert b["frames"] == 3 * a["frames"] == 270
    assert b["used"] > 2.5 * a["used"]
    # Python allocations: what grows with length is a few run lists, a few kilobytes (the
    # held extremes keep one half-second window per value).
    assert b["py_peak"] < a["py_peak"] * 1.25 + 256 * 1024, (a, b)
    # Whole process (the model, decoder and frames in flight): within 25 MB.
    assert b["rss_kb"] - a["rss_kb"] < 25 * 1024, (a, b)

"""Robust extremes: the furthest a smoothed angle series goes AND stays for a held window.

A single frame's maximum is whatever the worst outlier was, and it grows with the clip's length
(more frames, more chances). Instead, over every window of ``HOLD_SECONDS`` of consecutive used
frames, the level that ``REACH`` of the window's frames reach is taken (for a maximum, the
window's (1 - REACH) percentile; for a minimum the REACH percentile): that is a position held,
not a spike. The extreme is the best such held level. Repeating a clip gives the same windows,
so the same extreme.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HOLD_SECONDS = 0.5
REACH = 0.8  # share of a window's frames that must reach the held level
MAX_GAP = 2  # frames: a window may not span a gap longer than this


@dataclass(frozen=True)
class Held:
    value: float
    frame: int  # the window's middle frame
    start: int
    end: int  # inclusive
    confidence: float  # mean over the window


def window_frames(fps: float) -> int:
    return max(3, math.ceil(HOLD_SECONDS * fps))


class HeldRange:
    """Streaming: push a series' (frame, value, confidence) in frame order; `hi` and `lo` are
    the highest and lowest levels held for HOLD_SECONDS so far. Memory: one window."""

    def __init__(self, fps: float) -> None:
        self.n = window_frames(fps)
        self._win: deque[tuple[int, float, float]] = deque(maxlen=self.n)
        self.hi: Held | None = None
        self.lo: Held | None = None
        self.frames = 0

    def push(self, frame: int, value: float, conf: float) -> None:
        self.frames += 1
        if self._win and frame - self._win[-1][0] > MAX_GAP + 1:
            self._win.clear()
        self._win.append((frame, value, conf))
        if len(self._win) < self.n:
            return
        vals = [v for _, v, _ in self._win]
        q = (1 - REACH) * 100
        top = float(np.percentile(vals, q))  # reached by REACH of the window: a held maximum
        bottom = float(np.percentile(vals, 100 - q))
        if self.hi is None or top > self.hi.value:
            self.hi = self._held(top)
        if self.lo is None or bottom < self.lo.value:
            self.lo = self._held(bottom)

    def _held(self, level: float) -> Held:
        w = self._win
        return Held(
            value=level,
            frame=w[len(w) // 2][0],
            start=w[0][0],
            end=w[-1][0],
            confidence=sum(c for _, _, c in w) / len(w),
        )


def held_extreme(
    frames: Sequence[int],
    values: Sequence[float],
    confs: Sequence[float],
    fps: float,
    sign: float,
) -> Held | None:
    """The highest (sign +1) or lowest (sign -1) level held for HOLD_SECONDS; None when no
    run of consecutive frames is that long. `frames` ascending."""
    r = HeldRange(fps)
    for f, v, c in zip(frames, values, confs, strict=True):
        r.push(f, v, c)
    return r.hi if sign > 0 else r.lo

"""Streaming smoothing: a centred running median over a few frames, with bounded memory.

MediaPipe already filters its landmarks over time; on top of that, the angles of each frame are
replaced by the median of a short centred window, which removes single-frame spikes (a
landmark flipping for one frame) without shaving real end ranges off a held position. A
window never spans a gap of more than one missing frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from statistics import median

WINDOW = 5
MIN_VALUES = 3  # a smoothed value needs at least this many values in its window


class Smoother:
    def __init__(self, window: int = WINDOW, min_values: int = MIN_VALUES) -> None:
        if window % 2 == 0:
            raise ValueError("the smoothing window must be odd")
        self.window = window
        self.half = window // 2
        self.min_values = min(min_values, window)
        self._buf: deque[tuple[int, dict[str, float | None]]] = deque(maxlen=window)
        self._pending = 0  # frames at the end of the buffer not yet emitted

    def push(
        self, frame: int, values: dict[str, float | None]
    ) -> Iterator[tuple[int, dict[str, float | None]]]:
        """Add one frame's raw values; yields the frames whose window is now complete."""
        if self._buf and frame - self._buf[-1][0] > 2:
            yield from self.flush()
        self._buf.append((frame, values))
        self._pending += 1
        while self._pending and self._pending - 1 >= self.half:
            yield self._smooth(len(self._buf) - self._pending)
            self._pending -= 1

    def flush(self) -> Iterator[tuple[int, dict[str, float | None]]]:
        """Emit the frames still waiting for their window (at a gap or the end of the video)."""
        while self._pending:
            yield self._smooth(len(self._buf) - self._pending)
            self._pending -= 1
        self._buf.clear()

    def _smooth(self, i: int) -> tuple[int, dict[str, float | None]]:
        frame, centre = self._buf[i]
        lo, hi = max(0, i - self.half), min(len(self._buf), i + self.half + 1)
        need = min(self.min_values, len(self._buf))
        out: dict[str, float | None] = {}
        for key, v in centre.items():
            if v is None:
                out[key] = None
                continue
            vals = [x for _, d in list(self._buf)[lo:hi] if (x := d.get(key)) is not None]
            out[key] = median(vals) if len(vals) >= need else None
        return frame, out

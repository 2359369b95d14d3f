"""Helpers that write and read small test clips with OpenCV."""

from __future__ import annotations

from pathlib import Path


def write_clip(path: Path, frames, fps: float = 30.0) -> Path:  # type: ignore[no-untyped-def]
    """Write BGR frames (an iterable of HxWx3 uint8 arrays) to an MP4 file."""
    import cv2

    writer = None
    for f in frames:
        if writer is None:
            h, w = f.shape[:2]
            writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(f)
    assert writer is not None, "no frames to write"
    writer.release()
    return path


def read_frames(
    clip: Path, start: int = 0, stop: int | None = None, size: tuple[int, int] | None = None
):  # type: ignore[no-untyped-def]
    """Yield BGR frames start..stop-1 of a clip, resized to `size` (w, h) if given."""
    import cv2

    cap = cv2.VideoCapture(str(clip))
    i = 0
    try:
        while stop is None or i < stop:
            ok, f = cap.read()
            if not ok:
                break
            if i >= start:
                yield cv2.resize(f, size, interpolation=cv2.INTER_AREA) if size else f
            i += 1
    finally:
        cap.release()

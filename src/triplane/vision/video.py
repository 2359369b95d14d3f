"""Streaming frame reader with clear errors for bad input.

Frames are decoded in a background thread into a small bounded queue, so decoding overlaps the
pose model and memory stays flat however long the video is.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triplane.vision.errors import VisionError
from triplane.vision.orientation import rotation

QUEUE_FRAMES = 4  # frames decoded ahead of the pose model; bounds memory
BRIGHTNESS_EVERY = 10  # sample the brightness of every n-th frame (cheap: a strided view)
# OpenCV keeps FFmpeg's log to itself unless asked: with these set, the decoder's errors
# (AV_LOG_ERROR = 16: "error while decoding MB", "Invalid NAL unit size", ...) are printed with
# an "[OPENCV:FFMPEG:16]" prefix. A decoder conceals a damaged frame (it guesses the missing
# blocks from their neighbours) and goes on: the frame count stays right, the picture is wrong.
DECODER_LOG_ENV = {"OPENCV_FFMPEG_DEBUG": "1", "OPENCV_FFMPEG_LOGLEVEL": "16"}
DECODER_ERROR_MARK = "[OPENCV:FFMPEG:"
_DECODE_ALL = (
    "import sys, cv2\n"
    "cap = cv2.VideoCapture(sys.argv[1])\n"
    "n, most = 0, int(sys.argv[2])\n"
    "while (most < 0 or n < most) and cap.read()[0]:\n"
    "    n += 1\n"
)


@dataclass(frozen=True)
class VideoInfo:
    path: str
    width: int
    height: int
    fps: float
    frame_count: int  # as the container declares it; 0 when unknown
    fps_assumed: bool = False  # the container gave no frame rate: 30 assumed
    rotation: int = 0  # clockwise degrees the stored frames are turned by (display matrix)


def _cv2() -> Any:
    # The decoder's own messages would reach the person's terminal between our one-line
    # errors; this process keeps FFmpeg quiet (DecoderCheck listens in a child process).
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    import cv2

    return cv2


def open_capture(path: str) -> Any:
    """A cv2.VideoCapture that never rotates by itself (rotation is applied by the reader)."""
    cv2 = _cv2()
    cap = cv2.VideoCapture(path)
    if hasattr(cv2, "CAP_PROP_ORIENTATION_AUTO"):
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return cap


def upright(cv2: Any, frame: Any, degrees: int) -> Any:
    """The frame turned clockwise by `degrees` (0, 90, 180, 270)."""
    if degrees == 90:
        return cv2.rotate(frame, cv2.ROTATE_90_CLOCKWISE)
    if degrees == 180:
        return cv2.rotate(frame, cv2.ROTATE_180)
    if degrees == 270:
        return cv2.rotate(frame, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return frame


def probe(path: str | os.PathLike[str]) -> VideoInfo:
    """Check that `path` is a readable video and describe it, or raise VisionError."""
    cv2 = _cv2()
    p = Path(path)
    if not p.exists():
        raise VisionError(f"There is no file at {p}: check the path and try again.")
    if p.is_dir():
        raise VisionError(f"{p} is a folder, not a video file: give the path of the video.")
    if p.stat().st_size == 0:
        raise VisionError(f"{p} is empty (0 bytes): copy or record the video again.")
    cap = open_capture(str(p))
    try:
        if not cap.isOpened():
            raise VisionError(
                f"{p} is not a video that can be read (or it is truncated): "
                "use the MP4 or MOV file straight from the phone."
            )
        ok, frame = cap.read()
        if not ok or frame is None:
            raise VisionError(
                f"{p} has no frame that can be decoded: the file is truncated or not a video."
            )
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if count == 1 or p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp", ".webp"):
            raise VisionError(f"{p} is a still image, not a video: film the test as a video.")
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        assumed = not (1.0 <= fps <= 480.0)
        turn = rotation(p)
        h, w = frame.shape[:2]
        if turn in (90, 270):
            w, h = h, w
        return VideoInfo(
            str(p), int(w), int(h), 30.0 if assumed else fps, max(count, 0), assumed, turn
        )
    finally:
        cap.release()


@dataclass
class Frame:
    index: int
    rgb: Any  # numpy array HxWx3, RGB, uint8
    brightness: float | None  # mean luma (BT.601) 0-255 of a subsample, on every n-th frame


class FrameReader:
    """Iterate the frames of a video as RGB arrays, decoded ahead in a thread.

    ``frames_read`` and ``decode_error`` are set when iteration ends; a read that stops before
    the declared frame count is reported by the caller as a possibly truncated file.
    """

    def __init__(self, info: VideoInfo, stop_after: int | None = None) -> None:
        self.info = info
        self.stop_after = stop_after
        self.frames_read = 0
        self.decode_error: str | None = None
        self._q: queue.Queue[Frame | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        cv2 = _cv2()
        cap = open_capture(self.info.path)
        try:
            i = 0
            while not self._stop.is_set():
                if self.stop_after is not None and i >= self.stop_after:
                    break
                ok, bgr = cap.read()
                if not ok or bgr is None:
                    break
                rgb = upright(cv2, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self.info.rotation)
                bright = None
                if i % BRIGHTNESS_EVERY == 0:
                    sub = rgb[::16, ::16].reshape(-1, 3).mean(axis=0)
                    bright = float(0.299 * sub[0] + 0.587 * sub[1] + 0.114 * sub[2])
                self._put(Frame(i, rgb, bright))
                i += 1
            self.frames_read = i
        except Exception as exc:  # a decoder crash mid-file: stop, report like truncation
            self.decode_error = str(exc)
        finally:
            cap.release()
            self._put(None)

    def _put(self, item: Frame | None) -> None:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[Frame]:
        self._thread = threading.Thread(target=self._run, name="triplane-video", daemon=True)
        self._thread.start()
        try:
            while True:
                item = self._q.get()
                if item is None:
                    break
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    self._q.get_nowait()
                except queue.Empty:
                    self._thread.join(timeout=0.05)
            self._thread = None


class DecoderCheck:
    """Decode a whole video once more in a child process with FFmpeg's error log on, while the
    measurement runs, and collect the errors the decoder reports (it would otherwise conceal
    them). A child process, because the log goes to the process's own stdout/stderr."""

    def __init__(self, path: str, stop_after: int | None = None) -> None:
        env = dict(os.environ, **DECODER_LOG_ENV)
        most = -1 if stop_after is None else stop_after
        self._proc: subprocess.Popen[str] | None
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _DECODE_ALL, path, str(most)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
            )
        except OSError:
            self._proc = None  # no child process possible here: only the in-process checks

    def errors(self, timeout: float = 600.0) -> list[str]:
        """The decoder's error lines (empty for a clean stream); waits for the child."""
        if self._proc is None:
            return []
        try:
            out, _ = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate()
            return []
        return [
            line.split("]", 1)[-1].strip()
            for line in out.splitlines()
            if line.startswith(DECODER_ERROR_MARK)
        ]

    def cancel(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.communicate()

"""Bad input gives a VisionError whose message is one clear sentence; nothing is measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from triplane.vision import VisionError, measure_video

from .clips import write_clip


def _fails(path: Path, *words: str, test: str = "free") -> str:
    with pytest.raises(VisionError) as err:
        measure_video(path, test)
    msg = str(err.value)
    for w in words:
        assert w in msg, msg
    assert "\n" not in msg and msg.endswith(".")
    return msg


def test_missing_file(tmp_path: Path) -> None:
    _fails(tmp_path / "nope.mp4", "no file", "check the path")


def test_a_folder(tmp_path: Path) -> None:
    _fails(tmp_path, "is a folder")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    _fails(p, "is empty")


def test_not_a_video(tmp_path: Path) -> None:
    p = tmp_path / "notes.mp4"
    p.write_text("these are my training notes, not a video\n" * 50)
    _fails(p, "not a video")


def test_a_still_image(tmp_path: Path) -> None:
    import cv2

    p = tmp_path / "photo.png"
    cv2.imwrite(str(p), np.full((120, 160, 3), 128, np.uint8))
    _fails(p, "still image")


def test_truncated_inside_the_header(demo_clip: Path, tmp_path: Path) -> None:
    p = tmp_path / "cut.mp4"
    p.write_bytes(demo_clip.read_bytes()[:2000])
    _fails(p, "truncated")


def test_truncated_in_the_middle_is_refused(demo_clip: Path, tmp_path: Path) -> None:
    """A clip cut short is not measured on what is left: its frames are not the test's."""
    p = tmp_path / "half.mp4"
    p.write_bytes(demo_clip.read_bytes()[: int(demo_clip.stat().st_size * 0.4)])
    _fails(p, "truncated", "nothing was measured")


def test_too_dark(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = (rng.integers(0, 12, (360, 640, 3), dtype=np.uint8) for _ in range(45))
    p = write_clip(tmp_path / "night.mp4", frames)
    _fails(p, "too dark")


def test_nobody_in_a_bright_clip(tmp_path: Path) -> None:
    frames = (np.full((360, 640, 3), 170, np.uint8) for _ in range(30))
    p = write_clip(tmp_path / "wall.mp4", frames)
    _fails(p, "No person was found")


def test_unknown_test_and_side(demo_clip: Path) -> None:
    with pytest.raises(VisionError, match="Unknown test"):
        measure_video(demo_clip, "handstand")
    with pytest.raises(VisionError, match="Unknown side"):
        measure_video(demo_clip, "free", side="middle")
    with pytest.raises(VisionError, match=".png or .mp4"):
        measure_video(demo_clip, "free", annotate="out.gif")

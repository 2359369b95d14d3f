"""Video-measurement tests: run with the vision virtualenv (scripts/vision-venv.sh).

Everything here skips, with the reason, when the vision extra (mediapipe, cv2, numpy<2) cannot
be imported. The real-clip tests use the demo video shipped in the sports2d wheel on PyPI,
fetched once into .cache/vision/ with pip; they skip, saying why, when it cannot be had.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import triplane.vision  # noqa: F401
except ImportError as exc:  # the extra is not installed in this interpreter
    pytest.skip(
        f"vision extra not importable here ({exc}); run scripts/vision-venv.sh and "
        ".venv-vision/bin/pytest tests/vision",
        allow_module_level=True,
    )

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "vision"
SPORTS2D = "sports2d==0.8.34"
DEMO_IN_WHEEL = "Sports2D/Demo/demo.mp4"


@pytest.fixture(scope="session")
def demo_clip() -> Path:
    """The 1768x994, 30 fps, 230-frame demo clip from the sports2d wheel (cached)."""
    clip = CACHE / DEMO_IN_WHEEL
    if clip.exists() and clip.stat().st_size > 0:
        return clip
    wheels = CACHE / "sports2d"
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob("sports2d-0.8.34-*.whl")):
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", SPORTS2D, "-d", str(wheels)],
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot fetch the demo clip ({SPORTS2D} from PyPI): {exc}")
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"cannot fetch the demo clip: pip download {SPORTS2D} failed: {last}")
    wheel = next(iter(wheels.glob("sports2d-0.8.34-*.whl")), None)
    if wheel is None:
        pytest.skip(f"cannot fetch the demo clip: no {SPORTS2D} wheel was downloaded")
    try:
        with zipfile.ZipFile(wheel) as z:
            z.extract(DEMO_IN_WHEEL, CACHE)
    except (zipfile.BadZipFile, KeyError) as exc:
        pytest.skip(f"the {SPORTS2D} wheel has no readable {DEMO_IN_WHEEL}: {exc}")
    return clip

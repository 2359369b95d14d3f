"""Video-measurement tests: run with the vision virtualenv (scripts/vision-venv.sh).

Everything here skips, with the reason, when the vision extra (mediapipe, cv2, numpy<2) cannot
be imported. The real-clip tests use the demo video shipped in the sports2d wheel on PyPI and
the four-camera demo in the pose2sim wheel, fetched once into .cache/vision/ with pip; they
skip, saying why, when they cannot be had.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

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
# Pose2Sim's four-camera demo (BSD-3-Clause): the real multi-camera reference of issue 13.
POSE2SIM = "pose2sim==0.10.49"
POSE2SIM_DEMO = "Pose2Sim/Demo_SinglePerson"
POSE2SIM_FILES = [f"{POSE2SIM_DEMO}/calibration/Calib.qca.txt"] + [
    f"{POSE2SIM_DEMO}/videos/cam0{i}.mp4" for i in (1, 2, 3, 4)
]


def from_wheel(spec: str, members: list[str]) -> list[Path]:
    """Files from a PyPI wheel (pip download once, cached in .cache/vision), or skip saying why."""
    targets = [CACHE / m for m in members]
    if all(t.exists() and t.stat().st_size > 0 for t in targets):
        return targets
    name, version = spec.split("==")
    wheels = CACHE / name
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob(f"{name}-{version}-*.whl")):
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(wheels)],
                capture_output=True,
                text=True,
                timeout=900,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot fetch {spec} from PyPI: {exc}")
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"cannot fetch {spec}: pip download failed: {last}")
    wheel = next(iter(wheels.glob(f"{name}-{version}-*.whl")), None)
    if wheel is None:
        pytest.skip(f"cannot fetch {spec}: no wheel was downloaded")
    try:
        with zipfile.ZipFile(wheel) as z:
            for m in members:
                z.extract(m, CACHE)
    except (zipfile.BadZipFile, KeyError) as exc:
        pytest.skip(f"the {spec} wheel lacks a file the tests need: {exc}")
    return targets


@pytest.fixture(scope="session")
def demo_clip() -> Path:
    """The 1768x994, 30 fps, 230-frame demo clip from the sports2d wheel (cached)."""
    return from_wheel(SPORTS2D, [DEMO_IN_WHEEL])[0]


@pytest.fixture(scope="session")
def pose2sim_demo() -> Path:
    """Pose2Sim's Demo_SinglePerson folder (calibration/, videos/) from its wheel (cached)."""
    from_wheel(POSE2SIM, POSE2SIM_FILES)
    return CACHE / POSE2SIM_DEMO


FFMPEG = shutil.which("ffmpeg")


def ffmpeg(*args: str) -> None:
    """Run ffmpeg (quiet); the caller has checked that it exists."""
    assert FFMPEG is not None
    proc = subprocess.run([FFMPEG, "-v", "error", "-y", *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


class Clips:
    """Clips made once per session with ffmpeg from the demo clip (see `made`)."""

    def __init__(self, demo: Path, folder: Path) -> None:
        self.demo, self.folder = demo, folder
        self._made: dict[str, Path] = {}

    def made(self, name: str) -> Path:
        if name in self._made:
            return self._made[name]
        out = self.folder / name
        x264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"]
        if name == "upright.mp4":  # the first 95 frames (jumping jacks), half size
            ffmpeg("-i", str(self.demo), "-an", "-frames:v", "95", "-vf", "scale=884:-2", *x264,
                   str(out))  # fmt: skip
        elif name.startswith("rotated"):  # rotated90.mp4, rotated270.mov, rotated180.mp4
            degrees = int(name[7:10].rstrip("."))
            turn = {90: "transpose=cclock", 180: "hflip,vflip", 270: "transpose=clock"}[degrees]
            stored = self.folder / f"stored{degrees}.mp4"  # frames as the phone stores them
            ffmpeg("-i", str(self.made("upright.mp4")), "-vf", turn, *x264, str(stored))
            ffmpeg("-i", str(stored), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees}",
                   str(out))  # fmt: skip
        elif name.startswith("reencoded"):  # reencoded20.mp4, reencoded23.mp4: the noise floor
            crf = name[9:11]
            ffmpeg("-i", str(self.made("upright.mp4")), "-vf", "hflip,hflip", *x264[:4], "-crf",
                   crf, "-pix_fmt", "yuv420p", str(out))  # fmt: skip
        elif name == "sideways.mp4":  # stored turned, with no display matrix: a control
            ffmpeg("-i", str(self.made("upright.mp4")), "-vf", "transpose=cclock", *x264,
                   str(out))  # fmt: skip
        elif name == "blacked.mp4":  # the man blacked out from frame 100 (on the box, then
            # where he lands from frame 160); the woman walking through stays in view
            boxes = (
                "drawbox=x=490:y=0:w=610:h=480:color=black:t=fill:enable='gte(n,100)',"
                "drawbox=x=950:y=400:w=500:h=594:color=black:t=fill:enable='gte(n,160)'"
            )
            ffmpeg("-i", str(self.demo), "-an", "-vf", boxes, *x264, str(out))
        elif name == "dark.mp4":  # the upright clip at 15% of its brightness
            ffmpeg("-i", str(self.made("upright.mp4")), "-vf", "lutyuv=y=val*0.15", *x264,
                   str(out))  # fmt: skip
        elif name == "cut30.mp4":  # the demo clip's first 30% of bytes (index at the front)
            data = self.demo.read_bytes()
            out.write_bytes(data[: int(len(data) * 0.3)])
        elif name == "corrupt.mp4":  # 20 kB of noise in the middle of the upright clip
            data = bytearray(self.made("upright.mp4").read_bytes())
            mid = len(data) // 2
            data[mid : mid + 20000] = bytes((i * 7919 + 13) % 256 for i in range(20000))
            out.write_bytes(bytes(data))
        elif name == "concealed.mp4":  # 200 bytes of noise inside one frame: ffmpeg itself
            # reports decode errors, yet every frame still decodes (the damage is concealed)
            out.write_bytes(concealed_damage(self.made("upright.mp4")))
        elif name == "short.mp4":  # 20 frames: under a second
            ffmpeg("-i", str(self.made("upright.mp4")), "-frames:v", "20", *x264, str(out))
        elif name == "looped.mp4":  # the upright clip three times over, not re-encoded
            ffmpeg("-stream_loop", "2", "-i", str(self.made("upright.mp4")), "-c", "copy",
                   str(out))  # fmt: skip
        elif name == "held_jacks.mp4":  # the first 95 frames played 3x slower: each jumping
            # jack's legs-out position is held about a second
            slow = "trim=end_frame=95,setpts=3*PTS,scale=884:-2"
            ffmpeg("-i", str(self.demo), "-an", "-vf", slow, "-r", "30", *x264, str(out))
        elif name == "flipped.mp4":  # the upright clip mirrored left-right
            ffmpeg("-i", str(self.made("upright.mp4")), "-vf", "hflip", *x264, str(out))
        else:
            raise KeyError(name)
        self._made[name] = out
        return out


def _ffmpeg_errors_and_frames(path: Path) -> tuple[int, int]:
    """(error lines, decoded frames) by the ffmpeg command line, independent of the app."""
    proc = subprocess.run(
        [str(FFMPEG), "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    count = subprocess.run(
        ["ffprobe", "-v", "quiet", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True,
    )  # fmt: skip
    frames = int(count.stdout.strip() or 0)
    return len([ln for ln in proc.stderr.splitlines() if ln.strip()]), frames


def concealed_damage(clean: Path) -> bytes:
    """The clip with 200 bytes overwritten where ffmpeg reports errors but decodes every frame
    (tried at 20%, 22%, ... of the file; the first such place)."""
    data = clean.read_bytes()
    _, frames = _ffmpeg_errors_and_frames(clean)
    trial = clean.with_name("concealed-trial.mp4")
    for pct in range(20, 80, 2):
        d = bytearray(data)
        at = len(d) * pct // 100
        d[at : at + 200] = bytes((i * 31 + 7) % 256 for i in range(200))
        trial.write_bytes(bytes(d))
        errors, got = _ffmpeg_errors_and_frames(trial)
        if errors and got == frames:
            return bytes(d)
    pytest.skip("no place in the clip where damage is concealed was found (ffmpeg decoded all)")


@pytest.fixture(scope="session")
def clips(demo_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Clips:
    """Clips made from the demo clip with ffmpeg, each once per session; skips without ffmpeg."""
    if FFMPEG is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg; make test does it as root)")
    return Clips(demo_clip, tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="session")
def measured(clips: Clips) -> Any:
    """measured(name, test="free", **kw): measure_video on a made clip, once per session; the
    MeasureResult, or the VisionError it raised."""
    from triplane.vision import VisionError, measure_video

    cache: dict[tuple[Any, ...], Any] = {}

    def get(name: str, test: str = "free", **kw: Any) -> Any:
        key = (name, test, tuple(sorted(kw.items())))
        if key not in cache:
            try:
                cache[key] = measure_video(clips.made(name), test, **kw)
            except VisionError as exc:
                cache[key] = exc
        return cache[key]

    return get

"""The top level: a video file and a test in, measured hip angles out.

    result = measure_video("clip.mp4", "standing_abduction", side="left")
    result.to_json()       # JSON-ready dict: ranges per side and plane, confidences, frames
    result.measurements()  # records for the service layer to save (device "video")

Pipeline, one frame at a time (memory stays flat: nothing grows with the video's length but
a few run-length lists): decode (a thread) -> MediaPipe Pose -> person lock -> visibility gate
-> angles (the body model's inverse) -> running median -> calibration offsets -> per-angle
extremes (and, for lunges, the rep counter).
"""

from __future__ import annotations

import math
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from triplane.core.measurement_error import (
    NOT_MEASURABLE,
    PLANE_OF_MOTION,
    VIDEO_BAND_SOURCE,
    VIDEO_ERROR_BAND,
    video_band,
    video_measurable,
)
from triplane.vision import angles as ang
from triplane.vision.calibrate import SEATED, STANDING, Calibration, NeutralRule, calibrate
from triplane.vision.errors import VisionError
from triplane.vision.extremes import Held, HeldRange, window_frames
from triplane.vision.lunge import LungeFrame, RepCounter
from triplane.vision.pose import (
    INDEX,
    NAMES,
    SKELETON,
    Dropped,
    Observation,
    PersonLock,
    PoseModel,
    mask_inside,
    mask_outside,
    people_in,
)
from triplane.vision.smoothing import Smoother
from triplane.vision.video import (
    DecoderCheck,
    FrameReader,
    VideoInfo,
    open_capture,
    probe,
    upright,
)

TESTS: tuple[str, ...] = (
    "seated_rotation",
    "standing_abduction",
    "modified_thomas",
    "lunge",
    "free",
)
VISIBILITY = 0.5  # landmarks the model is less sure of than this are not used
TOO_DARK = 35.0  # mean luma (BT.601, 0-255) of the clip under which it is too dark to measure
MIN_SECONDS = 1.0  # fewer usable frames than this many seconds: nothing is measured
MIN_COVERAGE = 0.5  # share of the test's window (lock to the end) the used frames must cover
LOST_FRAMES = 0.01  # frames that may be missing against the declared count (rounding)
RETRY_EVERY = 10  # while the model follows someone else, look for the person every n frames
SUPPORT_FRAMES = 3  # an extreme held (within SUPPORT_DEG) for this many frames is fully trusted
SUPPORT_DEG = 3.0
INCLINOMETER_HINT = "measure it with the phone on the shin (web app: Hips > Phone inclinometer)"
PHONE_MOTIONS = ("internal_rotation", "external_rotation", "abduction")
Box = tuple[float, float, float, float]
Progress = Callable[[int, int], None]

# Values measured per frame: key -> (landmarks it needs, plane, how the camera must see it).
SIDE_KEYS = ("hip_flexion", "hip_abduction", "hip_rotation", "knee_flexion", "fppa")
PLANE = {"hip_flexion": "sagittal", "hip_abduction": "frontal", "hip_rotation": "transverse",
         "knee_flexion": "sagittal", "fppa": "frontal", "trunk_flexion": "sagittal",
         "trunk_side_bend": "frontal", "pelvic_obliquity": "frontal"}  # fmt: skip


def _needs(key: str) -> tuple[str, ...]:
    base, _, side = key.partition(".")
    trunk = ("left_hip", "right_hip", "left_shoulder", "right_shoulder")
    if side:
        return trunk + (f"{side}_knee", f"{side}_ankle")
    if base == "pelvic_obliquity":
        return ("left_hip", "right_hip")
    return trunk


def _view_factor(key: str, yaw: float | None) -> float:
    """How well the camera sees a value's plane (0.6..1): the frontal plane (and the seated
    rotation, whose shin swings in it) from the front, the sagittal plane from the side. A
    heuristic: MediaPipe's depth is its weakest axis."""
    if yaw is None:
        return 0.6
    plane = PLANE.get(key.partition(".")[0], "frontal")
    s = math.sin(math.radians(yaw))
    return 0.6 + 0.4 * (s if plane == "sagittal" else math.sqrt(max(0.0, 1 - s * s)))


# --- tests ------------------------------------------------------------------------------------


Values = dict[str, float | None]


def _get(v: Values, key: str) -> float | None:
    return v.get(key)


def _between(x: float | None, lo: float, hi: float) -> bool:
    return x is not None and lo <= x <= hi


@dataclass(frozen=True)
class Motion:
    motion: str  # anatomy.MOTIONS
    key: str  # base key, e.g. "hip_rotation"
    sign: float  # +1: the motion is the value's max; -1: the motion is the negated min


@dataclass(frozen=True)
class TestSpec:
    id: str
    name: str
    position: str
    active: bool
    motions: tuple[Motion, ...]
    rule: NeutralRule | None
    view: str | None  # "front" or "side": the camera view the test needs; None: any
    shows: Callable[[Values, str], bool]  # does this frame show the test, for this side?
    missing: str  # the sentence when no frame shows the test


def _seated(v: Values, side: str) -> bool:
    """Sitting upright (a crouch has the same hip and knee angles, but the trunk leans)."""
    return (
        _between(_get(v, f"knee_flexion.{side}"), 55, 125)
        and _between(_get(v, f"hip_flexion.{side}"), 45, 135)
        and _between(_get(v, "trunk_lean"), 0, 35)
    )


def _standing(v: Values, side: str) -> bool:
    return bool(v.get("upright"))


def _thomas(v: Values, side: str) -> bool:
    other = "right" if side == "left" else "left"
    return v.get("upright") == 0.0 and _between(_get(v, f"hip_flexion.{other}"), 60, 180)


FLEX = Motion("flexion", "hip_flexion", 1)
EXT = Motion("extension", "hip_flexion", -1)
ABD = Motion("abduction", "hip_abduction", 1)
ADD = Motion("adduction", "hip_abduction", -1)
IR = Motion("internal_rotation", "hip_rotation", 1)
ER = Motion("external_rotation", "hip_rotation", -1)

SPECS: dict[str, TestSpec] = {
    "seated_rotation": TestSpec(
        "seated_rotation", "seated rotation test", "seated", True, (IR, ER), SEATED, "front",
        _seated, "no frame shows a person seated with the thigh level and the knee bent about "
        "90 degrees: film the seated rotation test from the front",
    ),
    "standing_abduction": TestSpec(
        "standing_abduction", "standing abduction test", "standing", True, (ABD,), STANDING,
        "front", _standing, "no frame shows the person standing upright: film standing "
        "abduction from the front or back, whole body in view",
    ),
    "modified_thomas": TestSpec(
        "modified_thomas", "modified Thomas test", "supine", False, (EXT,), None, "side",
        _thomas, "no frame shows a person lying back with one knee hugged to the chest: film "
        "the modified Thomas test from the side",
    ),
    "lunge": TestSpec(
        "lunge", "lunge set", "standing", True, (), STANDING, None, lambda v, s: True,
        "no repetition was found (a knee bending past 45 degrees and coming back up): film "
        "the whole set with the whole body in view",
    ),
    "free": TestSpec(
        "free", "free movement", "", True, (FLEX, EXT, ABD, ADD, IR, ER), STANDING, None,
        lambda v, s: True, "the person was never seen well enough to measure",
    ),
}  # fmt: skip


# --- accumulation -----------------------------------------------------------------------------


@dataclass
class Extreme:
    value: float
    frame: int
    conf_sum: float
    support: int

    @property
    def confidence(self) -> float:
        return self.conf_sum / self.support * min(1.0, self.support / SUPPORT_FRAMES)


class Range:
    """The lowest and highest level one value held for HOLD_SECONDS (see extremes.py), with
    how well each was seen."""

    def __init__(self, fps: float) -> None:
        self._held = HeldRange(fps)

    @property
    def frames(self) -> int:
        return self._held.frames

    def add(self, value: float, frame: int, conf: float) -> None:
        self._held.push(frame, value, conf)

    @staticmethod
    def _extreme(h: Held | None) -> Extreme | None:
        if h is None:
            return None
        n = h.end - h.start + 1
        return Extreme(h.value, h.frame, h.confidence * n, n)

    def _both(self) -> tuple[Held | None, Held | None]:
        """(lo, hi); when the value barely moves, the lowest level held can sit above the
        highest: both are then the middle of the two (the value held all along)."""
        lo, hi = self._held.lo, self._held.hi
        if lo is not None and hi is not None and lo.value > hi.value:
            mid = (lo.value + hi.value) / 2
            lo, hi = replace(lo, value=mid), replace(hi, value=mid)
        return lo, hi

    @property
    def hi(self) -> Extreme | None:
        return self._extreme(self._both()[1])

    @property
    def lo(self) -> Extreme | None:
        return self._extreme(self._both()[0])


@dataclass
class RunList:
    """Frame numbers as inclusive runs, e.g. [[0, 41], [45, 80]]."""

    runs: list[list[int]] = field(default_factory=list)
    count: int = 0

    def add(self, frame: int) -> None:
        self.count += 1
        if self.runs and self.runs[-1][1] + 1 == frame:
            self.runs[-1][1] = frame
        elif not self.runs or self.runs[-1][1] < frame:
            self.runs.append([frame, frame])


@dataclass
class Drops:
    items: list[Dropped] = field(default_factory=list)

    def add(self, frame: int, reason: str) -> None:
        last = self.items[-1] if self.items else None
        if last and last.reason == reason and last.end + 1 == frame:
            last.end = frame
        else:
            self.items.append(Dropped(frame, frame, reason))

    def count(self, reason: str | None = None) -> int:
        return sum(d.end - d.start + 1 for d in self.items if reason is None or d.reason == reason)


NO_PERSON = "no person found"
OTHER_PERSON = "another person: the model jumped to someone else, frames refused"
NOT_VISIBLE = "hips or knees not visible enough"


# --- the result -------------------------------------------------------------------------------


@dataclass
class MeasureResult:
    test: str
    side: str | None
    video: VideoInfo
    frames_read: int
    seconds: float
    calibration: Calibration
    ranges: dict[str, dict[str, Range]]  # scope ("left", "right", "trunk") -> key -> range
    motions: list[dict[str, Any]]
    frames_used: RunList
    dropped: list[Dropped]
    warnings: list[str]
    person: dict[str, Any]
    lunge: dict[str, Any] | None = None
    view_yaw: float | None = None
    annotated: str | None = None
    not_measurable: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] | None = None  # per-frame series, when asked for
    coverage: float | None = None  # used frames / frames from the lock to the end
    brightness: float | None = None  # the clip's mean luma, 0-255

    @property
    def processing_fps(self) -> float:
        return self.frames_read / self.seconds if self.seconds > 0 else 0.0

    def measurements(self) -> list[dict[str, Any]]:
        """Records the service layer can save: one per motion and side measured."""
        return [
            {k: m[k] for k in ("test", "motion", "side", "degrees", "unit", "device",
                               "confidence", "position", "active", "frame", "plane",
                               "error_band")}
            for m in self.motions
        ]  # fmt: skip

    def lunge_log(self) -> dict[str, Any] | None:
        """For a lunge set: what a lunge log for that direction needs from the video (the
        direction, the reps, per stepping side) plus the analysis; None for other tests. The
        person still gives discomfort and balance, which a video cannot see."""
        if self.lunge is None:
            return None
        summary = self.lunge["summary"]
        return {
            "direction": summary.get("direction"),
            "reps": summary.get("reps", 0),
            "reps_per_side": summary.get("reps_per_side", {}),
            "device": "video",
            "analysis": summary,
        }

    def to_json(self) -> dict[str, Any]:
        def rng(r: Range, band: float | None = None) -> dict[str, Any]:
            assert r.lo is not None and r.hi is not None
            return {
                "min": round(r.lo.value, 1), "max": round(r.hi.value, 1),
                "min_frame": r.lo.frame, "max_frame": r.hi.frame,
                "min_confidence": round(r.lo.confidence * self.calibration.factor, 2),
                "max_confidence": round(r.hi.confidence * self.calibration.factor, 2),
                "frames": r.frames,
                "error_band": band,
            }  # fmt: skip

        per_side: dict[str, Any] = {}
        for scope, keys in self.ranges.items():
            out: dict[str, Any] = {}
            for key, r in keys.items():
                if r.lo is None:
                    continue
                base = key.partition(".")[0]
                if scope == "trunk":
                    out[base] = rng(r)
                else:
                    plane = PLANE[base]
                    name = {
                        "hip_flexion": "hip",
                        "hip_abduction": "hip",
                        "hip_rotation": "hip",
                        "knee_flexion": "knee",
                        "fppa": "knee_fppa",
                    }[base]
                    band = VIDEO_ERROR_BAND[plane] if name == "hip" else None
                    out.setdefault(name, {})[plane] = rng(r, band)
            if out:
                per_side[scope] = out
        return {
            "test": self.test,
            "side": self.side,
            "video": {
                "path": self.video.path,
                "width": self.video.width,
                "height": self.video.height,
                "fps": round(self.video.fps, 3),
                "frames": self.frames_read,
                "frames_declared": self.video.frame_count,
            },  # fmt: skip
            "processing": {
                "seconds": round(self.seconds, 2),
                "fps": round(self.processing_fps, 1),
            },
            "calibration": self.calibration.as_dict(),
            "measurements": self.measurements(),
            "ranges": per_side,
            "frames_used": {"count": self.frames_used.count, "runs": self.frames_used.runs},
            "dropped": [d.as_dict() for d in self.dropped],
            "person": self.person,
            "camera_view_yaw": None if self.view_yaw is None else round(self.view_yaw, 1),
            "lunge": self.lunge,
            "warnings": self.warnings,
            "annotated": self.annotated,
            "not_measurable": self.not_measurable,
            "error_bands": {"degrees": dict(VIDEO_ERROR_BAND), "source": VIDEO_BAND_SOURCE},
            "coverage": self.coverage,
            "brightness": self.brightness,
            "orientation": self.video.rotation,
            **({"frames": self.frames} if self.frames is not None else {}),
        }


# --- the pipeline -----------------------------------------------------------------------------


def _values(fa: ang.FrameAngles) -> Values:
    v: Values = {}
    for key in SIDE_KEYS:
        d = getattr(fa, key)
        for side in ("left", "right"):
            v[f"{key}.{side}"] = d[side]
    v["trunk_flexion"] = fa.trunk_flexion
    v["trunk_side_bend"] = fa.trunk_side_bend
    v["pelvic_obliquity"] = fa.pelvic_obliquity
    return v


@dataclass
class _Raw:
    """What is kept of one frame until its smoothed values come out (a few frames later)."""

    image: np.ndarray
    conf: dict[str, float]
    yaw: float | None
    upright: bool | None
    trunk_lean: float | None
    lunge: LungeFrame | None


def _points(obs: Observation) -> dict[str, tuple[float, float, float]]:
    w = obs.world
    return {
        n: (float(w[i][0]), float(w[i][1]), float(w[i][2])) for i, n in enumerate(NAMES) if i >= 11
    }


def _horiz_unit(x: float, z: float) -> tuple[float, float]:
    n = math.hypot(x, z) or 1.0
    return (x / n, z / n)


def lunge_frame(
    frame: int, obs: Observation, pts: dict[str, Any], fa: ang.FrameAngles
) -> LungeFrame:
    from triplane.core import body

    fwd = body.pelvis_frame(ang.with_neck(pts), "vertical")[0]
    foot = {}
    for s in ("left", "right"):
        h, t = pts[f"{s}_heel"], pts[f"{s}_foot_index"]
        foot[s] = _horiz_unit(t[0] - h[0], t[2] - h[2])
    return LungeFrame(
        frame=frame, knee_flexion=fa.knee_flexion, hip_flexion=fa.hip_flexion, fppa=fa.fppa,
        trunk_flexion=fa.trunk_flexion, pelvic_obliquity=fa.pelvic_obliquity,
        ankle_world={s: (pts[f"{s}_ankle"][0], pts[f"{s}_ankle"][2]) for s in ("left", "right")},
        ankle_image={s: (float(obs.image[INDEX[f"{s}_ankle"]][0]),
                         float(obs.image[INDEX[f"{s}_ankle"]][1])) for s in ("left", "right")},
        forward=_horiz_unit(fwd[0], fwd[2]),
        foot=foot, scale_px=obs.scale,
        hips_y=float(obs.image[INDEX["left_hip"]][1] + obs.image[INDEX["right_hip"]][1]) / 2,
    )  # fmt: skip


def measure_video(
    path: str | os.PathLike[str],
    test: str = "free",
    side: str | None = None,
    person_box: Box | None = None,
    progress: Progress | None = None,
    annotate: str | os.PathLike[str] | None = None,
    max_frames: int | None = None,
    frames: bool = False,
) -> MeasureResult:
    """Measure a video. Raises VisionError (one clear sentence) for bad or unusable input.

    ``person_box``: (x0, y0, x1, y1) pixels around the person to measure; without it the largest
    person in the first frame with anybody in it. ``annotate``: a ``.png`` (the frame of the
    test's main extreme with the skeleton drawn) or ``.mp4`` (every frame) to write.
    ``progress(done, total)`` is called every few frames (total 0 when unknown). ``frames``:
    keep the per-frame angle series (``MeasureResult.frames``; it grows with the clip).
    """
    if test not in SPECS:
        raise VisionError(f"Unknown test '{test}': choose one of {', '.join(TESTS)}.")
    if side not in (None, "left", "right"):
        raise VisionError(f"Unknown side '{side}': use left or right.")
    if annotate is not None and os.path.splitext(str(annotate))[1].lower() not in (".png", ".mp4"):
        raise VisionError("The annotation file must end in .png or .mp4.")
    info = probe(path)
    spec = SPECS[test]
    sides = (side,) if side else ("left", "right")
    run = _Run(info, spec, sides, person_box, progress, annotate, max_frames, frames)
    return run.go()


class _Run:
    def __init__(
        self,
        info: VideoInfo,
        spec: TestSpec,
        sides: tuple[str, ...],
        person_box: Box | None,
        progress: Progress | None,
        annotate: str | os.PathLike[str] | None,
        max_frames: int | None,
        want_frames: bool = False,
    ) -> None:
        self.info, self.spec, self.sides = info, spec, sides
        self.person_box = person_box
        self.progress = progress
        self.annotate = None if annotate is None else str(annotate)
        self.max_frames = max_frames
        self.lock = PersonLock()
        self.smoother = Smoother()
        self.raw: dict[int, _Raw] = {}
        self.calib_frames = max(3, round(info.fps))
        self.calib_buffer: list[tuple[int, Values]] = []
        self.calibration: Calibration | None = None
        self.ranges: dict[str, dict[str, Range]] = {"left": {}, "right": {}, "trunk": {}}
        self.used = RunList()
        self.drops = Drops()
        self.reps = RepCounter(info.fps) if spec.id == "lunge" else None
        self.shows = 0
        self.yaw_hist = [0] * 10
        self.bright: list[float] = []
        self.last_seen = -1  # the last frame where the model found anybody
        self.rows: list[dict[str, Any]] | None = [] if want_frames else None
        self.upright_frames = 0
        self.best_key = {"seated_rotation": ("hip_rotation", 1), "standing_abduction":
                         ("hip_abduction", 1), "modified_thomas": ("hip_flexion", -1)}.get(
                             spec.id, ("hip_flexion", 1))  # fmt: skip
        self.png_pick: tuple[float, int, np.ndarray] | None = None
        self.recent_images: deque[tuple[int, np.ndarray]] = deque(
            maxlen=window_frames(info.fps) + 8
        )
        self.writer: Any = None
        self.finder: PoseModel | None = None  # a still-image model, to look for the person
        self.concealed: list[str] = []  # errors the decoder reported and concealed

    # -- per frame --

    def go(self) -> MeasureResult:
        import cv2

        reader = FrameReader(self.info, stop_after=self.max_frames)
        self.decoder_check = DecoderCheck(self.info.path, stop_after=self.max_frames)
        model = PoseModel()
        t0 = time.perf_counter()
        total = (
            self.info.frame_count
            if self.max_frames is None
            else min(self.info.frame_count, self.max_frames)
        )
        try:
            for fr in reader:
                if fr.brightness is not None:
                    self.bright.append(fr.brightness)
                obs = self._observe(model, fr.rgb, fr.index)
                if obs is not None:
                    self.last_seen = fr.index
                obs, accepted = self._gate(model, obs, fr.index, fr.rgb)
                if accepted is not None:
                    self._frame(fr.index, accepted)
                if self.annotate and self.annotate.lower().endswith(".mp4"):
                    self._write_frame(cv2, fr.rgb, fr.index, obs, accepted is not None)
                if self.progress and fr.index % 10 == 0:
                    self.progress(fr.index + 1, total)
        except BaseException:
            self.decoder_check.cancel()
            raise
        finally:
            model.close()
            if self.finder is not None:
                self.finder.close()
            if self.writer is not None:
                self.writer.release()
        self.concealed = self.decoder_check.errors()
        for f, v in self.smoother.flush():
            self._smoothed(f, v)
        if self.calibration is None:
            self._calibrate()
        seconds = time.perf_counter() - t0
        if self.progress:
            self.progress(reader.frames_read, total)
        return self._result(reader, seconds)

    def _observe(self, model: PoseModel, rgb: np.ndarray, index: int) -> Observation | None:
        if self.lock.locked:
            return model.process(rgb)
        # Choosing the person: the one in the user's box, or the largest in the first frame
        # where anybody is found. Once chosen, the video-mode model is started on a frame
        # with everybody else blacked out, and it follows that person from then on.
        frame = mask_outside(rgb, self.person_box) if self.person_box else rgb
        obs = model.process(frame)
        if obs is None:
            return None
        finder = PoseModel(static=True)
        try:
            # The still-image model may miss someone the video model just found: keep that one.
            people = people_in(frame, finder) or [obs]
        finally:
            finder.close()
        if self.person_box:
            x0, y0, x1, y1 = self.person_box
            people = [p for p in people if x0 <= p.centre[0] <= x1 and y0 <= p.centre[1] <= y1]
        if not people:
            return None
        chosen = max(people, key=lambda p: p.scale)
        others = [p.box(pad=0.15) for p in people if p is not chosen]
        if others or float(np.linalg.norm(chosen.centre - obs.centre)) > 0.5 * chosen.scale:
            model.reset()
            obs = model.process(mask_inside(frame, others))
            if obs is None:
                return None
        self.lock.lock(obs, index, rgb)
        self.locked_at = index
        self.people_at_start = len(people)
        return obs

    def _gate(
        self, model: PoseModel, obs: Observation | None, index: int, rgb: np.ndarray
    ) -> tuple[Observation | None, Observation | None]:
        """(what the model saw, the locked person's observation to use or None)."""
        if obs is None:
            self.lock.check(None, index)
            self.drops.add(index, NO_PERSON)
            return None, None
        if not self.lock.check(obs, index, rgb):
            found = self._look_again(model, obs, index, rgb)
            if found is None:
                self.drops.add(index, OTHER_PERSON)
                return obs, None
            obs = found
        vis = obs.visibility
        if vis[23] < VISIBILITY or vis[24] < VISIBILITY:
            self.drops.add(index, NOT_VISIBLE)
            return obs, None
        return obs, obs

    def _look_again(
        self, model: PoseModel, other: Observation, index: int, rgb: np.ndarray
    ) -> Observation | None:
        """The model follows someone else: every few frames, black them out and look for the
        locked person (the lock still decides whether who is found is them)."""
        if self.lock.switches and (index - self.lock.switches[-1]) % RETRY_EVERY:
            return None
        if self.finder is None:
            self.finder = PoseModel(static=True)
        masked = mask_inside(rgb, [other.box(pad=0.15)])
        obs = self.finder.process(masked)
        if obs is None or not self.lock.check(obs, index, rgb):
            return None
        model.reset()  # follow the person found from now on
        return model.process(masked) or obs

    def _frame(self, index: int, obs: Observation) -> None:
        pts = _points(obs)
        trusted = {n for n in pts if obs.visibility[INDEX[n]] >= VISIBILITY}
        fa = ang.frame_angles(pts, trusted)
        values = _values(fa)
        if all(v is None for k, v in values.items() if "." in k):
            self.drops.add(index, NOT_VISIBLE)
            return
        conf = {}
        for key in values:
            need = _needs(key)
            conf[key] = min(float(obs.visibility[INDEX[n]]) for n in need) * _view_factor(
                key, fa.view_yaw
            )
        lean = ang.trunk_lean(pts) if fa.trunk_flexion is not None else None
        lf = lunge_frame(index, obs, pts, fa) if self.reps is not None else None
        self.raw[index] = _Raw(obs.image, conf, fa.view_yaw, fa.upright, lean, lf)
        for f, v in self.smoother.push(index, values):
            self._smoothed(f, v)

    def _smoothed(self, f: int, v: Values) -> None:
        raw = self.raw.get(f)
        if raw is None:
            return
        v = dict(v)
        v["trunk_lean"] = raw.trunk_lean
        v["upright"] = None if raw.upright is None else float(raw.upright)
        if self.calibration is None:
            self.calib_buffer.append((f, v))
            if len(self.calib_buffer) >= self.calib_frames:
                self._calibrate()
            return
        self._consume(f, v)
        self._prune(f)

    def _calibrate(self) -> None:
        self.calibration = calibrate(
            self.spec.rule, [v for _, v in self.calib_buffer], self.info.fps
        )
        buffered, self.calib_buffer = self.calib_buffer, []
        for f, v in buffered:
            self._consume(f, v)
        if buffered:
            self._prune(buffered[-1][0])

    def _prune(self, upto: int) -> None:
        for k in [k for k in self.raw if k <= upto]:
            del self.raw[k]

    def _consume(self, f: int, v: Values) -> None:
        assert self.calibration is not None
        raw = self.raw[f]
        v = self.calibration.apply(v)
        self.recent_images.append((f, raw.image))
        shown = False
        for side in self.sides:
            if not self.spec.shows(v, side):
                continue
            shown = True
            for key in SIDE_KEYS:
                val = v.get(f"{key}.{side}")
                if val is not None:
                    self.ranges[side].setdefault(key, Range(self.info.fps)).add(
                        val, f, raw.conf[f"{key}.{side}"]
                    )
            base, sign = self.best_key
            r = self.ranges[side].get(base)
            e = None if r is None else (r.hi if sign > 0 else r.lo)
            if e is not None and (self.png_pick is None or sign * e.value > self.png_pick[0]):
                image = next((im for fr, im in self.recent_images if fr == e.frame), raw.image)
                self.png_pick = (sign * e.value, e.frame, image)
        if self.rows is not None:
            self.rows.append(self._row(f, v, shown))
        if not shown:
            return
        self.shows += 1
        self.used.add(f)
        for key in ("trunk_flexion", "trunk_side_bend", "pelvic_obliquity"):
            val = v.get(key)
            if val is not None:
                r = self.ranges["trunk"].setdefault(key, Range(self.info.fps))
                r.add(val, f, raw.conf[key])
        if raw.yaw is not None:
            self.yaw_hist[min(9, int(raw.yaw // 9))] += 1
        if raw.upright:
            self.upright_frames += 1
        if self.reps is not None and raw.lunge is not None:
            lf = raw.lunge
            for key, d in (
                ("knee_flexion", lf.knee_flexion),
                ("hip_flexion", lf.hip_flexion),
                ("fppa", lf.fppa),
            ):
                for s in ("left", "right"):
                    d[s] = v.get(f"{key}.{s}")
            lf.trunk_flexion = v.get("trunk_flexion")
            lf.pelvic_obliquity = v.get("pelvic_obliquity")
            self.reps.push(lf)

    # -- annotation --

    def _write_frame(
        self, cv2: Any, rgb: np.ndarray, index: int, obs: Observation | None, used: bool
    ) -> None:
        if self.writer is None:
            fourcc = cv2.VideoWriter_fourcc(*"mp4v")
            self.writer = cv2.VideoWriter(
                self.annotate, fourcc, self.info.fps, (self.info.width, self.info.height)
            )
            if not self.writer.isOpened():
                raise VisionError(
                    f"Cannot write the annotated video {self.annotate}: check "
                    "that its folder exists and is writable."
                )
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        if obs is not None:
            draw_skeleton(cv2, bgr, obs.image, (0, 200, 0) if used else (0, 0, 255))
        label = "" if used else (self.drops.items[-1].reason if self.drops.items else "")
        cv2.putText(
            bgr,
            f"{index} {label}",
            (20, 40),
            cv2.FONT_HERSHEY_SIMPLEX,
            1.0,
            (255, 255, 255),
            2,
            cv2.LINE_AA,
        )
        self.writer.write(bgr)

    def _row(self, f: int, v: Values, shown: bool) -> dict[str, Any]:
        """One frame of the per-frame series (``--frames``), calibrated and smoothed."""

        def r1(x: float | None) -> float | None:
            return None if x is None else round(x, 1)

        row: dict[str, Any] = {"frame": f, "time": round(f / self.info.fps, 3), "used": shown}
        for side in self.sides:
            row[side] = {key: r1(v.get(f"{key}.{side}")) for key in SIDE_KEYS}
        row["trunk"] = {k: r1(v.get(k)) for k in ("trunk_flexion", "trunk_side_bend",
                                                  "pelvic_obliquity")}  # fmt: skip
        return row

    def _write_png(
        self, motions: list[dict[str, Any]], not_measurable: list[dict[str, Any]]
    ) -> str | None:
        import cv2

        if self.png_pick is None:
            return None
        _, f, image = self.png_pick
        cap = open_capture(self.info.path)
        try:
            cap.set(cv2.CAP_PROP_POS_FRAMES, f)
            ok, bgr = cap.read()
        finally:
            cap.release()
        if not ok:
            return None
        bgr = upright(cv2, bgr, self.info.rotation)
        draw_skeleton(cv2, bgr, image, (0, 200, 0))
        lines = (
            [f"frame {f}: {self.spec.name}"]
            + [
                f"{m['side']} {m['motion'].replace('_', ' ')} {m['degrees']:.0f} "
                f"+/-{m['error_band']:g} deg (confidence {m['confidence']:.2f})"
                for m in motions
            ]
            + [
                f"{m['side']} {m['motion'].replace('_', ' ')}: {NOT_MEASURABLE}"
                for m in not_measurable
            ]
        )
        for i, text in enumerate(lines):
            y = 40 + 36 * i
            cv2.putText(
                bgr, text, (20, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 5, cv2.LINE_AA
            )
            cv2.putText(
                bgr, text, (20, y), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA
            )
        if not cv2.imwrite(str(self.annotate), bgr):
            raise VisionError(f"Cannot write {self.annotate}: check that its folder exists.")
        return str(self.annotate)

    # -- the result --

    def _view(self) -> float | None:
        n = sum(self.yaw_hist)
        if n == 0:
            return None
        acc = 0
        for i, c in enumerate(self.yaw_hist):
            acc += c
            if acc >= n / 2:
                return i * 9 + 4.5
        return None

    def _result(self, reader: FrameReader, seconds: float) -> MeasureResult:
        warnings: list[str] = []
        p = self.info.path
        read, declared = reader.frames_read, self.info.frame_count
        if read == 0:
            raise VisionError(f"{p} has no frame that can be decoded: the file is truncated.")
        if reader.decode_error:
            raise VisionError(
                f"{p} could not be decoded to the end (stopped at frame {read}): the file is "
                "damaged or truncated, so nothing was measured; copy it from the phone again."
            )
        if (
            declared
            and read < declared - max(2.0, LOST_FRAMES * declared)
            and (self.max_frames is None or read < self.max_frames)
        ):
            raise VisionError(
                f"Only {read} of the {declared} frames {p} declares could be decoded: the file "
                "is truncated or damaged, so nothing was measured; copy it from the phone again."
            )
        concealed = self.concealed
        if concealed:
            raise VisionError(
                f"{p} is damaged: the decoder reported {len(concealed)} error(s) (first: "
                f"'{concealed[0][:80]}') and would have shown guessed pictures, so nothing was "
                "measured; copy it from the phone again."
            )
        luma = float(np.mean(self.bright)) if self.bright else None
        if luma is not None and luma < TOO_DARK:
            raise VisionError(
                f"{p} is too dark to measure (mean brightness {luma:.0f} of 255, at least "
                f"{TOO_DARK:.0f} needed): film in better light, facing the light."
            )
        if not self.lock.locked:
            raise VisionError(
                f"No person was found in {p}: film the whole body, well lit, 2-4 m from the phone."
            )
        if self.shows == 0 and (self.reps is None or self.used.count == 0):
            raise VisionError(f"This clip does not show the {self.spec.name}: {self.spec.missing}.")
        fps = self.info.fps
        if self.used.count < MIN_SECONDS * fps:
            raise VisionError(
                f"Only {self.used.count} usable frames ({self.used.count / fps:.1f} s) of the "
                f"person in {p}, at least {MIN_SECONDS:g} s needed: film the whole test, whole "
                "body in view and well lit."
            )
        start = getattr(self, "locked_at", 0) or 0
        window = max(1, read - start)
        if self.used.count < MIN_COVERAGE * window:
            raise VisionError(
                f"The person measured is usable in only {self.used.count} of the {window} frames "
                f"from when they were found ({100 * self.used.count / window:.0f}%, at least "
                f"{100 * MIN_COVERAGE:.0f}% needed): film only the test, with the whole body in "
                "view and nobody else in front."
            )
        yaw = self._view()
        if yaw is not None and self.spec.view == "front" and yaw > 55:
            raise VisionError(
                f"The camera sees the person from the side, which cannot show the "
                f"{self.spec.name}: film it from the front (or back)."
            )
        if yaw is not None and self.spec.view == "side" and yaw < 35:
            raise VisionError(
                f"The camera sees the person from the front, which cannot show the "
                f"{self.spec.name}: film it from the side."
            )
        assert self.calibration is not None
        cal = self.calibration
        if cal.rule is not None and not cal.calibrated:
            warnings.append(cal.note + "; angles measured anyway, with lower confidence")
        lunge = None
        if self.reps is not None:
            if not self.reps.reps:
                raise VisionError(f"This clip does not show a lunge set: {self.spec.missing}.")
            lunge = {
                "reps": [r.as_dict() for r in self.reps.reps],
                "summary": self.reps.summary(),
                "discarded": self.reps.discarded,
            }
        all_motions = self._motions(cal)
        if self.spec.motions and not all_motions:
            raise VisionError(f"This clip does not show the {self.spec.name}: {self.spec.missing}.")
        motions = [m for m in all_motions if video_measurable(m["motion"], m["degrees"])]
        not_measurable = [
            {**{k: m[k] for k in ("motion", "side", "degrees", "plane", "error_band")},
             "reason": f"{NOT_MEASURABLE}: its error band (+/-{m['error_band']:g} degrees in "
                       f"the {m['plane']} plane) is as wide as the angle itself"
                       + (f"; {INCLINOMETER_HINT}" if m["motion"] in PHONE_MOTIONS else "")}
            for m in all_motions if m not in motions
        ]  # fmt: skip
        if self.lock.switches:
            warnings.append(
                f"another person was picked up by the pose model at frame(s) "
                f"{', '.join(map(str, self.lock.switches[:10]))}; those frames were refused"
            )
        person = {
            "locked_at_frame": getattr(self, "locked_at", None),
            "people_at_start": getattr(self, "people_at_start", None),
            "chosen_by": "box" if self.person_box else "largest at the start",
            "switches_refused_at": self.lock.switches,
            "reacquired": [{"lost_after": a, "found_at": b} for a, b in self.lock.reacquired],
            "new_tracks": self.lock.checks,
        }
        annotated = None
        if self.annotate:
            annotated = (
                self._write_png(motions, not_measurable)
                if self.annotate.lower().endswith(".png")
                else self.annotate
            )
        return MeasureResult(
            test=self.spec.id, side=self.sides[0] if len(self.sides) == 1 else None,
            video=self.info, frames_read=reader.frames_read, seconds=seconds, calibration=cal,
            ranges=self.ranges, motions=motions, frames_used=self.used,
            dropped=self.drops.items, warnings=warnings, person=person, lunge=lunge,
            view_yaw=yaw, annotated=annotated, not_measurable=not_measurable,
            frames=self.rows, coverage=round(self.used.count / window, 3),
            brightness=None if luma is None else round(luma, 1),
        )  # fmt: skip

    def _motions(self, cal: Calibration) -> list[dict[str, Any]]:
        out = []
        position = self.spec.position
        if self.spec.id == "free":
            position = "standing" if self.upright_frames >= self.shows / 2 else ""
        for side in self.sides:
            for m in self.spec.motions:
                r = self.ranges[side].get(m.key)
                if r is None or r.hi is None or r.lo is None:
                    continue
                e = r.hi if m.sign > 0 else r.lo
                degrees = m.sign * e.value
                if self.spec.id != "modified_thomas" and degrees <= 0:
                    continue  # never reached: no measurement of that motion
                out.append({
                    "test": self.spec.id, "motion": m.motion, "side": side,
                    "degrees": round(degrees, 1), "unit": "degrees", "device": "video",
                    "confidence": round(e.confidence * cal.factor, 2),
                    "position": position, "active": self.spec.active, "frame": e.frame,
                    "plane": PLANE_OF_MOTION[m.motion], "error_band": video_band(m.motion),
                })  # fmt: skip
        return out


def draw_skeleton(
    cv2: Any, bgr: np.ndarray, image: np.ndarray, colour: tuple[int, int, int]
) -> None:
    t = max(2, int(round(bgr.shape[0] / 300)))
    for a, b in SKELETON:
        pa = (int(image[a][0]), int(image[a][1]))
        pb = (int(image[b][0]), int(image[b][1]))
        cv2.line(bgr, pa, pb, colour, t, cv2.LINE_AA)
    for i in range(11, 33):
        cv2.circle(
            bgr, (int(image[i][0]), int(image[i][1])), t + 2, (255, 255, 255), -1, cv2.LINE_AA
        )

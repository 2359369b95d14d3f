"""MediaPipe Pose (legacy ``mediapipe.solutions.pose``, mediapipe 0.10.21) and the person lock.

The legacy API tracks one person: it runs the person detector on a frame, then follows that
person from frame to frame with the landmark model, and runs the detector again only when it
loses them (the frame before comes back empty). After such a loss it may pick up somebody else.
:class:`PersonLock` splits the model's output into *tracks* (runs of frames the model followed
without a break) and decides, once per track, whether the track is the locked person: a new
track must start where the locked person could have got to since they were last seen (a
radius that grows with the gap) and be of a similar size. A track that is not the locked person
is dropped whole and reported; it never takes over silently.

Only ``model_complexity=1`` is used: ``pose_landmark_full.tflite`` and ``pose_detection.tflite``
ship in the wheel, so it runs offline (the lite and heavy models would be downloaded).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MODEL_COMPLEXITY = 1

# Landmark indices (MediaPipe Pose, 33 landmarks).
NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip
INDEX: dict[str, int] = {n: i for i, n in enumerate(NAMES)}
L_SH, R_SH, L_HIP, R_HIP = 11, 12, 23, 24
L_KNEE, R_KNEE, L_ANK, R_ANK = 25, 26, 27, 28
BODY = list(range(11, 33))

# Lines drawn by the annotator.
SKELETON: tuple[tuple[int, int], ...] = (
    (11, 12), (11, 23), (12, 24), (23, 24), (11, 13), (13, 15), (12, 14), (14, 16),
    (23, 25), (25, 27), (27, 29), (29, 31), (27, 31), (24, 26), (26, 28), (28, 30), (30, 32),
    (28, 32),
)  # fmt: skip


@dataclass
class Observation:
    """One frame's pose of one person.

    ``image``: (33, 2) pixel coordinates. ``world``: (33, 3) metres, origin at the hip centre,
    in the body model's axes (Y up; MediaPipe's y-down, z-away camera axes turned 180 degrees
    about x, a proper rotation). ``visibility``: (33,) 0..1.
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray

    @property
    def centre(self) -> np.ndarray:
        return self.image[[L_SH, R_SH, L_HIP, R_HIP]].mean(axis=0)  # type: ignore[no-any-return]

    @property
    def scale(self) -> float:
        """Body size in pixels: the larger of the torso and the mean leg (thigh + shank) / 2.

        Either one survives most poses (a bent trunk leaves the legs, a crouch the torso).
        """
        im = self.image
        torso = float(np.linalg.norm((im[L_SH] + im[R_SH]) / 2 - (im[L_HIP] + im[R_HIP]) / 2))
        leg = 0.0
        for hip, knee, ank in ((L_HIP, L_KNEE, L_ANK), (R_HIP, R_KNEE, R_ANK)):
            leg += float(np.linalg.norm(im[hip] - im[knee]) + np.linalg.norm(im[knee] - im[ank]))
        return max(torso, leg / 4, 1.0)

    def box(self, pad: float = 0.0) -> tuple[float, float, float, float]:
        pts = self.image[BODY + [0]]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        px, py = (x1 - x0) * pad, (y1 - y0) * pad
        return (float(x0 - px), float(y0 - py), float(x1 + px), float(y1 + py))


@contextlib.contextmanager
def _quiet_native_stderr(on: bool = True) -> Iterator[None]:
    """Silence file descriptor 2 for a moment: MediaPipe's C++ side writes warnings about its
    own graph there (no setting turns them off) while it loads its models and on the first
    frame with a pose; they mean nothing to the person measuring. Python errors still raise."""
    if not on:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _mp_pose() -> Any:
    from mediapipe.python.solutions import pose as mp_pose

    return mp_pose


class PoseModel:
    """A thin wrapper over ``mediapipe.solutions.pose.Pose`` that returns :class:`Observation`."""

    def __init__(
        self, static: bool = False, min_detection: float = 0.5, min_tracking: float = 0.5
    ) -> None:
        mp_pose = _mp_pose()
        self._quiet = 2  # calls to keep quiet: until the models have loaded and seen a pose
        with _quiet_native_stderr():
            self._pose = mp_pose.Pose(
                static_image_mode=static,
                model_complexity=MODEL_COMPLEXITY,
                smooth_landmarks=True,
                enable_segmentation=False,
                min_detection_confidence=min_detection,
                min_tracking_confidence=min_tracking,
            )

    def process(self, rgb: np.ndarray) -> Observation | None:
        with _quiet_native_stderr(self._quiet > 0):
            res = self._pose.process(rgb)
        if res.pose_landmarks is None or res.pose_world_landmarks is None:
            return None
        self._quiet -= 1
        h, w = rgb.shape[:2]
        im = np.array([(p.x * w, p.y * h, p.visibility) for p in res.pose_landmarks.landmark])
        wl = np.array([(p.x, -p.y, -p.z) for p in res.pose_world_landmarks.landmark])
        return Observation(im[:, :2], wl, im[:, 2])

    def reset(self) -> None:
        """Forget the person followed (the next frame runs the detector); reloads the models."""
        self._quiet = 2
        with _quiet_native_stderr():
            self._pose.reset()

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> PoseModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mask_outside(rgb: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """A copy of the frame, black outside `box` (x0, y0, x1, y1 in pixels)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = _clip_box(box, w, h)
    out = np.zeros_like(rgb)
    out[y0:y1, x0:x1] = rgb[y0:y1, x0:x1]
    return out


def mask_inside(rgb: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    out = rgb.copy()
    h, w = rgb.shape[:2]
    for box in boxes:
        x0, y0, x1, y1 = _clip_box(box, w, h)
        out[y0:y1, x0:x1] = 0
    return out


def _clip_box(box: tuple[float, float, float, float], w: int, h: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return (
        max(0, int(x0)),
        max(0, int(y0)),
        min(w, int(math.ceil(x1))),
        min(h, int(math.ceil(y1))),
    )


def people_in(rgb: np.ndarray, model: PoseModel, most: int = 4) -> list[Observation]:
    """Everyone the model finds in a still frame: find one, black them out, look again."""
    found: list[Observation] = []
    frame = rgb
    for _ in range(most):
        obs = model.process(frame)
        if obs is None:
            break
        found.append(obs)
        frame = mask_inside(rgb, [o.box(pad=0.15) for o in found])
    return found


# --- the lock ----------------------------------------------------------------------------------

BASE_RADIUS = 1.0  # body scales a track may start from where the person was last seen...
SPEED = 0.3  # ...plus this many body scales per frame of gap (about 4 m/s at 30 fps)...
MAX_RADIUS = 8.0  # ...but never more than this, however long the gap
SIZE_RATIO = 1.8  # a track whose size differs more than this from the person's is someone else
STEP_JUMP = 1.5  # a frame-to-frame move (body scales) within a track that breaks the track
# Appearance: a new track is the person only if its torso's colours (a hue-saturation histogram
# of the box between the shoulders and hips) are close to the person's (Bhattacharyya distance)
# and its body proportions (leg / torso length of the world landmarks) match.
HIST_BINS = (8, 4)  # coarse: small torsos and changing light make fine bins noisy
HIST_DISTANCE = 0.45
PROPORTION_RATIO = 1.3
APPEARANCE_FRAMES = 10  # recent histograms (one every APPEARANCE_EVERY accepted frames)...
APPEARANCE_EVERY = 3  # ...that make the reference: it follows slow changes of light
APPEARANCE_MIN = 4  # histograms needed before appearance is checked (position alone before)


def torso_histogram(rgb: np.ndarray, obs: Observation) -> np.ndarray | None:
    """Normalised hue-saturation histogram of the torso box (shoulders to hips, inner 70%)."""
    import cv2

    pts = obs.image[[L_SH, R_SH, L_HIP, R_HIP]]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    w, h = x1 - x0, y1 - y0
    if w < 4 and h < 4:
        return None
    # A side view makes the box narrow: keep it at least a third of the torso's height wide.
    cx, half = (x0 + x1) / 2, max(w, h / 3) / 2
    box = (cx - 0.7 * half, y0 + 0.15 * h, cx + 0.7 * half, y1 - 0.15 * h)
    H, W = rgb.shape[:2]
    bx0, by0, bx1, by1 = _clip_box(box, W, H)
    if bx1 - bx0 < 2 or by1 - by0 < 2:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb[by0:by1, bx0:bx1]), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, list(HIST_BINS), [0, 180, 0, 256])
    total = float(hist.sum())
    return None if total <= 0 else hist / total


def hist_distance(a: np.ndarray, b: np.ndarray) -> float:
    import cv2

    return float(cv2.compareHist(a.astype(np.float32), b.astype(np.float32),
                                 cv2.HISTCMP_BHATTACHARYYA))  # fmt: skip


def proportion(obs: Observation) -> float | None:
    """Mean leg length (hip-knee-ankle) over torso length (hip centre to shoulder centre), from
    the world landmarks; None when the torso is too short to divide by."""
    w = obs.world
    torso = float(np.linalg.norm((w[L_SH] + w[R_SH]) / 2 - (w[L_HIP] + w[R_HIP]) / 2))
    if torso < 1e-3:
        return None
    leg = 0.0
    for hip, knee, ank in ((L_HIP, L_KNEE, L_ANK), (R_HIP, R_KNEE, R_ANK)):
        leg += float(np.linalg.norm(w[hip] - w[knee]) + np.linalg.norm(w[knee] - w[ank]))
    return leg / 2 / torso


@dataclass
class Dropped:
    start: int
    end: int  # inclusive
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "reason": self.reason}


@dataclass
class PersonLock:
    """Decides frame by frame whether the model's person is the locked one (see module doc).

    A new track (after a gap, or a jump within what the model calls one track) is the locked
    person only when it starts where they could be AND looks like them (torso colours, body
    proportions). Without a reference appearance yet, position alone decides."""

    track_is_person: bool = False
    locked: bool = False
    last_centre: np.ndarray | None = None
    last_frame: int = -1
    ref_scale: float = 0.0
    _prev: Observation | None = None
    _prev_frame: int = -1
    _track_start: int = -1
    switches: list[int] = field(default_factory=list)  # frames where another person was refused
    reacquired: list[tuple[int, int]] = field(default_factory=list)  # (lost at, found at)
    ref_hist: np.ndarray | None = None
    ref_props: list[float] = field(default_factory=list)
    _hists: list[np.ndarray] = field(default_factory=list)
    _accepted: int = 0
    last_check: dict[str, float] = field(default_factory=dict)  # the last new track's scores
    checks: list[dict[str, object]] = field(default_factory=list)  # every new track's verdict

    def lock(self, obs: Observation, frame: int, rgb: np.ndarray | None = None) -> None:
        self.locked = True
        self.track_is_person = True
        self._accept(obs, frame, rgb)
        self._prev, self._prev_frame, self._track_start = obs, frame, frame

    def _accept(self, obs: Observation, frame: int, rgb: np.ndarray | None) -> None:
        s = obs.scale
        self.ref_scale = s if self.ref_scale == 0 else 0.9 * self.ref_scale + 0.1 * s
        self.last_centre = obs.centre
        self.last_frame = frame
        self._accepted += 1
        if rgb is not None and (self._accepted - 1) % APPEARANCE_EVERY == 0:
            h = torso_histogram(rgb, obs)
            if h is not None:
                self._hists.append(h)
                del self._hists[:-APPEARANCE_FRAMES]
                self.ref_hist = np.mean(self._hists, axis=0)
            p = proportion(obs)
            if p is not None and len(self.ref_props) < 50:
                self.ref_props.append(p)

    def plausible(self, obs: Observation, frame: int) -> bool:
        """Could the locked person be here now, given where and when they were last seen?"""
        if self.last_centre is None:
            return True
        gap = frame - self.last_frame
        dist = float(np.linalg.norm(obs.centre - self.last_centre)) / self.ref_scale
        size = obs.scale / self.ref_scale
        radius = min(MAX_RADIUS, BASE_RADIUS + SPEED * gap)
        return dist <= radius and 1 / SIZE_RATIO <= size <= SIZE_RATIO

    def looks_alike(self, obs: Observation, rgb: np.ndarray | None) -> bool:
        """Does `obs` look like the locked person (torso colours and body proportions)?"""
        self.last_check = {}
        if rgb is None or self.ref_hist is None or len(self._hists) < APPEARANCE_MIN:
            return True  # no settled appearance yet: position alone decides
        h = torso_histogram(rgb, obs)
        if h is None:
            return False
        d = hist_distance(h, self.ref_hist)
        self.last_check["colour_distance"] = round(d, 3)
        if d > HIST_DISTANCE:
            return False
        p = proportion(obs)
        if p is not None and self.ref_props:
            ref = float(np.median(self.ref_props))
            ratio = max(p / ref, ref / p)
            self.last_check["proportion_ratio"] = round(ratio, 3)
            if ratio > PROPORTION_RATIO:
                return False
        return True

    def check(self, obs: Observation | None, frame: int, rgb: np.ndarray | None = None) -> bool:
        """True when `obs` is the locked person and may be used."""
        if obs is None:
            self._prev = None
            return False
        new_track = self._prev is None or frame - self._prev_frame > 1
        if not new_track and self._prev is not None:
            step = float(np.linalg.norm(obs.centre - self._prev.centre)) / max(self._prev.scale, 1)
            size = obs.scale / max(self._prev.scale, 1)
            new_track = step > STEP_JUMP or not (1 / SIZE_RATIO <= size <= SIZE_RATIO)
        if new_track:
            self._track_start = frame
            near = self.plausible(obs, frame)
            alike = near and self.looks_alike(obs, rgb)
            self.track_is_person = near and alike
            if len(self.checks) < 100:
                self.checks.append({"frame": frame, "position_ok": near,
                                    "appearance_ok": alike if near else None,
                                    **(self.last_check if near else {})})  # fmt: skip
            if not self.track_is_person:
                self.switches.append(frame)
            elif self.last_frame >= 0 and frame - self.last_frame > 1:
                self.reacquired.append((self.last_frame, frame))
        self._prev, self._prev_frame = obs, frame
        if self.track_is_person:
            self._accept(obs, frame, rgb)
        return self.track_is_person

"""Calibration from a second of neutral at the start of a test.

MediaPipe's world landmarks carry a bias that depends on the person and the camera (from a low
camera an upright person reads 20-30 degrees of hip flexion). A standing test that starts with
a second of quiet neutral standing gives per-person, per-camera offsets, subtracted from every
later frame. The seated rotation test zeroes rotation the same way, on a second of the shin
hanging straight down (what the phone method does). Without a usable neutral second the angles
are measured anyway, the result says so, and their confidence is lowered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean, pstdev

SECONDS = 1.0
MIN_FRACTION = 0.6  # of the neutral window's frames must carry the values
STEADY_SD = 4.0  # degrees: the neutral second must be this still
UNCALIBRATED_FACTOR = 0.7  # confidence multiplier without calibration


@dataclass(frozen=True)
class NeutralRule:
    """Which values a test zeroes, and what the neutral second must look like."""

    keys: tuple[str, ...]  # values whose mean over the neutral second becomes the offset
    # (key, low, high): each frame of the neutral second must read within these raw limits
    limits: tuple[tuple[str, float, float], ...]
    what: str  # how the neutral is described to the user


STANDING = NeutralRule(
    keys=(
        "hip_flexion.left", "hip_flexion.right", "hip_abduction.left", "hip_abduction.right",
        "trunk_flexion", "trunk_side_bend", "pelvic_obliquity", "fppa.left", "fppa.right",
    ),
    limits=(("knee_flexion.left", -5, 40), ("knee_flexion.right", -5, 40),
            ("trunk_lean", 0, 40), ("hip_flexion.left", -20, 45), ("hip_flexion.right", -20, 45)),
    what="a second of standing still and upright at the start",
)  # fmt: skip
SEATED = NeutralRule(
    keys=("hip_rotation.left", "hip_rotation.right"),
    limits=(("knee_flexion.left", 60, 120), ("knee_flexion.right", 60, 120),
            ("hip_rotation.left", -20, 20), ("hip_rotation.right", -20, 20)),
    what="a second at the start with the shins hanging straight down",
)  # fmt: skip


@dataclass
class Calibration:
    rule: NeutralRule | None
    offsets: dict[str, float] = field(default_factory=dict)
    calibrated: bool = False
    note: str = ""

    def apply(self, values: dict[str, float | None]) -> dict[str, float | None]:
        if not self.offsets:
            return values
        return {
            k: (v - self.offsets[k] if v is not None and k in self.offsets else v)
            for k, v in values.items()
        }

    @property
    def factor(self) -> float:
        return 1.0 if self.calibrated or self.rule is None else UNCALIBRATED_FACTOR

    def as_dict(self) -> dict[str, object]:
        return {
            "calibrated": self.calibrated,
            "offsets": {k: round(v, 1) for k, v in self.offsets.items()},
            "note": self.note,
        }


def calibrate(
    rule: NeutralRule | None, frames: list[dict[str, float | None]], fps: float
) -> Calibration:
    """Offsets from the first second of smoothed frames, if they show the neutral position."""
    if rule is None:
        return Calibration(None, note="this test needs no calibration")
    window = frames[: max(1, round(SECONDS * fps))]
    need = max(3, round(MIN_FRACTION * SECONDS * fps))
    why = f"no calibration: the clip does not start with {rule.what}"
    if len(window) < need:
        return Calibration(rule, note=why + " (too few frames with the person in view)")
    for key, lo, hi in rule.limits:
        vals = [v for f in window if (v := f.get(key)) is not None]
        if len(vals) < need or not all(lo <= v <= hi for v in vals):
            return Calibration(rule, note=why)
    offsets: dict[str, float] = {}
    for key in rule.keys:
        vals = [v for f in window if (v := f.get(key)) is not None]
        if len(vals) < need:
            continue
        if pstdev(vals) > STEADY_SD:
            return Calibration(rule, note=why + " (the person was moving)")
        offsets[key] = mean(vals)
    if not offsets:
        return Calibration(rule, note=why)
    return Calibration(rule, offsets, True, f"calibrated on {rule.what}")

"""Planes, motions, sides, positions and contexts: the vocabulary every other module uses."""

from __future__ import annotations

from typing import Final, Literal

Plane = Literal["sagittal", "frontal", "transverse"]
Motion = Literal[
    "flexion", "extension", "abduction", "adduction", "internal_rotation", "external_rotation"
]
Side = Literal["left", "right"]
SnackSide = Literal["left", "right", "both"]

PLANES: Final[tuple[str, ...]] = ("sagittal", "frontal", "transverse")
MOTIONS: Final[tuple[str, ...]] = (
    "flexion",
    "extension",
    "abduction",
    "adduction",
    "internal_rotation",
    "external_rotation",
)
SIDES: Final[tuple[str, ...]] = ("left", "right")

MOTION_PLANE: Final[dict[str, str]] = {
    "flexion": "sagittal",
    "extension": "sagittal",
    "abduction": "frontal",
    "adduction": "frontal",
    "internal_rotation": "transverse",
    "external_rotation": "transverse",
}

MOTION_LABEL: Final[dict[str, str]] = {
    "flexion": "flexion",
    "extension": "extension",
    "abduction": "abduction",
    "adduction": "adduction",
    "internal_rotation": "internal rotation",
    "external_rotation": "external rotation",
}

POSITIONS: Final[tuple[str, ...]] = (
    "standing",
    "kneeling",
    "half_kneeling",
    "quadruped",
    "floor",
    "supine",
    "side_lying",
)

STYLES: Final[tuple[str, ...]] = ("dynamic", "static_hold", "isometric")

# When in the day a movement snack happens.
CONTEXTS: Final[tuple[str, ...]] = (
    "on_waking",
    "before_run",
    "before_gym",
    "between_sets",
    "midday",
    "evening",
    "rest_day",
)

UNITS: Final[tuple[str, ...]] = ("degrees", "cm", "score", "pass_fail", "rating")

DEVICES: Final[tuple[str, ...]] = (
    "inclinometer_app",
    "inclinometer",  # the web app's guided phone-on-the-shin page (DeviceOrientation sensor)
    "goniometer",
    "tape_measure",
    "video",
    "self_rating",
    "observation",
)

# What a drill or lunge direction asks of the hip and knee: the motions, ranges and positions a
# condition can rule out (catalogue/data/conditions.toml says which condition rules out which).
# Every drill and every lunge direction lists the ones it involves (`demands`, possibly empty),
# and the loader refuses an entry without the list. The conditions themselves are data.
DEMANDS: Final[dict[str, str]] = {
    "hip_flexion_past_90": "the hip bent past 90 degrees",
    "adduction_across_midline": "the leg across the midline",
    "internal_rotation_in_flexion": "internal rotation with the hip bent",
    "extension_with_external_rotation": "hip extension with the leg turned out",
    "knee_on_support": "weight on a knee (floor, box or pad)",
    "deep_knee_flexion": "a deep knee bend under body weight",
    "lying_on_back": "lying on the back",
    "loaded_forward_fold": "a loaded forward fold",
}

# The optional sex of an athlete: chooses sex-specific norms where the sources give them.
SEXES: Final[tuple[str, ...]] = ("female", "male")

WEEKDAYS: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def plane_of(motion: str) -> str:
    return MOTION_PLANE[motion]

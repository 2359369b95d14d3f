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

# Conditions a drill can be contraindicated for. Free to grow; the catalogue validates against it.
CONDITIONS: Final[dict[str, str]] = {
    "hip_replacement": "hip replacement",
    "pregnancy": "pregnancy",
    "recent_surgery": "recent hip, knee or back surgery",
    "knee_pain": "knee pain when kneeling or bending",
    "hip_impingement": "diagnosed hip impingement (FAI)",
    "low_back_pain": "current low-back pain",
    "osteoporosis": "osteoporosis",
}

WEEKDAYS: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def plane_of(motion: str) -> str:
    return MOTION_PLANE[motion]

"""How far a measurement can be trusted, by the method that took it (issue 13).

Video (one phone camera, MediaPipe Pose): each anatomical plane has an error band, the RMSE in
degrees found when the project compared single-camera angles with a multi-camera reconstruction
of the same movement (issue 13: hip flexion 10-48, abduction 8-19, rotation 6-60 degrees RMSE,
rotation correlations down to -0.4). The band is the worst clip's RMSE: the confidence the
pose model gives does not rank the error, so a good clip cannot be told from a bad one.
`bench/vision_accuracy.py` prints the same figures for any clip with a reference series; change
the bands here only from its output on a real reference.

A video reading is shown as "not measurable from video" (and never saved) when its plane's band
is as wide as the angle it would report: it could not be told from no movement at all.

Phone inclinometer (the guided "phone on the shin" page): seated rotation's MDC 5.4 degrees
(KRA, domain reference 1c) is what the profile uses for those readings.
"""

from __future__ import annotations

from typing import Final

from triplane.core.anatomy import MOTION_PLANE

VIDEO_ERROR_BAND: Final[dict[str, float]] = {
    "sagittal": 48.0,  # hip flexion/extension
    "frontal": 19.0,  # abduction/adduction
    "transverse": 60.0,  # internal/external rotation
}
VIDEO_BAND_SOURCE: Final = (
    "single camera vs multi-camera reconstruction, worst clip RMSE (issue 13 validation)"
)
PLANE_OF_MOTION: Final[dict[str, str]] = MOTION_PLANE
NOT_MEASURABLE: Final = "not measurable from video"

INCLINOMETER: Final = "inclinometer"  # the device/method of the phone-on-the-shin page
INCLINOMETER_MDC: Final = 5.4  # degrees, seated active rotation with an inclinometer (KRA)
INCLINOMETER_MDC_SOURCE: Final = "KRA"
INCLINOMETER_TESTS: Final[dict[str, tuple[str, ...]]] = {
    "seated_rotation": ("internal_rotation", "external_rotation"),
    "prone_rotation": ("internal_rotation", "external_rotation"),
    "standing_abduction": ("abduction",),
}


def video_band(motion: str) -> float | None:
    """The video error band (degrees) of a motion's plane; None for a motion with no plane."""
    plane = PLANE_OF_MOTION.get(motion)
    return None if plane is None else VIDEO_ERROR_BAND[plane]


def video_measurable(motion: str, degrees: float) -> bool:
    """True when a video reading of `degrees` is larger than its plane's error band."""
    band = video_band(motion)
    return band is not None and abs(degrees) > band


def mdc_for(device: str, test: str, published: float | None) -> tuple[float | None, str | None]:
    """The measurement error the profile uses for a reading: the inclinometer's for the tests
    the phone page measures, else the test's published one. (mdc, source key or None)."""
    if device == INCLINOMETER and test in INCLINOMETER_TESTS:
        return INCLINOMETER_MDC, INCLINOMETER_MDC_SOURCE
    return published, None

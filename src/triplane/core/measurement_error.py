"""How far a measurement can be trusted, by the method that took it (issue 13).

Video (one phone camera, MediaPipe Pose): each anatomical plane has an error band in degrees,
the worst single-camera RMSE of two validations against a multi-camera reconstruction of the
same movement, the wider of the two per plane (when in doubt, the wider band):
- issue 13's clips (flexion 10-48, abduction 8-19, rotation 6-60 degrees RMSE, rotation
  correlations down to -0.4), measured with the code before the trunk-referenced flexion;
- Pose2Sim's public four-camera demo (`bench/vision_multiview.py`, docs/video.md: each camera
  alone against the triangulation of the other three, current code): flexion 11-29, abduction
  8-32, rotation 9-49 degrees RMSE, rotation correlation median 0.17.
The band is the worst clip's, not a typical one: the confidence the pose model gives does not
rank the error, so a good clip cannot be told from a bad one. Change the bands only from the
benches' output on a real reference.

A video reading is shown as "not measurable from video" (and never saved) when its plane's band
is as wide as the angle it would report: it could not be told from no movement at all.

Phone inclinometer (the guided "phone on the shin" page): seated rotation's MDC 5.4 degrees
(KRA, domain reference 1c) is what the profile uses for those readings.
"""

from __future__ import annotations

from typing import Final

from triplane.core.anatomy import MOTION_PLANE

VIDEO_ERROR_BAND: Final[dict[str, float]] = {
    "sagittal": 48.0,  # hip flexion/extension (issue 13's clips; Pose2Sim demo worst 28.6)
    "frontal": 33.0,  # abduction/adduction (Pose2Sim demo, cam04 left: 32.4)
    "transverse": 60.0,  # internal/external rotation (issue 13's clips; Pose2Sim demo 49.1)
}
VIDEO_BAND_SOURCE: Final = (
    "single camera vs multi-camera reconstruction, worst clip RMSE (issue 13's clips and "
    "Pose2Sim's four-camera demo, the wider per plane)"
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

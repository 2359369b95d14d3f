"""Issue 13: the video's per-plane error bands and the inclinometer's MDC, as the profile and
the progress lines use them (core, no I/O)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from triplane.core import progress as core
from triplane.core.anatomy import MOTIONS
from triplane.core.assess import build_profile
from triplane.core.measurement_error import (
    INCLINOMETER,
    INCLINOMETER_MDC,
    INCLINOMETER_TESTS,
    VIDEO_ERROR_BAND,
    mdc_for,
    video_band,
    video_measurable,
)
from triplane.core.records import Measurement

D0 = date(2026, 1, 5)
DEGREES = st.floats(min_value=0, max_value=90, allow_nan=False)


@given(st.sampled_from(MOTIONS), st.floats(min_value=-180, max_value=180, allow_nan=False))
def test_a_video_reading_is_kept_only_outside_its_band(motion: str, degrees: float) -> None:
    band = video_band(motion)
    assert band is not None and band in VIDEO_ERROR_BAND.values()
    assert video_measurable(motion, degrees) == (abs(degrees) > band)


def test_rotation_from_one_camera_has_the_widest_band() -> None:
    assert VIDEO_ERROR_BAND["transverse"] == max(VIDEO_ERROR_BAND.values())
    assert not video_measurable("internal_rotation", 45.0)  # a normal IR: noise for video


@given(st.sampled_from(sorted(INCLINOMETER_TESTS)), st.sampled_from(
    ["inclinometer_app", "goniometer", "video", INCLINOMETER]))  # fmt: skip
def test_the_inclinometer_mdc_goes_with_the_method(test: str, device: str) -> None:
    mdc, source = mdc_for(device, test, 8.6)
    if device == INCLINOMETER:
        assert (mdc, source) == (INCLINOMETER_MDC, "KRA")
    else:
        assert (mdc, source) == (8.6, None)


def _line(devices: list[str], values: list[float]) -> list[Measurement]:
    return [
        Measurement(D0 + timedelta(weeks=3 * i), "seated_rotation", "internal_rotation", "left",
                    "degrees", v, device=d)
        for i, (d, v) in enumerate(zip(devices, values, strict=True))
    ]  # fmt: skip


@given(st.lists(DEGREES, min_size=2, max_size=6))
def test_a_line_of_inclinometer_readings_uses_mdc_5_4(catalogue, values: list[float]) -> None:  # type: ignore[no-untyped-def]
    (t,) = core.trends(_line([INCLINOMETER] * len(values), values), catalogue)
    assert t.mdc == INCLINOMETER_MDC and not t.mdc_assumed
    change = values[-1] - values[0]
    assert t.beyond_error == (abs(round(change, 1)) > INCLINOMETER_MDC)


@given(st.lists(DEGREES, min_size=2, max_size=6))
def test_a_line_that_mixes_methods_keeps_the_tests_mdc(catalogue, values: list[float]) -> None:  # type: ignore[no-untyped-def]
    devices = ["inclinometer_app"] + [INCLINOMETER] * (len(values) - 1)
    (t,) = core.trends(_line(devices, values), catalogue)
    assert t.mdc == catalogue.tests["seated_rotation"].mdc


def test_a_7_degree_gain_is_real_by_inclinometer_not_by_the_old_app(catalogue) -> None:  # type: ignore[no-untyped-def]
    (phone,) = core.trends(_line([INCLINOMETER] * 2, [20.0, 27.0]), catalogue)
    (app,) = core.trends(_line(["inclinometer_app"] * 2, [20.0, 27.0]), catalogue)
    assert phone.beyond_error and not app.beyond_error


def test_the_profile_reads_inclinometer_pairs(catalogue) -> None:  # type: ignore[no-untyped-def]
    ms = [
        Measurement(D0, "seated_rotation", "internal_rotation", side, "degrees", v,
                    device=INCLINOMETER)
        for side, v in (("left", 20.0), ("right", 31.0))
    ]  # fmt: skip
    p = build_profile(ms, catalogue)
    ir = p.motion("internal_rotation")
    assert ir.asymmetry_degrees == 11.0 and ir.asymmetry_flagged


def test_a_saved_video_reading_carries_its_band_in_the_profile(catalogue) -> None:  # type: ignore[no-untyped-def]
    ms = [Measurement(D0, "standing_abduction", "abduction", "left", "degrees", 30.0,
                      device="video"),
          Measurement(D0, "standing_abduction", "abduction", "right", "degrees", 31.0,
                      device=INCLINOMETER)]  # fmt: skip
    r = build_profile(ms, catalogue).motion("abduction")
    assert r.left.error_band == VIDEO_ERROR_BAND["frontal"]
    assert r.left.as_dict()["error_band"] == VIDEO_ERROR_BAND["frontal"]
    assert r.right.error_band is None

"""Issue 13 on clips made with ffmpeg from the demo clip: orientation from the display matrix,
one person only, the guards (short, uncovered, dark, cut), robust extremes that do not grow with
the clip's length, per-plane error bands and "not measurable from video"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from triplane.core.measurement_error import VIDEO_ERROR_BAND
from triplane.vision import VisionError
from triplane.vision.measure import OTHER_PERSON, MeasureResult
from triplane.vision.orientation import rotation
from triplane.vision.video import probe

pytestmark = pytest.mark.slow
ROTATED = ["rotated90.mp4", "rotated270.mov", "rotated180.mp4"]
MARGIN = 3.0  # degrees on top of the re-encode noise measured in the same session
REENCODED = ["reencoded20.mp4", "reencoded23.mp4"]


def _ok(r: Any) -> MeasureResult:
    assert isinstance(r, MeasureResult), r
    return r


def _used(r: MeasureResult) -> set[int]:
    return {f for a, b in r.frames_used.runs for f in range(a, b + 1)}


def _hip(r: MeasureResult) -> dict[tuple[str, str, str], float]:
    out = {}
    for side, joints in r.to_json()["ranges"].items():
        for plane, rng in joints.get("hip", {}).items():
            out[(side, plane, "min")] = rng["min"]
            out[(side, plane, "max")] = rng["max"]
    return out


# --- 1. orientation ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ROTATED)
def test_the_display_matrix_is_read(clips: Any, name: str) -> None:
    clip = clips.made(name)
    degrees = int(name[7:10].rstrip("."))
    assert rotation(clip) == degrees
    info = probe(clip)
    assert (info.width, info.height) == (884, 498)  # the upright size, however it is stored
    assert rotation(clips.made("upright.mp4")) == 0 and rotation(clips.made("sideways.mp4")) == 0


def _worst(a: dict[tuple[str, str, str], float], b: dict[tuple[str, str, str], float]) -> float:
    """The largest difference of the hip ranges, sagittal and frontal planes. The transverse
    plane is left out: it moves by 20 degrees or more between two encodes of the same clip,
    which is why rotation is "not measurable from video"."""
    assert set(a) == set(b)
    return max(abs(a[k] - b[k]) for k in a if k[1] != "transverse")


@pytest.mark.parametrize("name", ROTATED)
def test_a_rotated_clip_measures_like_the_upright_one(measured: Any, name: str) -> None:
    up, rot = _ok(measured("upright.mp4")), _ok(measured(name))
    assert rot.to_json()["orientation"] == int(name[7:10].rstrip("."))
    assert abs(rot.frames_used.count - up.frames_used.count) <= 5
    noise = max(_worst(_hip(up), _hip(_ok(measured(n)))) for n in REENCODED)
    worst = _worst(_hip(up), _hip(rot))
    assert worst <= noise + MARGIN, (worst, noise)


def test_the_same_clip_stored_sideways_without_the_matrix_is_not_measured_alike(
    measured: Any,
) -> None:
    """The control: without the display matrix the person lies on their side for the model."""
    up, side = _ok(measured("upright.mp4")), measured("sideways.mp4")
    if isinstance(side, VisionError):
        return  # refused outright: fine, never measured as if upright
    noise = max(_worst(_hip(up), _hip(_ok(measured(n)))) for n in REENCODED)
    assert (
        side.frames_used.count < up.frames_used.count / 2
        or _worst(_hip(up), _hip(side)) > noise + MARGIN
    )


# --- 2. one person -------------------------------------------------------------------------


def test_the_man_blacked_out_gives_no_measurement_from_the_woman(measured: Any) -> None:
    whole = measured("blacked.mp4")
    assert isinstance(whole, VisionError)
    assert "usable in only" in str(whole) and "\n" not in str(whole)
    # Up to frame 180 the man's 100 frames are over half the clip: measured, from him only.
    r = _ok(measured("blacked.mp4", max_frames=180))
    used = _used(r)
    assert used and max(used) < 100, sorted(used)[-5:]
    assert all(m["frame"] < 100 for m in r.measurements())
    refused = {f for d in r.dropped if d.reason == OTHER_PERSON for f in range(d.start, d.end + 1)}
    assert refused, "the woman's frames were not reported as another person's"
    checks = r.person["new_tracks"]
    assert checks and all(c["position_ok"] is False or c["appearance_ok"] is False
                          for c in checks if c["frame"] >= 100)  # fmt: skip


# --- 3. guards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("dark.mp4", "too dark"),
        ("cut30.mp4", "truncated"),
        ("corrupt.mp4", "damaged"),
        ("concealed.mp4", "damaged"),
        ("short.mp4", "at least 1 s"),
    ],  # fmt: skip
)
def test_guards(measured: Any, name: str, words: str) -> None:
    err = measured(name)
    assert isinstance(err, VisionError), err
    msg = str(err)
    assert words in msg and "\n" not in msg and msg.endswith("."), msg


# --- 4. robust extremes --------------------------------------------------------------------


def test_extremes_do_not_grow_with_the_length_of_the_clip(measured: Any) -> None:
    """The same clip three times over: held extremes stay put (the model's own smoothing runs
    on across the joins, so a few degrees move; nothing grows with the length)."""
    one, three = _ok(measured("upright.mp4")), _ok(measured("looped.mp4"))
    assert three.frames_read == 3 * one.frames_read
    a, b = _hip(one), _hip(three)
    for k in a:
        if k[1] != "transverse":
            assert abs(a[k] - b[k]) <= 5.0, (k, a[k], b[k])


def test_an_extreme_is_held_not_a_single_frame(measured: Any) -> None:
    r = _ok(measured("upright.mp4", frames=True))
    assert r.frames is not None
    for side in ("left", "right"):
        series = [f[side]["hip_abduction"] for f in r.frames if f["used"]
                  and f[side]["hip_abduction"] is not None]  # fmt: skip
        held = r.ranges[side]["hip_abduction"].hi
        assert held is not None
        assert held.value <= max(series)  # never beyond what the frames show
        # ... and at least 80% of the frames of some 0.5 s window reach it
        assert sum(v >= held.value - 0.05 for v in series) >= 0.8 * 15


# --- 5. per-plane honesty ------------------------------------------------------------------


def test_rotation_is_not_measurable_from_video_and_never_a_measurement(measured: Any) -> None:
    j = _ok(measured("upright.mp4")).to_json()
    assert not [m for m in j["measurements"] if "rotation" in m["motion"]]
    rot = [m for m in j["not_measurable"] if "rotation" in m["motion"]]
    assert rot and all(m["error_band"] == VIDEO_ERROR_BAND["transverse"] for m in rot)
    assert all("not measurable from video" in m["reason"] for m in rot)
    for m in j["measurements"]:
        assert m["degrees"] > m["error_band"] == VIDEO_ERROR_BAND[m["plane"]]
    for side in ("left", "right"):
        for plane, rng in j["ranges"][side]["hip"].items():
            assert rng["error_band"] == VIDEO_ERROR_BAND[plane]


def test_a_held_abduction_is_a_number_only_beyond_its_band(measured: Any) -> None:
    # The demo's jumping jacks hold the legs out about 20-30 degrees: within the frontal band
    # (33 degrees since the four-camera validation), so each side's abduction is reported as
    # not measurable from video, with its band and the phone page as the way to measure it,
    # and nothing is saved. A side beyond the band would be a measurement with its band.
    j = _ok(measured("held_jacks.mp4", "standing_abduction")).to_json()
    band = VIDEO_ERROR_BAND["frontal"]
    found = [m for m in j["measurements"] if m["motion"] == "abduction"]
    withheld = [m for m in j["not_measurable"] if m["motion"] == "abduction"]
    assert {m["side"] for m in found + withheld} >= {"right"}
    for m in found:
        assert m["degrees"] > band and m["error_band"] == band
    for m in withheld:
        assert abs(m["degrees"]) <= band and m["error_band"] == band
        assert "not measurable from video" in m["reason"] and "phone" in m["reason"]


def test_the_looped_and_cut_clips_are_described(clips: Any) -> None:
    assert probe(clips.made("looped.mp4")).frame_count == 285
    assert Path(clips.made("cut30.mp4")).stat().st_size < clips.demo.stat().st_size


def test_appearance_tells_the_woman_from_the_man(demo_clip: Path) -> None:
    """The lock's appearance check alone, on the demo clip: after 60 frames of the man, the
    man later on looks alike and the woman (found with the man blacked out) does not."""
    from triplane.vision.pose import PersonLock, PoseModel, mask_inside
    from triplane.vision.video import FrameReader

    lock = PersonLock()
    later: tuple[Any, Any] | None = None
    woman: tuple[Any, Any] | None = None
    with PoseModel() as model, PoseModel(static=True) as finder:
        for fr in FrameReader(probe(demo_clip), stop_after=121):
            if fr.index < 60:
                obs = model.process(fr.rgb)
                if obs is not None:
                    if lock.locked:
                        lock.check(obs, fr.index, fr.rgb)
                    else:
                        lock.lock(obs, fr.index, fr.rgb)
            elif fr.index == 90:
                obs = model.process(fr.rgb)
                later = (obs, fr.rgb)
            elif fr.index == 120:
                man_box = (450.0, 0.0, 1100.0, 480.0)
                woman = (finder.process(mask_inside(fr.rgb, [man_box])), fr.rgb)
    assert later is not None and later[0] is not None
    assert woman is not None and woman[0] is not None
    assert later[0].centre[1] < 480  # on the box: him
    assert woman[0].centre[1] > 500  # below the box: her, not him
    assert lock.looks_alike(*later)
    assert not lock.looks_alike(*woman), lock.last_check

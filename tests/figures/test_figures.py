"""Figures: keyframes cover the catalogue, are anatomically possible, and render as clean SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from triplane.core.body import JointAngles, forward, hip_angles
from triplane.core.catalogue import load_catalogue
from triplane.figures import (
    FigureError,
    drill_figure_svg,
    figure_sides,
    load_figures,
    strip_svg,
    validate_figures,
    write_all_figures,
)
from triplane.figures.keyframes import (
    Keyframe,
    _parse_file,
    between,
    check_figure,
    keyframe_points,
    pad,
)

SVG = "{http://www.w3.org/2000/svg}"
CATALOGUE = load_catalogue()
DRILLS = list(CATALOGUE.drills)
DIRECTIONS = [d.id for d in CATALOGUE.lunge.directions]
ENTRIES = DRILLS + DIRECTIONS
FIGURES = load_figures()


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def assert_self_contained(svg: str) -> None:
    """No external references: no links, images, scripts, remote fonts or url() fetches."""
    root = parse(svg)
    for el in root.iter():
        tag = el.tag.removeprefix(SVG)
        assert tag not in ("image", "script", "foreignObject", "use", "a"), tag
        for key, value in el.attrib.items():
            assert "href" not in key, (tag, key)
            assert "url(" not in value and "http" not in value, (tag, key, value)
    style = "".join(s.text or "" for s in root.iter(f"{SVG}style"))
    assert "@import" not in style and "url(" not in style


# --- coverage and validation --------------------------------------------------------------------


def test_every_drill_and_lunge_direction_has_keyframes_and_validation_passes() -> None:
    assert set(ENTRIES) <= set(FIGURES.figures)
    assert validate_figures(FIGURES, CATALOGUE) == []


@pytest.mark.parametrize("ident", ENTRIES)
def test_each_figure_has_two_to_four_keyframes_a_view_and_its_arc(ident: str) -> None:
    fig = FIGURES.figures[ident]
    assert 2 <= len(fig.keyframes) <= 4
    assert fig.view in ("front", "side", "top", "three_quarter")
    assert fig.arc is not None
    start = fig.keyframe(fig.arc.start).angles
    end = fig.keyframe(fig.arc.end).angles
    assert start != end, "the arc of motion must span a movement"
    assert any(k.hold + k.move > 0 for k in fig.keyframes)


def test_lying_figures_lie_on_the_floor_and_kneeling_figures_kneel_on_it() -> None:
    h = 1.75
    for ident in ("supine_windshield_wipers", "figure_four"):
        pts = keyframe_points(FIGURES.figures[ident])[0]
        assert pts["pelvis_centre"][1] - pad("pelvis_centre") == pytest.approx(0, abs=0.03)
        assert abs(pts["neck"][1] - pts["pelvis_centre"][1]) < 0.15  # lying flat
    pts = keyframe_points(FIGURES.figures["half_kneeling_hip_flexor"])[0]
    assert pts["left_knee"][1] - pad("left_knee") == pytest.approx(0, abs=0.03 * h)
    assert pts["right_heel"][1] == pytest.approx(0, abs=0.03 * h)
    assert pts["neck"][1] - pts["pelvis_centre"][1] > 0.95 * 0.288 * h  # upright trunk
    pts = keyframe_points(FIGURES.figures["quadruped_hip_cars"])[-1]
    for hand in ("left_wrist", "right_wrist"):
        assert pts[hand][1] - pad(hand) == pytest.approx(0, abs=0.03 * h)


def test_planted_feet_stay_put_between_keyframes() -> None:
    fig = FIGURES.figures["half_kneeling_hip_flexor"]
    first, end = keyframe_points(fig)[:2]
    for name in ("right_heel", "right_foot_index"):
        assert end[name] == pytest.approx(first[name], abs=0.01)


def test_in_between_frames_stay_out_of_the_floor() -> None:
    for fig in FIGURES.figures.values():
        for i in range(len(fig.keyframes) - 1):
            for t in (0.25, 0.5, 0.75):
                pts = between(fig, i, i + 1, t)
                lowest = min(
                    p[1] - min(pad(n), 0.035 * 1.75) for n, p in pts.items() if n != "head_centre"
                )
                assert lowest > -0.06, (fig.id, i, t)


def test_validation_reports_angles_past_the_anatomical_limits() -> None:
    fig = FIGURES.figures["deep_squat_hold"]
    k = fig.keyframes[1]
    bad = replace(
        fig,
        keyframes=(fig.keyframes[0], replace(k, angles=replace(k.angles, left_knee_flexion=175.0))),
    )
    problems = check_figure(bad, FIGURES.limits)
    assert any("left_knee_flexion is 175" in p and "limits" in p for p in problems)


def test_validation_reports_a_foot_through_the_floor() -> None:
    fig = FIGURES.figures["front_back_leg_swings"]
    # Stance foot grounded, swinging leg bent back down through the floor.
    through = Keyframe(
        "sweep",
        JointAngles(left_hip_flexion=-20, left_knee_flexion=0, left_ankle_dorsiflexion=-70),
        0,
        1,
        ("right_heel", "right_foot_index"),
    )
    low = replace(fig, keyframes=(fig.keyframes[0], through))
    assert any(
        "left_foot_index" in p and "through the floor" in p
        for p in check_figure(low, FIGURES.limits)
    )


def test_validation_reports_a_contact_that_floats() -> None:
    fig = FIGURES.figures["deep_squat_hold"]
    k = fig.keyframes[1]
    lifted = replace(k, angles=replace(k.angles, left_knee_flexion=60.0))
    problems = check_figure(replace(fig, keyframes=(fig.keyframes[0], lifted)), FIGURES.limits)
    assert any("should rest on the floor" in p for p in problems)


def test_validation_reports_missing_and_unknown_figures() -> None:
    figures = dict(FIGURES.figures)
    del figures["pigeon"]
    figures["not_a_drill"] = FIGURES.figures["frog_rock"]
    problems = validate_figures(replace(FIGURES, figures=figures), CATALOGUE)
    assert any("no figure for 'pigeon'" in p for p in problems)
    assert any("not_a_drill" in p and "not a drill" in p for p in problems)


def test_a_bad_figures_file_fails_with_a_sentence() -> None:
    bad = """
[figures.x]
view = "side"
position = "standing"
keyframes = [{ name = "a", pose = { left_hips = [1, 2, 3] } }, { name = "b" }]
"""
    with pytest.raises(FigureError, match="'left_hips' is not an angle"):
        _parse_file("bad.toml", bad, FIGURES.positions, FIGURES.limits)
    with pytest.raises(FigureError, match="view is 'sky'"):
        _parse_file("bad.toml", bad.replace('"side"', '"sky"'), FIGURES.positions)


def test_figures_measure_back_to_their_keyframe_angles() -> None:
    """What the figures draw and what the video analysis measures agree."""
    for fig in FIGURES.figures.values():
        for k in fig.keyframes:
            a = k.angles
            if a.trunk_flexion != 0 or a.left_knee_flexion < 20:
                continue
            got = hip_angles(forward(a), "left")
            assert got.flexion == pytest.approx(a.left_hip_flexion, abs=1e-6)
            assert got.rotation == pytest.approx(a.left_hip_rotation, abs=1e-6)


# --- rendering ----------------------------------------------------------------------------------


def test_sides() -> None:
    assert figure_sides("half_kneeling_hip_flexor") == ["left", "right"]
    assert figure_sides("deep_squat_hold") == [None]
    assert figure_sides("anterior") == ["left", "right"]
    with pytest.raises(FigureError, match="not a drill or lunge direction"):
        figure_sides("moonwalk")


@pytest.mark.parametrize("ident", ENTRIES)
def test_every_entry_renders_animated_static_and_as_a_strip(ident: str) -> None:
    for side in figure_sides(ident):
        animated = drill_figure_svg(ident, side)
        assert_self_contained(animated)
        root = parse(animated)
        anims = list(root.iter(f"{SVG}animate"))
        assert anims, "the animated figure must move"
        for a in anims:
            n_values = len(a.attrib["values"].split(";"))
            assert n_values == len(a.attrib["keyTimes"].split(";"))
            assert a.attrib["repeatCount"] == "indefinite"
        static = drill_figure_svg(ident, side, animated=False)
        assert_self_contained(static)
        assert "<animate" not in static
        strip = strip_svg(ident, side)
        assert_self_contained(strip)
        captions = [t.text for t in parse(strip).iter(f"{SVG}text") if t.get("class") == "cap"]
        assert len(captions) == len(FIGURES.figures[ident].keyframes)
        assert "<animate" not in strip


def test_figures_adapt_to_dark_mode_and_reduced_motion() -> None:
    svg = drill_figure_svg("pigeon")
    assert "prefers-color-scheme: dark" in svg
    assert "prefers-reduced-motion" in svg
    assert 'class="seg near work"' in svg or "work" in svg  # the working leg is highlighted
    assert "\u00b0" in svg  # the arc of motion is labelled with its angle


def test_right_side_is_the_mirror_image_of_the_left() -> None:
    left = parse(drill_figure_svg("anterior", "left", animated=False))
    right = parse(drill_figure_svg("anterior", "right", animated=False))

    def heads(root: ET.Element) -> list[float]:
        return [
            float(c.get("cx", "0"))
            for c in root.iter(f"{SVG}circle")
            if "solid" in (c.get("class") or "") and "halo" not in (c.get("class") or "")
        ]

    assert heads(left) and heads(left) == [-x for x in heads(right)]
    assert "(right side)" in drill_figure_svg("anterior", "right")


def test_animation_loops_at_the_drill_tempo() -> None:
    fig = FIGURES.figures["ninety_ninety_hip_switch"]  # 2 s hold, switch, 2 s settle
    total = sum(k.hold + k.move for k in fig.keyframes)
    durs = set(re.findall(r'dur="([0-9.]+)s"', drill_figure_svg("ninety_ninety_hip_switch")))
    assert durs == {f"{total:.2f}"}


def test_write_all_figures(tmp_path: Path) -> None:
    written = write_all_figures(tmp_path)
    expected = sum(len(figure_sides(i)) for i in ENTRIES)
    assert len(written) == expected
    names = {p.name for p in written}
    assert "anterior-left.svg" in names and "anterior-right.svg" in names
    assert "deep_squat_hold.svg" in names
    for path in written[:5]:
        parse(path.read_text(encoding="utf-8"))


COACH_DRILL = """
[[drill]]
id = "coach_standing_knee_out"
name = "Coach's standing knee out"
purpose = "A coach's own drill without keyframes."
planes = ["frontal"]
motions = ["abduction"]
position = "standing"
loads_knee = false
style = "dynamic"
difficulty = 1
dose = { sets = 2, reps = 8, per_side = true, tempo = "2 s out, 2 s back", minutes = 2 }
cues = ["Stand tall.", "Lift the knee out.", "Come back slowly."]
mistakes = ["Leaning.", "Rushing."]
demands = []
sources = ["my notes"]

[[drill]]
id = "coach_quadruped_rotation"
name = "Coach's quadruped rotation"
purpose = "Another coach drill, on hands and knees."
planes = ["transverse"]
motions = ["internal_rotation"]
position = "quadruped"
loads_knee = true
style = "dynamic"
standing_version = "standing_hip_swivels"
difficulty = 1
dose = { sets = 2, reps = 8, per_side = true, tempo = "slow", minutes = 2 }
cues = ["Hands under shoulders.", "Turn the foot out.", "Keep the hips level."]
mistakes = ["Shifting the hips.", "Rushing."]
demands = ["knee_on_support"]
sources = ["my notes"]
"""


def test_a_coach_drill_gets_a_default_figure_from_its_position_and_motion(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(COACH_DRILL, encoding="utf-8")
    for ident in ("coach_standing_knee_out", "coach_quadruped_rotation"):
        assert figure_sides(ident, tmp_path) == ["left", "right"]
        svg = drill_figure_svg(ident, "right", coach_dir=tmp_path)
        assert_self_contained(svg)
        assert "<animate" in svg
    assert "hip abduction 35" in drill_figure_svg("coach_standing_knee_out", coach_dir=tmp_path)
    written = write_all_figures(tmp_path / "out", coach_dir=tmp_path)
    assert any(p.name == "coach_quadruped_rotation-left.svg" for p in written)


def test_a_coach_can_draw_their_own_keyframes(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(COACH_DRILL, encoding="utf-8")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "mine.toml").write_text(
        """
[figures.coach_standing_knee_out]
view = "front"
position = "standing"
props = ["floor"]
contact = ["right_heel", "right_foot_index"]
arc = { angle = "left_hip_abduction", joint = "left_hip", distal = "left_knee" }
keyframes = [
  { name = "start", pose = { left_hip = [60, 0, 0], left_knee = 90 } },
  { name = "end_range", pose = { left_hip = [60, 40, -20] } },
]
""",
        encoding="utf-8",
    )
    figs = load_figures(tmp_path)
    assert not figs.figures["coach_standing_knee_out"].generated
    cat = load_catalogue(tmp_path)
    assert validate_figures(figs, cat) == []
    assert "hip abduction 40" in drill_figure_svg("coach_standing_knee_out", coach_dir=tmp_path)

"""The packaged catalogue loads and meets the method's coverage rules; broken files are refused
with a sentence naming the file, the entry and the field."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

from drill_files import GOOD_DRILL  # one coach drill file for the catalogue and CLI tests
from triplane.core.anatomy import MOTIONS, PLANES, plane_of
from triplane.core.catalogue import (
    KNOWN_SOURCE_KEYS,
    LUNGE_VARIABLES,
    Catalogue,
    CatalogueError,
    load_catalogue,
)

DRILL_IDS = [
    "half_kneeling_hip_flexor",
    "triplane_hip_flexor",
    "three_position_kneeling_stretch",
    "ninety_ninety_hip_switch",
    "supine_windshield_wipers",
    "shin_box_ir_lift_off",
    "shin_box_get_up",
    "quadruped_hip_cars",
    "adductor_rock_back",
    "frog_rock",
    "pigeon",
    "figure_four",
    "kneeling_adductor_lunge_reach",
    "half_kneeling_active_er",
    "lateral_kneeling_adductor_reach_under",
    "rocked_back_adductor_rotation",
    "hip_airplane",
    "lateral_lunge_shift",
    "front_back_leg_swings",
    "side_to_side_leg_swings",
    "worlds_greatest_stretch",
    "standing_ir_mobilisation_box",
    "deep_squat_hold",
    "ninety_ninety_forward_fold",
    "lunge_matrix_test_retest",
    "split_stance_hip_flexor",
    "standing_triplane_hip_flexor",
    "standing_hip_cars",
    "standing_pigeon",
    "standing_figure_four",
    "side_lunge_overhead_reach",
    "standing_hip_swivels",
    "standing_cross_behind_side_stretch",
    "side_lying_hip_drop",
    "standing_side_leg_on_chair",
    "standing_knee_hug",
    "standing_ir_lift_off",
    "standing_er_lift_off",
]

TEST_IDS = [
    "seated_rotation",
    "prone_rotation",
    "modified_thomas",
    "active_hip_flexion",
    "straight_leg_raise",
    "ober",
    "standing_abduction",
    "faber",
    "ninety_ninety",
    "single_leg_squat",
]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(folder: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    return str(info.value)


# ------------------------------------------------------------------------ packaged catalogue


def test_packaged_catalogue_loads_from_package_data(cat: Catalogue) -> None:
    data = files("triplane.core.catalogue") / "data"
    for name in ("drills.toml", "lunge_matrix.toml", "tests.toml", "norms.toml", "red_flags.toml"):
        assert tomllib.loads((data / name).read_text(encoding="utf-8"))
    assert sorted(cat.drills) == sorted(DRILL_IDS)
    assert all(d.origin == "triplane" for d in cat.drills.values())


def test_load_is_memoised_without_user_dir() -> None:
    assert load_catalogue() is load_catalogue()


def test_every_motion_has_at_least_three_drills_and_one_primary(cat: Catalogue) -> None:
    for motion in MOTIONS:
        assert len(cat.drills_for(motion)) >= 3, motion
        assert any(d.primary_motion == motion for d in cat.drills.values()), motion


def test_every_plane_has_several_drills(cat: Catalogue) -> None:
    for plane in PLANES:
        assert sum(plane in d.planes for d in cat.drills.values()) >= 8, plane


def test_adduction_has_real_adduction_drills(cat: Catalogue) -> None:
    adduction = {d.id for d in cat.drills_for("adduction")}
    assert {"side_to_side_leg_swings", "standing_hip_cars", "quadruped_hip_cars"} <= adduction
    assert "hip_airplane" in adduction


def test_each_motion_has_two_standing_dynamic_knee_free_drills(cat: Catalogue) -> None:
    # The planner needs one right before a run, and standing-only ones during work hours.
    for motion in MOTIONS:
        fits = [
            d
            for d in cat.drills_for(motion)
            if d.is_standing and d.style == "dynamic" and not d.loads_knee
        ]
        assert len(fits) >= 2, (motion, [d.id for d in fits])


def test_standing_versions_are_standing_and_only_non_standing_drills_have_one(
    cat: Catalogue,
) -> None:
    for drill in cat.drills.values():
        if drill.is_standing:
            assert drill.standing_version is None, drill.id
        else:
            assert drill.standing_version is not None, drill.id
            assert cat.drills[drill.standing_version].is_standing, drill.id


def test_requested_standing_versions(cat: Catalogue) -> None:
    expected = {
        "half_kneeling_hip_flexor": "split_stance_hip_flexor",
        "triplane_hip_flexor": "standing_triplane_hip_flexor",
        "ninety_ninety_hip_switch": "standing_hip_swivels",
        "quadruped_hip_cars": "standing_hip_cars",
        "pigeon": "standing_pigeon",
        "figure_four": "standing_figure_four",
        "frog_rock": "lateral_lunge_shift",
    }
    for drill, standing in expected.items():
        assert cat.drills[drill].standing_version == standing


def test_easier_regressions_share_primary_motion_and_are_easier(cat: Catalogue) -> None:
    assert cat.drills["ninety_ninety_hip_switch"].easier == "supine_windshield_wipers"
    assert cat.drills["frog_rock"].easier == "adductor_rock_back"
    assert cat.drills["pigeon"].easier == "figure_four"
    for drill in cat.drills.values():
        if drill.easier:
            easier = cat.drills[drill.easier]
            assert easier.primary_motion == drill.primary_motion
            assert easier.difficulty < drill.difficulty


def test_drill_fields_are_sane(cat: Catalogue) -> None:
    for d in cat.drills.values():
        assert {plane_of(m) for m in d.motions} <= set(d.planes), d.id
        assert 3 <= len(d.cues) <= 5 and 2 <= len(d.mistakes) <= 4, d.id
        assert 1 <= d.dose.minutes <= 5 and d.dose.sets >= 1, d.id
        assert d.dose.reps or d.dose.hold_seconds, d.id
        assert set(d.contraindications) <= set(cat.conditions), d.id
        assert d.sources and set(d.sources) <= KNOWN_SOURCE_KEYS, d.id
        if d.position in ("kneeling", "half_kneeling", "quadruped"):
            assert d.loads_knee and "knee_pain" in d.contraindications, d.id


def test_conservative_contraindications(cat: Catalogue) -> None:
    from triplane.core.conditions import drill_ruled_out, restrictions_for
    from triplane.core.records import Settings

    assert "hip_replacement" in cat.drills["frog_rock"].contraindications
    hip = restrictions_for(cat, Settings(conditions=("hip_replacement",)))
    for drill in ("deep_squat_hold", "side_to_side_leg_swings", "standing_ir_lift_off", "pigeon"):
        assert drill_ruled_out(cat.drills[drill], hip), drill
    assert cat.drills["standing_ir_mobilisation_box"].loads_knee


def test_hip_replacement_unknown_approach_is_the_union_of_the_others(cat: Catalogue) -> None:
    hip = cat.conditions["hip_replacement"]
    posterior = set(hip.demands_ruled_out("posterior"))
    anterior = set(hip.demands_ruled_out("anterior"))
    assert set(hip.demands_ruled_out("unknown")) == posterior | anterior
    assert set(hip.demands_ruled_out()) == posterior | anterior  # the default is unknown
    assert posterior == {
        "hip_flexion_past_90",
        "adduction_across_midline",
        "internal_rotation_in_flexion",
    }
    assert anterior == {"extension_with_external_rotation"}


def test_every_drill_and_direction_says_what_it_demands(cat: Catalogue) -> None:
    drills = tomllib.loads((files("triplane.core.catalogue") / "data" / "drills.toml").read_text())
    assert all("demands" in d for d in drills["drill"])
    matrix = (files("triplane.core.catalogue") / "data" / "lunge_matrix.toml").read_text()
    assert all("demands" in d for d in tomllib.loads(matrix)["direction"])
    for d in cat.drills.values():
        assert d.loads_knee == ("knee_on_support" in d.demands), d.id


def test_a_drill_without_demands_is_refused_naming_file_entry_and_field(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace("demands = []\n", ""))
    message = refusal(tmp_path)
    assert "anna.toml" in message and "banded_side_step" in message and "'demands'" in message


def test_loads_knee_and_knee_on_support_must_agree(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace("loads_knee = false", "loads_knee = true"))
    message = refusal(tmp_path)
    assert "banded_side_step" in message and "knee_on_support" in message


def test_a_direction_without_demands_is_refused() -> None:
    from triplane.core.catalogue.loader import _load_lunge

    text = (files("triplane.core.catalogue") / "data" / "lunge_matrix.toml").read_text()
    data = tomllib.loads(text)
    del data["direction"][-1]["demands"]
    with pytest.raises(CatalogueError) as info:
        _load_lunge(data)
    message = str(info.value)
    assert "lunge_matrix.toml" in message and "crossover" in message and "'demands'" in message


def test_an_unknown_demand_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace("demands = []", 'demands = ["splits"]'))
    message = refusal(tmp_path)
    assert "'splits'" in message and "hip_flexion_past_90" in message


def test_no_drill_recommends_the_seated_machine(cat: Catalogue) -> None:
    assert cat.never_recommended == ("seated_abduction_machine", "seated_adduction_machine")
    for drill in cat.drills.values():
        assert drill.id not in cat.never_recommended
        assert "machine" not in drill.name.lower()
        assert "machine" not in " ".join(drill.equipment).lower()


# ------------------------------------------------------------------------------ lunge matrix


def test_lunge_matrix_directions_and_ladders(cat: Catalogue) -> None:
    lunge = cat.lunge
    assert lunge.start_reps == 5
    ids = [d.id for d in lunge.directions]
    for wanted in ("anterior", "lateral", "transverse", "posterior", "posterolateral", "crossover"):
        assert wanted in ids
    assert {p for d in lunge.directions for p in d.planes} == set(PLANES)
    assert set(lunge.ladders) == set(LUNGE_VARIABLES)
    assert sorted(lunge.default_order) == sorted(LUNGE_VARIABLES)
    assert lunge.default_order[-1] == "load"
    start = {v: ladder.steps[ladder.start].id for v, ladder in lunge.ladders.items()}
    assert start == {
        "load": "bodyweight",
        "range": "short",
        "environment": "flat",
        "speed": "slow",
        "stability": "stable",
        "duration": "low",
    }
    # below the start, steps a step back can reach: a hand on a wall, 3 reps (TRI)
    assert lunge.ladders["stability"].steps[0].id == "supported"
    duration = lunge.ladders["duration"]
    assert [s.reps for s in duration.steps] == [3, 5, 8, 10, 12]
    assert duration.steps[duration.start].reps == lunge.start_reps
    assert lunge.ladders["speed"].index("fast") == 2
    assert {r.id for r in lunge.rules} == {
        "one_load_mode",
        "fast_only_light",
        "step_fast_after_slow",
    }
    assert {t.raise_ for t in lunge.trade_offs} == {"load", "speed", "environment"}


def _lunge_refusal(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> str:
    """The packaged lunge_matrix.toml with one edit, parsed as the loader does."""
    from triplane.core.catalogue import loader

    text = (files("triplane.core.catalogue") / "data" / "lunge_matrix.toml").read_text("utf-8")
    assert old in text
    with pytest.raises(CatalogueError) as info:
        loader._load_lunge(tomllib.loads(text.replace(old, new)))
    return str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        # without the rule, front rack and an overhead weight could go together
        (
            'only = { load = ["bodyweight"] }',
            'only = { speed = ["slow", "self_selected", "fast"] }',
            "two load modes at once",
        ),
        ('only = { load = ["bodyweight"] }', 'only = { load = ["goblet"] }', "bottom steps"),
        ('when = { speed = ["fast"] }', 'when = { speed = ["sprint"] }', "'sprint'"),
        ('when = { speed = ["fast"] }', 'when = { pace = ["fast"] }', "'pace'"),
        ('after_clean = { speed = "slow" }', 'after_clean = { speed = "fast" }', "bottom step"),
        (  # load lowers stability, and now stability would lower load
            '[[trade_off]]\nraise = "speed"',
            '[[trade_off]]\nraise = "stability"\nsays = "x"\nlower = { load = "bodyweight" }'
            '\n\n[[trade_off]]\nraise = "speed"',
            "circle",
        ),
        ('raise = "speed"', 'raise = "load"', "one trade-off per variable"),
        ('start = "low"', 'start = "high"', "start_reps"),
        ('at_most = { load = "bodyweight"', 'at_most = { load = "kettlebell"', "'kettlebell'"),
    ],
)
def test_the_loader_refuses_broken_lunge_rules(
    monkeypatch: pytest.MonkeyPatch, old: str, new: str, says: str
) -> None:
    message = _lunge_refusal(monkeypatch, old, new)
    assert "lunge_matrix.toml" in message and says in message


# ------------------------------------------------------------------------------------- tests


def test_assessment_tests_exist_and_defaults_cover_every_motion(cat: Catalogue) -> None:
    assert set(TEST_IDS) <= set(cat.tests)
    assert set(cat.default_tests) == set(MOTIONS)
    for motion, test_id in cat.default_tests.items():
        assert motion in cat.tests[test_id].motions
    assert cat.default_tests["internal_rotation"] == "seated_rotation"
    assert cat.default_tests["external_rotation"] == "seated_rotation"


def test_signs_units_and_mdcs(cat: Catalogue) -> None:
    ober = cat.tests["ober"]
    assert ober.signed and ober.minimum < 0 and ober.unit == "degrees"
    assert cat.tests["modified_thomas"].signed
    for test in cat.tests.values():
        if test.motions[0] == "flexion":
            assert not test.signed and test.minimum >= 0, test.id
        assert len(test.rating_guide) == 4, test.id
        assert 3 <= len(test.instructions) <= 6, test.id
        assert test.minimum < test.maximum
    for rotation in ("seated_rotation", "prone_rotation"):
        assert set(cat.tests[rotation].motions) == {"internal_rotation", "external_rotation"}
    assert cat.tests["seated_rotation"].mdc == pytest.approx(8.6)
    assert cat.tests["modified_thomas"].mdc == pytest.approx(19.4)
    faber = cat.tests["faber"]
    assert faber.unit == "cm" and faber.pain_means_positive and faber.mdc == pytest.approx(0.95)
    assert not faber.higher_is_better
    assert cat.tests["ninety_ninety"].unit == "pass_fail"


def test_norms_reference_real_tests_and_measured_motions(cat: Catalogue) -> None:
    assert cat.default_norm_set == "wilson2014"
    assert {"wilson2014", "kouyoumdjian2012", "aaos_kosmahl"} <= set(cat.norm_sets)
    for norm_set in cat.norm_sets.values():
        for norm in norm_set.norms:
            test = cat.tests[norm.test]
            assert norm.motion in test.motions
            assert test.minimum <= norm.low <= norm.high <= test.maximum
        # every degrees test has a norm for every motion it measures, in every set
        for test in cat.tests.values():
            if test.unit == "degrees":
                for motion in test.motions:
                    assert norm_set.norm_for(test.id, motion) is not None, (norm_set.id, test.id)
    wilson = cat.norm_sets["wilson2014"]
    assert wilson.norm_for("seated_rotation", "internal_rotation").value == 30  # type: ignore[union-attr]
    assert wilson.norm_for("ober", "adduction").low == 0  # type: ignore[union-attr]
    kou = cat.norm_sets["kouyoumdjian2012"]
    assert kou.norm_for("prone_rotation", "external_rotation").low == pytest.approx(41.8)  # type: ignore[union-attr]
    assert kou.norm_for("active_hip_flexion", "flexion").low == 110  # type: ignore[union-attr]


def test_red_flags(cat: Catalogue) -> None:
    for flag_id in ("night_pain", "numbness_tingling", "cannot_bear_weight", "fever_or_unwell"):
        assert flag_id in cat.red_flags
    for urgent in ("cannot_bear_weight", "fever_or_unwell", "bladder_bowel"):
        assert cat.red_flags[urgent].urgent
    groin = cat.red_flags["groin_pain_with_impact"]
    assert groin.stop_running and "bone stress" in groin.advice


# ------------------------------------------------------------------------ a coach's drills


def test_valid_user_drill_loads_with_origin(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL)
    cat = load_catalogue(tmp_path)
    drill = cat.drills["banded_side_step"]
    assert drill.origin == "anna.toml"
    assert drill.sources == ("Coach Anna's notes",)
    assert len(cat.drills) == len(DRILL_IDS) + 1
    assert "banded_side_step" not in load_catalogue().drills  # the cached built-in is untouched


def test_user_drill_may_point_at_built_in_standing_version(tmp_path: Path) -> None:
    text = (
        GOOD_DRILL.replace('position = "standing"', 'position = "quadruped"')
        .replace(
            "loads_knee = false", 'loads_knee = true\nstanding_version = "lateral_lunge_shift"'
        )
        .replace("difficulty = 1", 'difficulty = 2\neasier = "adductor_rock_back"')
        .replace("demands = []", 'demands = ["knee_on_support"]')
    )
    write(tmp_path, "anna.toml", text)
    drill = load_catalogue(tmp_path).drills["banded_side_step"]
    assert drill.standing_version == "lateral_lunge_shift" and drill.easier == "adductor_rock_back"


def test_bad_position_names_file_drill_and_field(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace('"standing"', '"sitting"'))
    message = refusal(tmp_path)
    assert message.startswith("anna.toml: drill 'banded_side_step': field 'position'")
    assert "'sitting'" in message and "standing, kneeling" in message


def test_unknown_standing_version_is_refused(tmp_path: Path) -> None:
    text = GOOD_DRILL.replace('position = "standing"', 'position = "floor"').replace(
        "loads_knee = false", 'loads_knee = false\nstanding_version = "no_such_drill"'
    )
    write(tmp_path, "anna.toml", text)
    message = refusal(tmp_path)
    assert "anna.toml" in message and "'banded_side_step'" in message
    assert "field 'standing_version'" in message and "no_such_drill" in message


def test_standing_version_that_is_not_standing_is_refused(tmp_path: Path) -> None:
    text = GOOD_DRILL.replace('position = "standing"', 'position = "floor"').replace(
        "loads_knee = false", 'loads_knee = false\nstanding_version = "pigeon"'
    )
    write(tmp_path, "anna.toml", text)
    message = refusal(tmp_path)
    assert "field 'standing_version'" in message and "floor" in message


def test_missing_standing_version_on_floor_drill_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace('position = "standing"', 'position = "floor"'))
    message = refusal(tmp_path)
    assert "field 'standing_version' is missing" in message


def test_missing_field_is_named(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace('style = "dynamic"\n', ""))
    message = refusal(tmp_path)
    assert message.startswith("anna.toml: drill 'banded_side_step': field 'style' is missing")


def test_wrong_type_is_named(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace("difficulty = 1", 'difficulty = "easy"'))
    message = refusal(tmp_path)
    assert "field 'difficulty' is 'easy'" in message and "whole number" in message


def test_bad_toml_syntax_gives_the_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.toml", GOOD_DRILL.replace('name = "Banded side step"', "name = "))
    message = refusal(tmp_path)
    assert message.startswith("broken.toml: is not valid TOML")
    assert "line 4" in message


def test_plane_must_match_motions(tmp_path: Path) -> None:
    write(
        tmp_path,
        "anna.toml",
        GOOD_DRILL.replace('motions = ["abduction"]', 'motions = ["abduction", "flexion"]'),
    )
    message = refusal(tmp_path)
    assert "field 'planes'" in message and "'sagittal'" in message


def test_dose_minutes_and_unknown_fields_and_bad_conditions(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD_DRILL.replace("minutes = 2", "minutes = 9"))
    assert "field 'minutes' is 9" in refusal(tmp_path)
    write(tmp_path, "a.toml", GOOD_DRILL.replace("difficulty = 1", "difficulty = 1\ncolour = 3"))
    assert "field 'colour' is not a known field" in refusal(tmp_path)
    write(
        tmp_path,
        "a.toml",
        GOOD_DRILL.replace("contraindications = []", 'contraindications = ["flu"]'),
    )
    assert "field 'contraindications' contains 'flu'" in refusal(tmp_path)
    write(tmp_path, "a.toml", GOOD_DRILL.replace('id = "banded_side_step"', 'id = "Banded Step"'))
    assert "field 'id' is 'Banded Step'; expected a slug" in refusal(tmp_path)


def test_easier_must_share_primary_motion(tmp_path: Path) -> None:
    text = GOOD_DRILL.replace("difficulty = 1", 'difficulty = 3\neasier = "figure_four"')
    write(tmp_path, "anna.toml", text)
    message = refusal(tmp_path)
    assert "field 'easier'" in message and "primary motion" in message


def test_user_ids_must_not_clash(tmp_path: Path) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace("banded_side_step", "pigeon"))
    assert "field 'id' is 'pigeon', which is a built-in drill" in refusal(tmp_path)
    write(tmp_path, "anna.toml", GOOD_DRILL)
    write(tmp_path, "bob.toml", GOOD_DRILL)
    message = refusal(tmp_path)
    assert message.startswith("bob.toml") and "anna.toml already uses" in message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('id = "banded_side_step"', 'id = "seated_abduction_machine"'),
        ('name = "Banded side step"', 'name = "Seated adduction machine squeeze"'),
    ],
)
def test_seated_machine_is_refused_with_reason(tmp_path: Path, old: str, new: str) -> None:
    write(tmp_path, "anna.toml", GOOD_DRILL.replace(old, new))
    message = refusal(tmp_path)
    assert message.startswith("anna.toml: drill '")
    assert "never recommends" in message and "running" in message


def test_missing_user_folder_is_a_clear_error(tmp_path: Path) -> None:
    message = refusal(tmp_path / "nope")
    assert "does not exist" in message


def test_empty_user_folder_adds_nothing(tmp_path: Path) -> None:
    assert load_catalogue(tmp_path).drills.keys() == load_catalogue().drills.keys()


def test_the_cached_catalogue_equals_a_fresh_parse(tmp_path, monkeypatch):
    from triplane.core.catalogue import loader
    from triplane.store import catalogue_cache

    monkeypatch.setenv("TRIPLANE_CACHE_DIR", str(tmp_path))
    catalogue_cache.cached_builtin.cache_clear()
    try:
        first = catalogue_cache.cached_builtin()  # parses and writes the cache
        assert list(tmp_path.glob("triplane/catalogue-*.pickle"))
        catalogue_cache.cached_builtin.cache_clear()
        second = catalogue_cache.cached_builtin()  # reads the cache
        assert second == first == loader.parse_builtin()
        # a damaged cache file is ignored, never trusted
        for f in tmp_path.glob("triplane/catalogue-*.pickle"):
            f.write_bytes(b"not a pickle")
        catalogue_cache.cached_builtin.cache_clear()
        assert catalogue_cache.cached_builtin() == first
    finally:
        catalogue_cache.cached_builtin.cache_clear()

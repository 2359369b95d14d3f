from datetime import date

from triplane.core.assess import build_profile
from triplane.core.records import Measurement

D = date(2026, 11, 2)


def m(
    motion: str,
    side: str,
    value: float,
    test: str | None = None,
    unit: str = "degrees",
    day: date = D,
    painful: bool = False,
    mid: int = 0,
) -> Measurement:
    test = (
        test
        or {
            "internal_rotation": "seated_rotation",
            "external_rotation": "seated_rotation",
            "flexion": "active_hip_flexion",
            "abduction": "standing_abduction",
            "extension": "modified_thomas",
            "adduction": "standing_adduction",
        }[motion]
    )
    return Measurement(day, test, motion, side, unit, value, painful, id=mid)


def test_status_follows_ratio_to_the_lower_bound_of_the_norm(catalogue):
    # Wilson 2014 IR 30-40: the norm value is 30
    p = build_profile(
        [
            m("internal_rotation", "left", 30),
            m("internal_rotation", "right", 27),
            m("external_rotation", "left", 20),
        ],
        catalogue,
    )
    ir = p.motion("internal_rotation")
    assert ir.left.status == "ok" and ir.left.ratio == 1.0
    assert ir.right.status == "borderline" and abs(ir.right.ratio - 0.9) < 1e-9
    assert p.motion("external_rotation").left.status == "restricted"  # 20/40 = 0.5
    assert p.motion("flexion").left.status == "unknown"


def test_asymmetry_needs_ten_degrees_and_more_than_the_tests_mdc(catalogue):
    mdc = catalogue.tests["seated_rotation"].mdc
    assert mdc is not None and mdc < 10
    p = build_profile(
        [m("internal_rotation", "left", 25), m("internal_rotation", "right", 35)], catalogue
    )
    assert p.motion("internal_rotation").asymmetry_flagged
    assert p.motion("internal_rotation").asymmetry_degrees == 10
    p = build_profile(
        [m("internal_rotation", "left", 26), m("internal_rotation", "right", 35)], catalogue
    )
    assert not p.motion("internal_rotation").asymmetry_flagged
    # modified Thomas has an MDC above 10 degrees: a 12 degree gap is still noise
    big_mdc = catalogue.tests["modified_thomas"].mdc
    assert big_mdc is not None and big_mdc > 12
    p = build_profile([m("extension", "left", 0), m("extension", "right", 12)], catalogue)
    assert not p.motion("extension").asymmetry_flagged


def test_priorities_rank_the_most_restricted_first(catalogue):
    p = build_profile(
        [
            m("internal_rotation", "left", 15),
            m("external_rotation", "left", 35),
            m("flexion", "left", 130),
            m("abduction", "left", 27),
        ],
        catalogue,
    )
    assert p.priorities[0] == "internal_rotation"
    assert "flexion" not in p.priorities
    assert p.priorities.index("abduction") > p.priorities.index("internal_rotation")


def test_history_is_kept_and_the_newest_counts(catalogue):
    older = m("internal_rotation", "left", 15, day=date(2026, 10, 1), mid=1)
    newer = m("internal_rotation", "left", 33, mid=2)
    p = build_profile([newer, older], catalogue)
    assert p.motion("internal_rotation").left.value == 33


def test_a_test_that_hurt_gets_clinician_advice(catalogue):
    p = build_profile([m("internal_rotation", "left", 30, painful=True)], catalogue)
    assert "internal_rotation" in p.painful_motions
    assert any("clinician" in a for a in p.advice)
    # a positive FABER (recorded as fail) counts too, without --painful
    faber = catalogue.tests["faber"]
    p = build_profile([m(faber.motions[0], "left", 0, test="faber", unit="pass_fail")], catalogue)
    assert faber.motions[0] in p.painful_motions


def test_self_rating_and_pass_fail_give_a_status(catalogue):
    p = build_profile(
        [m("flexion", "left", 3, unit="rating"), m("flexion", "right", 1, unit="rating")], catalogue
    )
    assert p.motion("flexion").left.status == "ok"
    assert p.motion("flexion").right.status == "restricted"
    assert p.motion("flexion").left.ratio is None


def test_the_norm_set_is_a_setting(catalogue):
    sets = list(catalogue.norm_sets)
    assert len(sets) >= 2
    values = {
        build_profile([m("internal_rotation", "left", 34)], catalogue, s)
        .motion("internal_rotation")
        .left.norm
        for s in sets
    }
    assert len(values) >= 2  # different norm sets give different reference values

from datetime import date

from triplane.core.catalogue import load_catalogue
from triplane.core.records import CheckIn
from triplane.core.safety import programme_state

FLAGS = load_catalogue().red_flags
D = date(2026, 11, 2)


def state(*checks: CheckIn, on: date = date(2026, 11, 30)):  # type: ignore[no-untyped-def]
    return programme_state(list(checks), on, FLAGS)


def test_required_red_flags_exist():
    for f in (
        "night_pain",
        "numbness_tingling",
        "cannot_bear_weight",
        "groin_pain_with_impact",
        "fever_or_unwell",
        "bladder_bowel",
    ):
        assert f in FLAGS
    for f in ("bladder_bowel", "cannot_bear_weight", "fever_or_unwell"):
        assert FLAGS[f].urgent
    assert FLAGS["groin_pain_with_impact"].stop_running


def test_pain_above_five_pauses_and_a_later_low_check_in_clears():
    s = state(CheckIn(D, 6), on=D)
    assert s.paused and s.level == "routine" and "clinician" in " ".join(s.advice)
    assert not state(CheckIn(D, 6), CheckIn(date(2026, 11, 4), 3)).paused
    assert state(CheckIn(D, 6), CheckIn(date(2026, 11, 4), 4)).paused  # 4 is not clear
    assert state(CheckIn(D, 6), CheckIn(D, 0)).paused  # same day does not clear


def test_urgent_flags_say_urgent_care_and_need_a_clinician_to_clear():
    s = state(CheckIn(D, 2, ("bladder_bowel",)))
    assert s.paused and s.level == "urgent" and "urgent" in " ".join(s.advice).lower()
    assert state(CheckIn(D, 2, ("night_pain",)), CheckIn(date(2026, 11, 5), 0)).paused
    cleared = state(CheckIn(D, 2, ("night_pain",)), CheckIn(date(2026, 11, 5), 0, (), True))
    assert not cleared.paused


def test_groin_pain_with_impact_says_stop_running():
    s = state(CheckIn(D, 3, ("groin_pain_with_impact",)))
    assert s.paused and s.stop_running

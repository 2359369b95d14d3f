from datetime import date, timedelta

from triplane.core.catalogue import load_catalogue
from triplane.core.lunge import plan_direction, start_prescription
from triplane.core.records import CheckIn, LungeLog
from triplane.core.safety import pause_periods

CAT = load_catalogue()
M = CAT.lunge
D0 = date(2026, 11, 2)


def order(_day):  # type: ignore[no-untyped-def]
    return M.default_order


def session(day: date, logs, **kw):  # type: ignore[no-untyped-def]
    p = plan_direction(M, "anterior", logs, pause_periods([], logs), day, order)
    defaults = dict(reps=p.prescription.reps, discomfort=2, balance_ok=True)
    defaults.update(kw)
    return p, LungeLog(day, "anterior", prescription=p.prescription, **defaults)


def test_start_is_body_weight_short_flat_slow_stable_five_reps():
    p = start_prescription(M, "anterior").as_dict()
    assert p["load"] == "bodyweight" and p["range"] == "short" and p["environment"] == "flat"
    assert p["speed"] == "slow" and p["stability"] == "stable" and p["reps"] == 5


def test_two_good_sessions_advance_exactly_one_variable_in_order():
    logs: list[LungeLog] = []
    p0, g = session(D0, logs)
    logs.append(g)
    p1, g = session(D0 + timedelta(days=2), logs)
    assert p1.prescription == p0.prescription  # one good session: hold
    logs.append(g)
    p2, _ = session(D0 + timedelta(days=4), logs)
    changed = [
        v
        for (v, a), (_, b) in zip(p0.prescription.levels, p2.prescription.levels, strict=True)
        if a != b
    ]
    assert changed == [M.default_order[0]]
    assert p2.status == "progress"


def test_discomfort_four_or_missed_reps_hold():
    logs: list[LungeLog] = []
    for i, kw in enumerate([{}, {"discomfort": 4}, {}, {"reps": 3}]):
        _, g = session(D0 + timedelta(days=2 * i), logs, **kw)
        logs.append(g)
    p, _ = session(D0 + timedelta(days=10), logs)
    assert p.prescription == start_prescription(M, "anterior")


def test_lost_balance_steps_back_the_last_change():
    logs: list[LungeLog] = []
    for i in range(2):
        _, g = session(D0 + timedelta(days=2 * i), logs)
        logs.append(g)
    advanced, g = session(D0 + timedelta(days=4), logs, balance_ok=False)
    assert advanced.prescription != start_prescription(M, "anterior")
    logs.append(g)
    back, _ = session(D0 + timedelta(days=6), logs)
    assert back.prescription == start_prescription(M, "anterior")
    assert back.status == "regress"


def test_sharp_pain_pauses_until_a_clear_check_in_then_restarts_two_steps_below():
    logs: list[LungeLog] = []
    for i in range(2):
        _, g = session(D0 + timedelta(days=2 * i), logs)
        logs.append(g)
    advanced, g = session(D0 + timedelta(days=4), logs, sharp_pain=True)
    logs.append(g)
    paused = plan_direction(
        M, "anterior", logs, pause_periods([], logs), D0 + timedelta(days=6), order
    )
    assert paused.status == "paused"
    clear = [CheckIn(D0 + timedelta(days=7), pain=1)]
    after = plan_direction(
        M, "anterior", logs, pause_periods(clear, logs), D0 + timedelta(days=8), order
    )
    assert after.status == "restart"
    # two steps below the level that hurt (medium range): the range raised last goes back to
    # short, and with nothing else raised, a hand on a wall for balance
    assert after.prescription == start_prescription(M, "anterior").with_level(
        "stability", "supported"
    )
    assert "two steps below the level that hurt" in after.why


def test_the_ladder_order_is_a_dated_setting():
    logs: list[LungeLog] = []
    for i in range(2):
        _, g = session(D0 + timedelta(days=2 * i), logs)
        logs.append(g)
    new_order = ("load",) + tuple(v for v in M.default_order if v != "load")
    p = plan_direction(M, "anterior", logs, [], D0 + timedelta(days=4), lambda _d: new_order)
    assert p.prescription.level("load") != "bodyweight"

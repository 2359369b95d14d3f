"""Issue 14 §2: the dose on a Today card is exactly the dose the drill page's timer runs, for
every snack of every day in generated weeks (the server's data, not the browser): the card's
text is the plan's `Slot.dose`; the timer item (web/timer.py) is built from the link's minutes
as the drill page parses them back."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from test_plan_day import CAT, MONDAY, athletes, planner_for

from triplane.core import dose as doses
from triplane.web.timer import slot_item, timer_item


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(athletes())
def test_the_card_dose_is_the_timer_dose_for_every_snack(case):  # type: ignore[no-untyped-def]
    s, events, logs = case
    planner = planner_for(s, events, logs)
    for day in planner.week(MONDAY):
        for i, slot in enumerate(day.slots):
            card = {**slot.as_dict(), "index": i, "client_id": f"snack-{i}"}
            when = day.date + timedelta(days=slot.day_offset)
            item = slot_item(CAT, card, when)
            # the Today page and the drill page: one dose, in words and in phases
            assert item["doseText"] == slot.dose == card["dose"]
            assert item["phases"] == [p.as_dict() for p in doses.phases(slot.prescribed)]
            assert item["seconds"] == card["dose_detail"]["seconds"]
            # the link's minutes, parsed back as the drill page does, give the same item
            minutes = float(str(card["minutes"]))
            again = timer_item(CAT.drills[slot.drill.id], minutes, when, f"snack-{i}", None)
            assert again["doseText"] == item["doseText"] and again["phases"] == item["phases"]
            if doses.fits(slot.drill.dose, slot.minutes):
                assert sum(p["secs"] for p in item["phases"]) <= slot.minutes * 60
            # every phase says what the body does, and a per-side dose says which side
            assert {p["kind"] for p in item["phases"]} <= {
                "ready",
                "move",
                "hold",
                "relax",
                "switch",
                "rest",
            }
            if slot.prescribed.per_side:
                assert all(p["side"] in ("left", "right") for p in item["phases"])

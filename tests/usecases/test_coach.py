"""The coach's use cases on a real SQLite file (issue 14 §6): validation of pins, bans and holds,
the author of each settings entry, the coach's choices surviving export and import, and the
attention rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from triplane.core import coaching
from triplane.core.records import CheckIn, DrillLog
from triplane.core.settings import SettingsChange
from triplane.usecases.service import Invalid, open_service


def test_pins_bans_and_holds_are_checked_and_kept(db_url: str) -> None:
    with open_service(db_url) as svc:
        a = svc.add_athlete("Ada", tz="UTC")
        with pytest.raises(Invalid, match="not a drill"):
            svc.edit_athlete(a, SettingsChange(banned_drills=("no_such_drill",)))
        with pytest.raises(Invalid, match="1 to 7 days"):
            svc.edit_athlete(a, SettingsChange(pinned_drills=(("hip_airplane", 0),)))
        with pytest.raises(Invalid, match="cap or lock"):
            svc.edit_athlete(a, SettingsChange(lunge_holds=(("anterior", "freeze"),)))
        with pytest.raises(Invalid, match="not a lunge direction"):
            svc.edit_athlete(a, SettingsChange(lunge_holds=(("sideways", "cap"),)))
        svc.edit_athlete(
            a,
            SettingsChange(
                banned_drills=("pigeon",),
                pinned_drills=(("hip_airplane", 4),),
                lunge_holds=(("anterior", "lock"),),
            ),
            author=("Sam", "coach"),
        )
        s = svc.settings_on(a, a.today())
        assert s.banned_drills == ("pigeon",)
        assert s.pinned_drills == (("hip_airplane", 4),)
        assert s.lunge_holds == (("anterior", "lock"),)
        history = svc.settings_history(a)
        assert history[-1]["author"] == "Sam" and history[-1]["author_role"] == "coach"
        said = [c.text() for c in history[-1]["changes"]]
        assert "Drills left out: none → Pigeon stretch" in said
        assert "Drills pinned: none → Hip airplane (4 days a week)" in said
        assert history[0]["author"] is None  # made by the command line
        exported = svc.export()
    with open_service(db_url.replace(".sqlite3", "-copy.sqlite3")) as other:
        other.import_(exported)
        b = other.athlete("Ada")
        assert other.settings_on(b, b.today()).lunge_holds == (("anterior", "lock"),)
        assert other.settings_history(b)[-1]["author"] == "Sam"


def test_attention_puts_paused_then_pain_then_falling_adherence_first() -> None:
    today = date(2026, 12, 4)
    hurt = coaching.pain_reports(today, [DrillLog(today, "pigeon", 2, discomfort=7)], [], [])
    assert hurt == ["pigeon 7/10 on Fri 04 Dec"]
    assert coaching.pain_reports(today, [], [], [CheckIn(today - timedelta(days=9), 8)]) == []
    paused = coaching.attention(True, hurt, 0.9, 0.9)
    pain = coaching.attention(False, hurt, 0.9, 0.9)
    falling = coaching.attention(False, [], 0.5, 0.9)
    low = coaching.attention(False, [], 0.2, None)
    fine = coaching.attention(False, [], 0.8, 0.85)
    no_plan = coaching.attention(False, [], None, None)
    assert [x.rank for x in (paused, pain, falling, low, fine, no_plan)] == [0, 1, 2, 2, 3, 3]
    assert paused.reasons[0] == "paused by safety"
    assert falling.reasons == ("adherence falling: 50% in the last 7 days",)

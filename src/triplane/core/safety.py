"""Pain, discomfort and red flags -> decisions and advice. Never a diagnosis.

Thresholds follow the pain-monitoring model (Silbernagel 2007, via BIM): pain up to 3/10 is
fine, 4-5 acceptable, above 5 not acceptable. Red flags come from the catalogue (GPO, PTP, VML).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from triplane.core.catalogue.model import RedFlag
from triplane.core.records import CheckIn, DrillLog, LungeLog

SAFE_MAX = 3  # discomfort up to this is fine: progress
ACCEPTABLE_MAX = 5  # 4-5: hold; above: stop
CLEAR_CHECK_IN_MAX = 3  # a check-in at or below this, with no flags, ends a pause
HIGH_DISCOMFORT_WINDOW_DAYS = 14  # a drill logged above 5 rests this long; advice at 2 in it
REPEATED_HIGH_DISCOMFORT = 2  # this many drill logs above 5 in the window -> clinician advice
DRILL_PAUSE_MAX = 7  # a drill logged above this pauses the programme at once (level urgent)
DRILL_PAUSE_WINDOW_DAYS = 7  # two drill logs above 5 within this many days pause (routine)

TARGET_SENSATION = (
    "Aim for a mild stretch or effort, at most 3-4 out of 10, never extreme discomfort. "
    "Move slowly and stay in control; sharp, pinching or joint pain means stop."
)
STOP_AND_SEE = "Stop the programme and see a clinician (doctor or physiotherapist)."
URGENT = "Get urgent medical care today."


@dataclass(frozen=True)
class SafetyState:
    paused: bool
    level: str  # none | routine | urgent
    advice: tuple[str, ...]
    stop_running: bool = False
    paused_since: date | None = None
    needs_clearance: bool = False  # the pause ends only with a clinician's clearance

    def as_dict(self) -> dict[str, object]:
        return {
            "paused": self.paused,
            "level": self.level,
            "advice": " ".join(self.advice),
            "stop_running": self.stop_running,
        }


SAFE = SafetyState(paused=False, level="none", advice=())


@dataclass(frozen=True)
class PausePeriod:
    start: date
    end: date | None  # the date of the clearing check-in; None while still paused


@dataclass(frozen=True)
class Trigger:
    """Something that pauses: a check-in (pain above 5, a red flag), drills that hurt, or a
    lunge session that hurt (which pauses the lunge matrix only)."""

    date: date
    recorded: datetime | None
    level: str  # routine | urgent
    advice: str
    needs_clearance: bool = False
    stop_running: bool = False
    urgent_care: bool = False  # say "get urgent medical care today"
    lunge_only: bool = False


def check_in_pauses(check_in: CheckIn) -> bool:
    return bool(check_in.flags) or check_in.pain > ACCEPTABLE_MAX


def check_in_clears(check_in: CheckIn, needs_clearance: bool) -> bool:
    ok = not check_in.flags and check_in.pain <= CLEAR_CHECK_IN_MAX
    return ok and (check_in.cleared_by_clinician or not needs_clearance)


def _advice_for(check_in: CheckIn, red_flags: Mapping[str, RedFlag]) -> tuple[str, bool, bool]:
    """(advice, urgent, stop_running) for one pausing check-in."""
    parts: list[str] = []
    urgent = stop_running = False
    for flag_id in check_in.flags:
        flag = red_flags.get(flag_id)
        if flag is None:  # only dates matter to the caller (pause_periods)
            continue
        parts.append(flag.advice)
        urgent = urgent or flag.urgent
        stop_running = stop_running or flag.stop_running
    if check_in.pain > ACCEPTABLE_MAX:
        parts.append(f"Pain of {check_in.pain}/10 is more than exercise should cause.")
    return " ".join(parts), urgent, stop_running


def _check_in_trigger(check_in: CheckIn, red_flags: Mapping[str, RedFlag]) -> Trigger:
    text, urgent, stop_running = _advice_for(check_in, red_flags)
    return Trigger(
        check_in.date,
        check_in.recorded,
        "urgent" if urgent else "routine",
        text,
        needs_clearance=bool(check_in.flags),
        stop_running=stop_running,
        urgent_care=urgent,
    )


def _hurt(g: DrillLog) -> bool:
    return not g.skipped and g.discomfort is not None and g.discomfort > ACCEPTABLE_MAX


def _label(drill_id: str, names: Mapping[str, str] | None) -> str:
    return (names or {}).get(drill_id) or drill_id.replace("_", " ")


def _when(recorded: datetime | None) -> tuple[bool, datetime]:
    # Within a day, entries go in the order they were entered; one without an entry time sorts
    # after those with one, so a clearance never ends a pause it cannot be shown to follow.
    return (recorded is None, recorded or datetime.min)


def drill_pain_triggers(
    drill_logs: Iterable[DrillLog], names: Mapping[str, str] | None = None
) -> list[Trigger]:
    """Drill pain that pauses the programme (domain reference §5c): any drill logged above 7/10
    (level urgent, and it takes a clinician's clearance to resume), or a second drill log above
    5/10 within 7 days of another (level routine)."""
    hurt = sorted(
        (g for g in drill_logs if _hurt(g)), key=lambda g: (g.date, _when(g.recorded), g.id or 0)
    )
    out: list[Trigger] = []
    for i, g in enumerate(hurt):
        assert g.discomfort is not None
        if g.discomfort > DRILL_PAUSE_MAX:
            out.append(
                Trigger(
                    g.date,
                    g.recorded,
                    "urgent",
                    f"{_label(g.drill, names)} hurt {g.discomfort}/10 on {g.date}: far more "
                    "than a drill should ever cause. If the pain is severe or does not settle, "
                    "get medical care today.",
                    needs_clearance=True,
                )
            )
            continue
        earlier = [h for h in hurt[:i] if (g.date - h.date).days < DRILL_PAUSE_WINDOW_DAYS]
        if earlier:
            h = earlier[-1]
            out.append(
                Trigger(
                    g.date,
                    g.recorded,
                    "routine",
                    f"Two drills hurt more than {ACCEPTABLE_MAX}/10 within "
                    f"{DRILL_PAUSE_WINDOW_DAYS} days ({_label(h.drill, names)} "
                    f"{h.discomfort}/10 on {h.date}, {_label(g.drill, names)} "
                    f"{g.discomfort}/10 on {g.date}).",
                )
            )
    return out


def _lunge_triggers(lunge_logs: Iterable[LungeLog]) -> list[Trigger]:
    return [
        Trigger(
            g.date,
            g.recorded,
            "routine",
            f"A lunge session hurt (sharp pain or discomfort above {ACCEPTABLE_MAX}/10).",
            lunge_only=True,
        )
        for g in lunge_logs
        if lunge_log_pauses(g)
    ]


@dataclass
class _Walk:
    """The pause history, replayed in the order things happened."""

    state: SafetyState = SAFE
    last_trigger: date | None = None
    lunge_only: bool = False  # every trigger of the current pause was a lunge session
    periods: list[PausePeriod] = field(default_factory=list)
    refusals: dict[CheckIn, str | None] = field(default_factory=dict)  # clearances: why not

    def pause(self, t: Trigger) -> None:
        was = self.state if self.state.paused else None
        urgent_care = t.urgent_care or (was is not None and URGENT in was.advice)
        level = "urgent" if t.level == "urgent" or (was and was.level == "urgent") else "routine"
        self.state = SafetyState(
            paused=True,
            level=level,
            advice=tuple(a for a in (URGENT if urgent_care else STOP_AND_SEE, t.advice) if a),
            stop_running=t.stop_running or (was is not None and was.stop_running),
            paused_since=was.paused_since if was else t.date,
            needs_clearance=t.needs_clearance or (was is not None and was.needs_clearance),
        )
        self.lunge_only = t.lunge_only and (was is None or self.lunge_only)
        self.last_trigger = t.date
        if was is None:
            self.periods.append(PausePeriod(t.date, None))

    def refusal(self, c: CheckIn) -> str | None:
        """Why this (non-pausing) check-in does not end the pause in force, or None if it does."""
        if c.pain > CLEAR_CHECK_IN_MAX:
            return (
                f"pain {c.pain}/10 is above {CLEAR_CHECK_IN_MAX}/10; the pause ends with a "
                f"check-in with pain at most {CLEAR_CHECK_IN_MAX}/10"
            )
        if self.state.needs_clearance and not c.cleared_by_clinician:
            return "this pause ends only once a clinician has cleared you to train"
        if (
            not c.cleared_by_clinician
            and self.last_trigger is not None
            and c.date <= self.last_trigger
        ):
            return (
                f"the pause began on {self.last_trigger}; it ends with a check-in on a later "
                "day, or the same day with a clinician's clearance"
            )
        return None

    def check_in(self, c: CheckIn, red_flags: Mapping[str, RedFlag]) -> None:
        if check_in_pauses(c):
            if c.cleared_by_clinician:
                what = (
                    f"it records pain {c.pain}/10, above {ACCEPTABLE_MAX}/10"
                    if c.pain > ACCEPTABLE_MAX
                    else "it ticks a red flag"
                )
                self.refusals[c] = what + ", which itself pauses the programme"
            self.pause(_check_in_trigger(c, red_flags))
            return
        if not self.state.paused:
            if c.cleared_by_clinician:
                self.refusals[c] = f"there was no pause to clear on {c.date}"
            return
        why: str | None = self.refusal(c)
        if c.cleared_by_clinician:
            self.refusals[c] = why
        if why is None:
            self.periods[-1] = PausePeriod(self.periods[-1].start, c.date)
            self.state = SAFE
            self.lunge_only = False
            self.last_trigger = None


def _walk(
    check_ins: Iterable[CheckIn],
    triggers: Iterable[Trigger],
    as_of: date,
    red_flags: Mapping[str, RedFlag],
) -> _Walk:
    # At the same entry time (to the second) what pauses comes first, then the check-in.
    events: list[tuple[date, tuple[bool, datetime], int, int, CheckIn | Trigger]] = [
        (c.date, _when(c.recorded), 1, c.id or 0, c) for c in check_ins
    ]
    events += [(t.date, _when(t.recorded), 0, 0, t) for t in triggers]
    events.sort(key=lambda e: e[:4])
    walk = _Walk()
    for day, _, _, _, event in events:
        if day > as_of:
            break
        if isinstance(event, CheckIn):
            walk.check_in(event, red_flags)
        else:
            walk.pause(event)
    return walk


def _how_it_ends(state: SafetyState) -> SafetyState:
    if not state.paused:
        return state
    if state.needs_clearance:
        end = "The pause ends with a check-in once a clinician has cleared you to train."
    else:
        end = (
            f"The pause ends with a check-in on a later day with pain at most "
            f"{CLEAR_CHECK_IN_MAX}/10 and no flags "
            "(or the same day, once a clinician has cleared you)."
        )
    return replace(state, advice=state.advice + (end,))


def programme_state(
    check_ins: Iterable[CheckIn],
    as_of: date,
    red_flags: Mapping[str, RedFlag],
    drill_logs: Iterable[DrillLog] = (),
    names: Mapping[str, str] | None = None,
) -> SafetyState:
    """Whether the whole programme is paused on `as_of`, derived from the log up to it.

    A check-in with pain above 5 or any red flag pauses, and so does drill pain (a drill above
    7/10, or two above 5/10 within 7 days). The pause ends with a check-in with pain at most 3
    and no flags, on a later day than what paused it, or the same day with a clinician's
    clearance; after a red flag or a drill above 7/10, only with a clinician's clearance.
    """
    walk = _walk(check_ins, drill_pain_triggers(drill_logs, names), as_of, red_flags)
    return _how_it_ends(walk.state)


def clearance_refusals(
    check_ins: Iterable[CheckIn],
    red_flags: Mapping[str, RedFlag],
    drill_logs: Iterable[DrillLog] = (),
    lunge_logs: Iterable[LungeLog] = (),
) -> dict[CheckIn, str | None]:
    """For each check-in given with a clinician's clearance: None when it ended the pause in
    force (of the programme, or of the lunge matrix), else the reason it did not."""
    triggers = drill_pain_triggers(drill_logs) + _lunge_triggers(lunge_logs)
    return _walk(check_ins, triggers, date.max, red_flags).refusals


def pause_periods(
    check_ins: Iterable[CheckIn],
    lunge_logs: Iterable[LungeLog] = (),
    drill_logs: Iterable[DrillLog] = (),
) -> list[PausePeriod]:
    """Every pause in the history: of the whole programme (check-ins, drill pain) and of the
    lunge matrix (sessions with sharp pain or discomfort above 5). Used to restart lunges one
    step back."""
    triggers = drill_pain_triggers(drill_logs) + _lunge_triggers(lunge_logs)
    return _walk(list(check_ins), triggers, date.max, {}).periods


def lunge_log_pauses(log: LungeLog) -> bool:
    return log.sharp_pain or log.discomfort > ACCEPTABLE_MAX


def lunge_state(
    check_ins: Sequence[CheckIn],
    lunge_logs: Sequence[LungeLog],
    as_of: date,
    red_flags: Mapping[str, RedFlag],
    drill_logs: Sequence[DrillLog] = (),
    names: Mapping[str, str] | None = None,
) -> SafetyState:
    """The lunge matrix is paused by the whole programme's pause, or by its own painful session."""
    programme = programme_state(check_ins, as_of, red_flags, drill_logs, names)
    if programme.paused:
        return programme
    triggers = drill_pain_triggers(drill_logs) + _lunge_triggers(lunge_logs)
    walk = _walk(check_ins, triggers, as_of, red_flags)
    if walk.state.paused:
        return SafetyState(
            paused=True,
            level="routine",
            advice=(
                f"A lunge session hurt (sharp pain or discomfort above {ACCEPTABLE_MAX}/10). "
                + STOP_AND_SEE,
                "The lunge matrix stays paused until a check-in on a later day with pain at "
                f"most {CLEAR_CHECK_IN_MAX}/10 and no flags (or the same day, once a clinician "
                "has cleared you); "
                "it then restarts two steps below the level that hurt.",
            ),
            paused_since=walk.state.paused_since,
        )
    return programme


def high_discomfort_drills(drill_logs: Iterable[DrillLog], as_of: date) -> list[DrillLog]:
    """Drill logs in the recent window with discomfort above 5."""
    since = as_of - timedelta(days=HIGH_DISCOMFORT_WINDOW_DAYS)
    return [
        g
        for g in drill_logs
        if since <= g.date < as_of
        and not g.skipped
        and g.discomfort is not None
        and g.discomfort > ACCEPTABLE_MAX
    ]


def resting_drills(drill_logs: Iterable[DrillLog], as_of: date) -> dict[str, DrillLog]:
    """Drills not to offer on `as_of`: logged above 5/10 in the last 14 days, and not logged at
    3/10 or less since (the latest painful log of each)."""
    logs = list(drill_logs)
    out: dict[str, DrillLog] = {}
    for h in sorted(high_discomfort_drills(logs, as_of), key=lambda h: h.date):
        out[h.drill] = h
    for g in logs:
        if (
            g.drill in out
            and out[g.drill].date < g.date < as_of
            and not g.skipped
            and g.discomfort is not None
            and g.discomfort <= SAFE_MAX
        ):
            del out[g.drill]
    return out


def recently_hurt(drill_logs: Iterable[DrillLog], as_of: date) -> frozenset[str]:
    """Drills logged above 5/10 in the last 14 days: a swap never picks one of them."""
    return frozenset(g.drill for g in high_discomfort_drills(drill_logs, as_of))


def repeated_discomfort_advice(drill_logs: Iterable[DrillLog], as_of: date) -> str | None:
    high = high_discomfort_drills(drill_logs, as_of)
    if len(high) >= REPEATED_HIGH_DISCOMFORT:
        return (
            f"{len(high)} drills in the last {HIGH_DISCOMFORT_WINDOW_DAYS} days hurt more than "
            f"{ACCEPTABLE_MAX}/10. Drills should never hurt like that: please see a clinician "
            "(doctor or physiotherapist) before pushing on, and keep every drill in the "
            "pain-free range."
        )
    return None

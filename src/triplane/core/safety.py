"""Pain, discomfort and red flags -> decisions and advice. Never a diagnosis.

Thresholds follow the pain-monitoring model (Silbernagel 2007, via BIM): pain up to 3/10 is
fine, 4-5 acceptable, above 5 not acceptable. Red flags come from the catalogue (GPO, PTP, VML).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from triplane.core.catalogue.model import RedFlag
from triplane.core.records import CheckIn, DrillLog, LungeLog

SAFE_MAX = 3  # discomfort up to this is fine: progress
ACCEPTABLE_MAX = 5  # 4-5: hold; above: stop
CLEAR_CHECK_IN_MAX = 3  # a check-in at or below this, with no flags, ends a pause
HIGH_DISCOMFORT_WINDOW_DAYS = 14
REPEATED_HIGH_DISCOMFORT = 2  # this many drill logs above 5 in the window -> clinician advice

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
    needs_clearance: bool = False  # a red flag: the pause ends only with --cleared-by-clinician

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
        flag = red_flags[flag_id]
        parts.append(flag.advice)
        urgent = urgent or flag.urgent
        stop_running = stop_running or flag.stop_running
    if check_in.pain > ACCEPTABLE_MAX:
        parts.append(f"Pain of {check_in.pain}/10 is more than exercise should cause.")
    return " ".join(parts), urgent, stop_running


def programme_state(
    check_ins: Iterable[CheckIn], as_of: date, red_flags: Mapping[str, RedFlag]
) -> SafetyState:
    """Whether the whole programme is paused on `as_of`, derived from the check-ins up to it.

    A check-in with pain above 5 or any red flag pauses. The pause ends with a check-in on a
    later date with pain at most 3 and no flags, and, after a red flag, cleared by a clinician.
    """
    state = SAFE
    for check_in in sorted(check_ins, key=lambda c: (c.date, c.id or 0)):
        if check_in.date > as_of:
            break
        if check_in_pauses(check_in):
            text, urgent, stop_running = _advice_for(check_in, red_flags)
            was = state if state.paused else None
            advice = [URGENT if (urgent or (was and was.level == "urgent")) else STOP_AND_SEE]
            advice.append(text)
            state = SafetyState(
                paused=True,
                level="urgent"
                if urgent or (was is not None and was.level == "urgent")
                else "routine",
                advice=tuple(a for a in advice if a),
                stop_running=stop_running or (was is not None and was.stop_running),
                paused_since=was.paused_since if was else check_in.date,
                needs_clearance=bool(check_in.flags) or (was is not None and was.needs_clearance),
            )
        elif (
            state.paused
            and state.paused_since is not None
            and check_in.date > state.paused_since
            and check_in_clears(check_in, state.needs_clearance)
        ):
            state = SAFE
    if state.paused and state.needs_clearance:
        state = SafetyState(
            paused=True,
            level=state.level,
            advice=state.advice
            + ("The pause ends with a check-in once a clinician has cleared you to train.",),
            stop_running=state.stop_running,
            paused_since=state.paused_since,
            needs_clearance=True,
        )
    elif state.paused:
        state = SafetyState(
            paused=True,
            level=state.level,
            advice=state.advice
            + (
                "The pause ends with a check-in on a later day with pain at most 3/10 "
                "and no flags.",
            ),
            stop_running=state.stop_running,
            paused_since=state.paused_since,
            needs_clearance=False,
        )
    return state


def pause_periods(
    check_ins: Iterable[CheckIn], lunge_logs: Iterable[LungeLog] = ()
) -> list[PausePeriod]:
    """Every pause in the history: from check-ins (whole programme) and from lunge sessions with
    sharp pain or discomfort above 5 (the lunge matrix). Used to restart lunges one step back."""
    starts: list[tuple[date, bool]] = []  # (date, needs_clearance)
    for c in check_ins:
        if check_in_pauses(c):
            starts.append((c.date, bool(c.flags)))
    for log in lunge_logs:
        if lunge_log_pauses(log):
            starts.append((log.date, False))
    ordered = sorted(check_ins, key=lambda c: (c.date, c.id or 0))
    periods: list[PausePeriod] = []
    for start, needs_clearance in sorted(starts):
        if periods and (periods[-1].end is None or periods[-1].end >= start):
            continue  # already inside a pause
        end = None
        for c in ordered:
            if c.date > start and not check_in_pauses(c):
                if check_in_clears(c, needs_clearance):
                    end = c.date
                    break
            elif c.date > start and c.flags:
                needs_clearance = True
        periods.append(PausePeriod(start, end))
    return periods


def lunge_log_pauses(log: LungeLog) -> bool:
    return log.sharp_pain or log.discomfort > ACCEPTABLE_MAX


def lunge_state(
    check_ins: Sequence[CheckIn],
    lunge_logs: Sequence[LungeLog],
    as_of: date,
    red_flags: Mapping[str, RedFlag],
) -> SafetyState:
    """The lunge matrix is paused by the whole programme's pause, or by its own painful session."""
    programme = programme_state(check_ins, as_of, red_flags)
    if programme.paused:
        return programme
    for period in pause_periods(check_ins, [g for g in lunge_logs if g.date <= as_of]):
        if period.start <= as_of and (period.end is None or period.end > as_of):
            return SafetyState(
                paused=True,
                level="routine",
                advice=(
                    "A lunge session hurt (sharp pain or discomfort above 5/10). " + STOP_AND_SEE,
                    "The lunge matrix stays paused until a check-in on a later day with pain at "
                    "most 3/10 and no flags; it then restarts two steps below the level that hurt.",
                ),
                paused_since=period.start,
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


def repeated_discomfort_advice(drill_logs: Iterable[DrillLog], as_of: date) -> str | None:
    high = high_discomfort_drills(drill_logs, as_of)
    if len(high) >= REPEATED_HIGH_DISCOMFORT:
        return (
            f"{len(high)} drills in the last {HIGH_DISCOMFORT_WINDOW_DAYS} days hurt more than "
            "5/10. Drills should never hurt like that: please see a clinician (doctor or "
            "physiotherapist) before pushing on, and keep every drill in the pain-free range."
        )
    return None

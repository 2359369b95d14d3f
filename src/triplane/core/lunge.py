"""The lunge matrix: the next prescription of each direction is a pure function of the log.

Rules (method §4; domain reference §4c; Liftosaur's explicit "success"):
- start at the bottom of every ladder: body weight, short range, flat, slow, stable, 5 reps a side;
- a session is all logs of one direction on one date; it succeeds when every prescribed rep was
  done, balance was kept, discomfort was at most 3 and nothing was sharp;
- two successful sessions in a row at the same prescription advance exactly one variable, the
  first in the (coach-changeable) order whose ladder has a step left;
- discomfort 4-5 or fewer reps: hold; balance lost: step back the last change;
- discomfort above 5 or sharp pain (or any programme pause): paused until a clear check-in, then
  restart one step back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from triplane.core.catalogue.model import LungeMatrix
from triplane.core.records import LungeLog, Prescription
from triplane.core.safety import ACCEPTABLE_MAX, SAFE_MAX, PausePeriod

SUCCESSES_TO_ADVANCE = 2
VARIABLES = ("load", "range", "environment", "speed", "stability", "duration")


@dataclass(frozen=True)
class DirectionPlan:
    prescription: Prescription
    status: str  # start | progress | hold | regress | restart | paused | capped
    reason: str
    successes: int  # successful sessions in a row at this prescription
    changed: str | None = None  # the variable that changed last time, if any

    def as_dict(self, matrix: LungeMatrix) -> dict[str, object]:
        out = self.prescription.as_dict()
        out["name"] = matrix.direction(self.prescription.direction).name
        out["status"] = self.status
        out["reason"] = self.reason
        return out


def start_prescription(matrix: LungeMatrix, direction: str) -> Prescription:
    levels = tuple((v, matrix.ladders[v].steps[0].id) for v in VARIABLES)
    return Prescription(direction, levels, _reps_for(matrix, levels))


def _reps_for(matrix: LungeMatrix, levels: tuple[tuple[str, str], ...]) -> int:
    duration = matrix.ladders["duration"]
    step = duration.steps[duration.index(dict(levels)["duration"])]
    return step.reps if step.reps is not None else matrix.start_reps


def advance(
    matrix: LungeMatrix, p: Prescription, order: Sequence[str]
) -> tuple[Prescription, str | None]:
    """Advance exactly one variable: the first in `order` with a step left."""
    for variable in order:
        ladder = matrix.ladders[variable]
        i = ladder.index(p.level(variable))
        if i + 1 < len(ladder.steps):
            levels = tuple((v, ladder.steps[i + 1].id if v == variable else s) for v, s in p.levels)
            return Prescription(p.direction, levels, _reps_for(matrix, levels)), variable
    return p, None


def _session_outcome(logs: Sequence[LungeLog]) -> tuple[str, str]:
    """(outcome, reason) of one session: success | hold | balance | stop."""
    worst = max(g.discomfort for g in logs)
    if any(g.sharp_pain for g in logs):
        return "stop", "sharp pain"
    if worst > ACCEPTABLE_MAX:
        return "stop", f"discomfort {worst}/10"
    if any(not g.balance_ok for g in logs):
        return "balance", "balance was lost"
    prescribed = logs[-1].prescription.reps
    done = min(g.reps for g in logs)
    if done < prescribed:
        return "hold", f"{done} of {prescribed} reps"
    if worst > SAFE_MAX:
        return "hold", f"discomfort {worst}/10 (hold until it is 3 or less)"
    return "success", "all reps, balance kept, discomfort 3 or less"


def plan_direction(
    matrix: LungeMatrix,
    direction: str,
    logs: Sequence[LungeLog],
    pauses: Sequence[PausePeriod],
    as_of: date,
    order_on: Callable[[date], Sequence[str]],
) -> DirectionPlan:
    """The prescription for `direction` on `as_of`, replaying the log up to the day before.

    `order_on(day)` gives the ladder order in force on a day (settings are dated entries).
    """
    by_date: dict[date, list[LungeLog]] = {}
    for g in sorted(logs, key=lambda g: (g.date, g.id or 0)):
        if g.direction == direction and g.date < as_of:
            by_date.setdefault(g.date, []).append(g)

    current = start_prescription(matrix, direction)
    history: list[Prescription] = []  # prescriptions before each change, to step back
    plan = DirectionPlan(current, "start", "Start easy: body weight, short, slow and stable.", 0)
    resumed: set[date] = set()

    for day in sorted(by_date):
        # A pause that ended before this session and after the previous one: restart one back.
        plan, current, history = _apply_restarts(pauses, resumed, day, plan, current, history)
        session = by_date[day]
        done_at = session[-1].prescription
        if done_at != current:
            # The log keeps its meaning: judge the session by what was prescribed that day.
            if done_at != (history[-1] if history else None):
                history.append(current)
            current = done_at
            plan = DirectionPlan(current, plan.status, plan.reason, 0, plan.changed)
        outcome, why = _session_outcome(session)
        if outcome == "success":
            successes = plan.successes + 1
            if successes >= SUCCESSES_TO_ADVANCE:
                nxt, variable = advance(matrix, current, order_on(day))
                if variable is None:
                    plan = DirectionPlan(
                        current, "capped", "Top of every ladder: keep it up.", successes
                    )
                else:
                    history.append(current)
                    current = nxt
                    plan = DirectionPlan(
                        current,
                        "progress",
                        f"Two good sessions in a row: {variable} goes up one step.",
                        0,
                        variable,
                    )
            else:
                plan = DirectionPlan(
                    current,
                    "hold",
                    "One good session: one more and it progresses.",
                    successes,
                    plan.changed,
                )
        elif outcome == "hold":
            plan = DirectionPlan(current, "hold", f"Hold: {why}.", 0, plan.changed)
        elif outcome == "balance":
            current, history, changed = _step_back(current, history)
            plan = DirectionPlan(current, "regress", f"Step back{_what(changed)}: {why}.", 0, None)
        else:  # stop
            plan = DirectionPlan(current, "paused", f"Paused: {why}.", 0, plan.changed)

    plan, current, history = _apply_restarts(
        pauses, resumed, as_of, plan, current, history, inclusive=True
    )
    return plan


def _apply_restarts(
    pauses: Sequence[PausePeriod],
    resumed: set[date],
    before: date,
    plan: DirectionPlan,
    current: Prescription,
    history: list[Prescription],
    inclusive: bool = False,
) -> tuple[DirectionPlan, Prescription, list[Prescription]]:
    for p in pauses:
        if p.end is None or p.start in resumed:
            continue
        if (p.end < before or (inclusive and p.end <= before)) and p.start < before:
            resumed.add(p.start)
            current, history, changed = _step_back(current, history)
            plan = DirectionPlan(
                current,
                "restart",
                f"Cleared after a pause: restart one step back{_what(changed)}.",
                0,
                None,
            )
    return plan, current, history


def _step_back(
    current: Prescription, history: list[Prescription]
) -> tuple[Prescription, list[Prescription], str | None]:
    if not history:
        return current, history, None
    previous = history[-1]
    changed = next(
        (v for (v, a), (_, b) in zip(current.levels, previous.levels, strict=True) if a != b),
        None,
    )
    return previous, history[:-1], changed


def _what(variable: str | None) -> str:
    return f" on {variable}" if variable else ""


def cap_for_big_day(matrix: LungeMatrix, p: Prescription) -> Prescription:
    """Before a race or long run: no long range and no added load (the first load step)."""
    out = p
    load = matrix.ladders["load"]
    if out.level("load") != load.steps[0].id:
        out = out.with_level("load", load.steps[0].id)
    rng = matrix.ladders["range"]
    if rng.index(out.level("range")) >= len(rng.steps) - 1 and len(rng.steps) > 1:
        out = out.with_level("range", rng.steps[len(rng.steps) - 2].id)
    return out

"""The lunge matrix: the next prescription of each direction is a pure function of the log.

State is a position on each variable's ladder, per direction, replayed from the log (nothing is
stored that the log can give). Rules (method §4; domain reference §4c, §5c; issue 11):
- a new athlete starts at each ladder's start: body weight, short range, flat, slow, stable,
  5 reps a side (a ladder may have regression steps below its start: a hand on a wall, 3 reps);
- a session is all logs of one direction on one date; it is *clean* when every prescribed rep
  was done, balance held, discomfort was at most 3 and nothing was sharp;
- two clean sessions in a row at the level move exactly one variable up one step: the first in
  the (coach-editable) ladder order that has a step left and whose next step the catalogue's
  combination rules and trade-offs allow (variables below their start come back first). A
  trade-off may bring another variable down with it (more load: speed back to slow). When no
  variable can move, the level holds: maintenance;
- discomfort 4-5 or fewer reps: hold; balance lost: the variable raised last goes down a step;
- discomfort above 5 or sharp pain: the matrix pauses until a clear check-in, and then starts
  two steps below the level that hurt, on the variables raised last (after a pause for another
  reason: one step back);
- a capped session (48 h before a race or long run, the day after a race, a coach's cap) is
  prescribed below the level and is never history: logged, it counts neither as credit, nor as
  a failure, nor as a new level (pain still pauses: safety first).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from triplane.core.anatomy import WEEKDAYS
from triplane.core.catalogue.model import LungeMatrix, LungeRule
from triplane.core.records import Event, LungeLog, Prescription, Settings
from triplane.core.safety import ACCEPTABLE_MAX, SAFE_MAX, PausePeriod

SUCCESSES_TO_ADVANCE = 2  # clean sessions in a row that move one variable up one step
RESTART_STEPS = 2  # steps below the level that hurt, after a pause for pain
CAP_DAYS_BEFORE = 2  # a race or long run today or in the next 2 days caps the session (48 h)
VARIABLES = ("load", "range", "environment", "speed", "stability", "duration")
MAINTENANCE = "Maintenance: keep it crisp, or retest your hips."
# a coach's hold on one direction (Settings.lunge_holds): a cap prescribes the lighter session,
# a lock the level as it is; either way the session counts for nothing, so the level waits
HOLD_KINDS = ("cap", "lock")
HOLD_WHY = {
    "cap": "Your coach's cap on this direction",
    "lock": "Your coach holds this direction at its level",
}


@dataclass(frozen=True)
class DirectionPlan:
    prescription: Prescription  # what to do next (the lighter version on a capped day)
    # start | progress | hold | regress | restart | paused | capped | maintenance
    status: str
    reason: str  # why, in one or two sentences
    successes: int  # clean sessions in a row at the level
    changed: str | None = None  # the variable that changed last time, if any
    level: Prescription | None = None  # the level when capped (None: the prescription)
    capped: str | None = None  # why this session is capped, if it is

    @property
    def why(self) -> str:
        return self.reason

    @property
    def current(self) -> Prescription:
        """The level: the prescription, or on a capped day the level the cap is below."""
        return self.level or self.prescription

    def as_dict(self, matrix: LungeMatrix) -> dict[str, object]:
        out = self.prescription.as_dict()
        out["name"] = matrix.direction(self.prescription.direction).name
        out["status"] = self.status
        out["reason"] = self.reason
        out["why"] = self.reason
        out["level"] = dict(indexes(matrix, self.current))
        out["clean_sessions"] = self.successes
        out["capped"] = self.capped is not None
        out["capped_why"] = self.capped
        return out


# ---- the ladders -------------------------------------------------------------------------------


def indexes(matrix: LungeMatrix, p: Prescription) -> tuple[tuple[str, int], ...]:
    """The ladder index of each variable."""
    return tuple((v, matrix.ladders[v].index(p.level(v))) for v in VARIABLES)


def _at(matrix: LungeMatrix, p: Prescription, variable: str) -> int:
    return matrix.ladders[variable].index(p.level(variable))


def _put(matrix: LungeMatrix, p: Prescription, variable: str, i: int) -> Prescription:
    step = matrix.ladders[variable].steps[i].id
    levels = tuple((v, step if v == variable else s) for v, s in p.levels)
    return Prescription(p.direction, levels, _reps_for(matrix, levels))


def _reps_for(matrix: LungeMatrix, levels: tuple[tuple[str, str], ...]) -> int:
    duration = matrix.ladders["duration"]
    step = duration.steps[duration.index(dict(levels)["duration"])]
    return step.reps if step.reps is not None else matrix.start_reps


def start_prescription(matrix: LungeMatrix, direction: str) -> Prescription:
    levels = tuple((v, matrix.ladders[v].steps[matrix.ladders[v].start].id) for v in VARIABLES)
    return Prescription(direction, levels, _reps_for(matrix, levels))


def known(matrix: LungeMatrix, p: Prescription) -> bool:
    """Every step is one of today's catalogue (an old log may name steps no longer there)."""
    given = dict(p.levels)
    return all(
        v in given and any(s.id == given[v] for s in matrix.ladders[v].steps) for v in VARIABLES
    )


def easier_or_same(matrix: LungeMatrix, a: Prescription, b: Prescription) -> bool:
    """`a` is at or below `b` on every variable."""
    return all(_at(matrix, a, v) <= _at(matrix, b, v) for v in VARIABLES)


def strictly_easier(matrix: LungeMatrix, a: Prescription, b: Prescription) -> bool:
    """`a` is easier than `b` on at least one variable and harder on none."""
    return easier_or_same(matrix, a, b) and any(_at(matrix, a, v) < _at(matrix, b, v)
                                                for v in VARIABLES)  # fmt: skip


def _name(matrix: LungeMatrix, variable: str, step: str) -> str:
    if variable == "duration":
        ladder = matrix.ladders["duration"]
        return f"{ladder.steps[ladder.index(step)].reps} reps"
    return step.replace("_", " ")


def _from_to(matrix: LungeMatrix, variable: str, a: Prescription, b: Prescription) -> str:
    before, after = a.level(variable), b.level(variable)
    return f"{_name(matrix, variable, before)} to {_name(matrix, variable, after)}"


def _changes(
    matrix: LungeMatrix, a: Prescription, b: Prescription, instead: bool = False
) -> list[str]:
    """'range long to medium' (or 'range medium instead of long') for every variable that
    differs, in ladder order."""
    if instead:
        return [
            f"{v} {_name(matrix, v, b.level(v))} instead of {_name(matrix, v, a.level(v))}"
            for v in VARIABLES
            if a.level(v) != b.level(v)
        ]
    return [f"{v} {_from_to(matrix, v, a, b)}" for v in VARIABLES if a.level(v) != b.level(v)]


# ---- combination rules and trade-offs (data in the catalogue) ----------------------------------


def rule_holds(rule: LungeRule, p: Prescription, clean: Collection[Prescription]) -> bool:
    if not all(p.level(v) in steps for v, steps in rule.when):
        return True
    if any(p.level(v) not in steps for v, steps in rule.only):
        return False
    if rule.after_clean:
        return any(
            all(c.level(v) == s for v, s in rule.after_clean)
            and all(c.level(v) == p.level(v) for v in rule.same)
            for c in clean
        )
    return True


def broken_rule(
    matrix: LungeMatrix, p: Prescription, clean: Collection[Prescription]
) -> LungeRule | None:
    """The first combination rule `p` breaks, given the versions done clean so far."""
    return next((r for r in matrix.rules if not rule_holds(r, p, clean)), None)


def _repair(matrix: LungeMatrix, p: Prescription, clean: Collection[Prescription]) -> Prescription:
    """Bring `p` within the rules by going down only (a cap or a step back stays easier)."""
    for _ in range(len(matrix.rules) * len(VARIABLES) + 1):
        rule = broken_rule(matrix, p, clean)
        if rule is None:
            return p
        for v, steps in rule.only:  # the loader makes these the bottom steps of the ladder
            if p.level(v) not in steps:
                p = _put(matrix, p, v, max(matrix.ladders[v].index(s) for s in steps))
        for v, s in rule.after_clean:  # the loader makes this the bottom step
            p = _put(matrix, p, v, matrix.ladders[v].index(s))
    return p


# Per variable: the highest step a person's conditions allow, and the sentence that says why
# (ladder_limits). A hip that must stay under 90 degrees never gets a long, deep lunge.
Limits = Mapping[str, tuple[int, str]]


def ladder_limits(
    matrix: LungeMatrix, why_not: Callable[[Iterable[str]], str | None]
) -> dict[str, tuple[int, str]]:
    """The first step of each ladder whose demands a person's conditions rule out caps that
    ladder one step below it (`why_not(demands)` gives the reason, or None when allowed)."""
    out: dict[str, tuple[int, str]] = {}
    for variable, ladder in matrix.ladders.items():
        for i, step in enumerate(ladder.steps):
            why = why_not(step.demands) if step.demands else None
            if why is not None:
                top = ladder.steps[max(i - 1, 0)]
                out[variable] = (max(i - 1, 0), f"{variable} stays at '{top.label}' ({why})")
                break
    return out


def within_limits(matrix: LungeMatrix, p: Prescription, limits: Limits) -> Prescription:
    """`p` with every variable brought down to what the person's conditions allow."""
    for variable, (top, _why) in limits.items():
        if _at(matrix, p, variable) > top:
            p = _put(matrix, p, variable, top)
    return p


def _raise(
    matrix: LungeMatrix,
    p: Prescription,
    variable: str,
    clean: Collection[Prescription],
    limits: Limits | None = None,
) -> tuple[Prescription | None, str | None]:
    """`p` with `variable` one step up and its trade-offs applied, or (None, why not); why not
    is None at the top of the ladder."""
    ladder = matrix.ladders[variable]
    i = _at(matrix, p, variable)
    if i + 1 >= len(ladder.steps):
        return None, None
    if limits and variable in limits and i + 1 > limits[variable][0]:
        return None, limits[variable][1]
    q = _put(matrix, p, variable, i + 1)
    for trade in matrix.trade_offs:
        if trade.raise_ != variable:
            continue
        if any(q.level(v) not in steps for v, steps in trade.needs):
            return None, trade.says
        for v, s in trade.lower:
            if _at(matrix, q, v) > matrix.ladders[v].index(s):
                q = _put(matrix, q, v, matrix.ladders[v].index(s))
    rule = broken_rule(matrix, q, clean)
    if rule is not None:
        return None, rule.says
    return q, None


def progress(
    matrix: LungeMatrix,
    p: Prescription,
    order: Sequence[str],
    clean: Collection[Prescription],
    limits: Limits | None = None,
) -> tuple[Prescription, str | None, list[tuple[str, str]]]:
    """One variable one step up: (new level, the variable, [(variable that waits, why)])."""
    below = [v for v in order if _at(matrix, p, v) < matrix.ladders[v].start]
    waits: list[tuple[str, str]] = []
    for v in below + [v for v in order if v not in below]:
        q, why_not = _raise(matrix, p, v, clean, limits)
        if q is not None:
            return q, v, waits
        if why_not is not None:
            waits.append((v, why_not))
    return p, None, waits


def _lower(
    matrix: LungeMatrix, p: Prescription, variable: str, clean: Collection[Prescription]
) -> Prescription | None:
    i = _at(matrix, p, variable)
    if i == 0:
        return None
    return _repair(matrix, _put(matrix, p, variable, i - 1), clean)


def step_back(
    matrix: LungeMatrix,
    p: Prescription,
    raises: Sequence[str],
    order: Sequence[str],
    clean: Collection[Prescription],
    fallback: bool = True,
) -> tuple[Prescription, str] | None:
    """One step down on the variable raised last (that can still go down); with nothing raised,
    the last variable in the ladder order that has a step below. None: nothing is easier."""
    for v in reversed(raises):
        q = _lower(matrix, p, v, clean)
        if q is not None:
            return q, v
    if fallback:
        for v in reversed(order):
            q = _lower(matrix, p, v, clean)
            if q is not None:
                return q, v
    return None


def cap(
    matrix: LungeMatrix,
    p: Prescription,
    order: Sequence[str],
    clean: Collection[Prescription] = (),
) -> Prescription:
    """The lighter session under a cap: below the level on at least one variable (unless the
    level is the easiest there is), above it on none, within the rules."""
    q = p
    for v, s in matrix.cap.at_most:
        if _at(matrix, q, v) > matrix.ladders[v].index(s):
            q = _put(matrix, q, v, matrix.ladders[v].index(s))
    for v in matrix.cap.down:
        if _at(matrix, q, v) > 0:
            q = _put(matrix, q, v, _at(matrix, q, v) - 1)
    if q == p:
        lower = step_back(matrix, p, (), order, clean)
        q = lower[0] if lower else p
    return _repair(matrix, q, clean)


# ---- caps: which days --------------------------------------------------------------------------


def cap_reason(
    day: date, events: Sequence[Event], settings_on: Callable[[date], Settings]
) -> str | None:
    """Why the lunge session on `day` is capped, or None: a coach's cap, the day after a race,
    or a race or long run today or in the next 48 hours."""
    coach = settings_on(day).lunge_cap
    if coach:
        return f"Your coach's cap ({coach})"
    if any(e.kind == "race" and e.date == day - timedelta(days=1) for e in events):
        return "The day after your race"
    for i in range(CAP_DAYS_BEFORE + 1):
        d = day + timedelta(days=i)
        when = "today" if i == 0 else "tomorrow" if i == 1 else f"on {d:%A}"
        for e in events:
            if e.date == d:
                what = "Race" if e.kind == "race" else "Long run"
                name = f" ({e.name})" if e.name else ""
                return f"{what}{name} {when}, within 48 hours"
        if settings_on(d).long_run_day == WEEKDAYS[d.weekday()]:
            return f"Long run {when}, within 48 hours"
    return None


# ---- replaying the log -------------------------------------------------------------------------


def _session_outcome(logs: Sequence[LungeLog]) -> tuple[str, str]:
    """(outcome, what happened) of one session: clean | hold | balance | stop."""
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
        return "hold", f"discomfort {worst}/10 (progress needs 3 or less)"
    return "clean", "all reps, balance kept, discomfort 3 or less"


@dataclass
class _Replay:
    matrix: LungeMatrix
    level: Prescription
    order: Sequence[str]
    clean: int = 0
    raises: list[str] = field(default_factory=list)  # variables raised, oldest first
    done_clean: set[Prescription] = field(default_factory=set)
    status: str = "start"
    why: str = "Start easy: body weight, short, slow and stable."
    changed: str | None = None
    hurt: Prescription | None = None  # the level that hurt, until the pause ends
    resumed: set[date] = field(default_factory=set)  # pauses already resumed from
    note: str = ""  # about a session that did not count, after the why
    limits: Limits = field(default_factory=dict)  # what the person's conditions allow

    def move(self, to: Prescription, raised: str | None = None) -> None:
        """Go to `to`; keep the raise list true (a step down takes back the latest raises)."""
        m = self.matrix
        for v in VARIABLES:
            drop = _at(m, self.level, v) - _at(m, to, v)
            for _ in range(max(drop, 0)):
                if v in self.raises:
                    del self.raises[len(self.raises) - 1 - self.raises[::-1].index(v)]
        if raised is not None:
            self.raises.append(raised)
        self.level = to

    def session(self, day: date, logs: Sequence[LungeLog], order: Sequence[str]) -> None:
        m = self.matrix
        self.order = order
        done_at = logs[-1].prescription
        outcome, what = _session_outcome(logs)
        neutral = None
        if logs[-1].capped is not None:
            neutral = f"The lighter session on {day:%a %d %b} ({logs[-1].capped}) does not count"
        elif not known(m, done_at):
            neutral = f"The session on {day:%a %d %b} was at steps no longer in the catalogue"
        elif done_at != self.level and easier_or_same(m, done_at, self.level):
            neutral = f"The lighter session on {day:%a %d %b} does not count"
        elif done_at != self.level and broken_rule(m, done_at, self.done_clean) is not None:
            neutral = (
                f"The session on {day:%a %d %b} was at a combination the rules no longer allow"
            )
        if neutral is not None:
            if outcome == "stop":
                self.hurt = done_at if known(m, done_at) else self.level
                self.status, self.why, self.clean = "paused", f"Paused: {what}.", 0
            elif self.status != "paused":
                self.note = (
                    f" {neutral}: this is your level, with {self.clean} of "
                    f"{SUCCESSES_TO_ADVANCE} clean sessions."
                )
            return
        self.note = ""
        if done_at != self.level:  # the log keeps its meaning: this was the level that day
            raised = [v for v in VARIABLES if _at(m, done_at, v) > _at(m, self.level, v)]
            self.move(done_at)
            self.raises.extend(raised)
            self.clean = 0
        if outcome == "clean":
            self.done_clean.add(self.level)
            self.clean += 1
            if self.clean < SUCCESSES_TO_ADVANCE:
                self.status = "hold"
                self.why = (
                    f"{self.clean} clean session at this level: one more in a row and it "
                    "progresses."
                )
                return
            nxt, variable, waits = progress(m, self.level, order, self.done_clean, self.limits)
            wait = "".join(f" ({v} waits: {says})" for v, says in waits[:1])
            if variable is None:
                self.status = "maintenance"
                held = "".join(
                    f" {why[0].upper()}{why[1:]}." for v, (_top, why) in self.limits.items()
                )  # the person's precautions, said again: why the ceiling is lower for them
                self.why = (
                    f"{self.clean} clean sessions; every variable is as high as the rules "
                    f"allow.{held} {MAINTENANCE}"
                )
                return
            moved = f"{variable} goes from {_from_to(m, variable, self.level, nxt)}"
            also = [c for c in _changes(m, self.level, nxt) if not c.startswith(variable + " ")]
            trade = next((t.says for t in m.trade_offs if t.raise_ == variable), "")
            extra = f"; {', '.join(also)} ({trade})" if also else ""
            self.move(nxt, variable)
            self.clean, self.status, self.changed = 0, "progress", variable
            self.why = f"Two clean sessions: {moved}{extra}{wait}."
        elif outcome == "hold":
            self.clean, self.status = 0, "hold"
            self.why = f"Hold: {what}; the next two clean sessions in a row progress."
        elif outcome == "balance":
            self.clean = 0
            back = step_back(m, self.level, self.raises, order, self.done_clean)
            if back is None:
                self.status = "hold"
                self.why = (
                    "Hold: balance was lost at the easiest version there is; keep a hand on a wall."
                )
                return
            q, v = back
            self.why = f"Step back: balance was lost, so {', '.join(_changes(m, self.level, q))}."
            self.move(q)
            self.status, self.changed = "regress", v
        else:
            self.hurt = self.level
            self.status, self.why, self.clean = "paused", f"Paused: {what}.", 0

    def resume(self, pauses: Iterable[PausePeriod], day: date) -> None:
        """Pauses over by `day`: after pain, two steps below the level that hurt; after a pause
        for another reason, one step back on the last raise."""
        if any(p.start <= day and (p.end is None or p.end > day) for p in pauses):
            return  # still paused
        ended = [p for p in pauses if p.end is not None and p.start < day and p.end <= day
                 and p.start not in self.resumed]  # fmt: skip
        if self.hurt is None and not ended:
            return
        self.resumed.update(p.start for p in ended)
        if self.hurt is None and not self.raises:
            return  # nothing raised yet: the start is where it resumes
        m = self.matrix
        base, steps = (self.hurt, RESTART_STEPS) if self.hurt is not None else (self.level, 1)
        self.move(base)
        q = base
        for _ in range(steps):
            back = step_back(m, q, self.raises, self.order, self.done_clean,
                             fallback=self.hurt is not None)  # fmt: skip
            if back is None:
                break
            q = back[0]
            self.move(q)
        changes = _changes(m, base, q)
        if self.hurt is not None:
            self.why = "Cleared after the pause: restart two steps below the level that hurt" + (
                f": {', '.join(changes)}." if changes else " (the easiest version there is)."
            )
        else:
            self.why = "Back after a pause: restart one step back" + (
                f": {', '.join(changes)}." if changes else " (at the start)."
            )
        self.hurt, self.clean, self.status = None, 0, "restart"
        self.changed, self.note = None, ""

    def plan(self) -> DirectionPlan:
        return DirectionPlan(
            self.level, self.status, self.why + self.note, self.clean, self.changed
        )


def plan_direction(
    matrix: LungeMatrix,
    direction: str,
    logs: Sequence[LungeLog],
    pauses: Sequence[PausePeriod],
    as_of: date,
    order_on: Callable[[date], Sequence[str]],
    capped: str | None = None,
    limits: Limits | None = None,
    locked: str | None = None,
) -> DirectionPlan:
    """The prescription for `direction` on `as_of`, replaying the log up to the day before.

    `order_on(day)` gives the ladder order in force on a day (settings are dated entries);
    `capped` says why the session on `as_of` is capped, if it is (`cap_reason`); `locked`
    why it is held at the level (a coach's lock: the level itself, counting for nothing).
    """
    by_date: dict[date, list[LungeLog]] = {}
    for g in sorted(logs, key=lambda g: (g.date, g.id or 0)):
        if g.direction == direction and g.date < as_of:
            by_date.setdefault(g.date, []).append(g)
    r = _Replay(matrix, start_prescription(matrix, direction), order_on(as_of))
    r.limits = limits or {}
    for day in sorted(by_date):
        r.order = order_on(day)
        r.resume(pauses, day)
        if any(p.start < day and (p.end is None or p.end > day) for p in pauses):
            continue  # a session while the matrix is paused counts for nothing
        r.session(day, by_date[day], order_on(day))
    r.order = order_on(as_of)
    r.resume(pauses, as_of)
    plan = r.plan()
    if limits:  # a level from before a condition, or adopted from the log, is brought down
        held = within_limits(matrix, plan.prescription, limits)
        if held != plan.prescription:
            whys = [
                why
                for v, (_top, why) in limits.items()
                if held.level(v) != plan.prescription.level(v)
            ]
            plan = replace(
                plan,
                prescription=held,
                reason=f"{plan.reason} Held within your precautions: {'; '.join(whys)}.",
            )
    paused = any(p.start <= as_of and (p.end is None or p.end > as_of) for p in pauses)
    if paused:
        return plan
    if capped is None and locked is not None:
        return replace(
            plan,
            capped=locked,
            status="locked",
            reason=f"{locked}: the same as last time, and the session does not count, so "
            f"your level waits until the hold is lifted. {plan.reason}",
        )
    if capped is None:
        return plan
    lighter = cap(matrix, plan.prescription, r.order, r.done_clean)
    changes = _changes(matrix, plan.prescription, lighter, instead=True)
    what = ", ".join(changes) if changes else "already the easiest version"
    return replace(
        plan,
        prescription=lighter,
        level=plan.prescription,
        capped=capped,
        status="capped",
        reason=f"{capped}: {matrix.cap.says} ({what}); your level waits for the next session "
        f"without a cap. {plan.reason}",
    )


def plan_directions(
    matrix: LungeMatrix,
    logs: Sequence[LungeLog],
    pauses: Sequence[PausePeriod],
    as_of: date,
    order_on: Callable[[date], Sequence[str]],
    capped: str | None = None,
    directions: Iterable[str] | None = None,
    limits: Limits | None = None,
    holds: Mapping[str, str] | None = None,
) -> list[DirectionPlan]:
    """Every allowed direction (all of the catalogue's by default), in catalogue order, within
    the ladder limits of the person's conditions (`ladder_limits`); `holds` are a coach's cap
    or lock on single directions (direction id -> "cap" | "lock")."""
    allowed = None if directions is None else set(directions)
    holds = holds or {}
    out = []
    for d in matrix.directions:
        if allowed is not None and d.id not in allowed:
            continue
        kind = holds.get(d.id)
        own_cap = HOLD_WHY["cap"] if kind == "cap" else None
        locked = HOLD_WHY["lock"] if kind == "lock" else None
        out.append(
            plan_direction(
                matrix, d.id, logs, pauses, as_of, order_on, capped or own_cap, limits, locked
            )
        )
    return out

"""How long a dose takes, and a drill's dose fitted to a snack's minutes (issue 12 §5).

ONE description of a dose, shared by every face: `phases(dose)` is the sequence the web timer
runs (get ready, each rep or hold, side switches, rests between sets), and `seconds(dose)` is
its sum. The planner fits a drill's dose to a slot with `fit(dose, minutes)`, which never
returns a dose longer than the slot; the CLI, the Today card, the drill page, the timer and
the calendar all show that one fitted dose.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from triplane.core.catalogue.model import Dose

GET_READY_S = 5  # getting into position
REST_BETWEEN_SETS_S = 10
SWITCH_SIDES_S = 4
RELAX_AFTER_HOLD_S = 2  # a breath between held reps
DEFAULT_REP_S = 3.0  # a rep whose tempo gives no seconds, and the shortest moving rep
MAX_SETS = 4
MIN_HOLD_S = 10
MAX_HOLD_S = 120
# lunge matrix: seconds per rep (step out, drive back) and to set up each direction
LUNGE_REP_S = 4
LUNGE_DIRECTION_SETUP_S = 15

_SECONDS = re.compile(r"(\d+(?:\.\d+)?)\s*s\b")


@dataclass(frozen=True)
class Phase:
    label: str
    seconds: float
    detail: str = ""
    quiet: bool = False
    # what the body does (the web timer moves the drill's figure with it): ready, move (one
    # moving rep), hold, relax, switch (sides), rest (between sets)
    kind: str = "ready"
    side: str | None = None  # left or right for a per-side dose (a switch names the next side)

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "secs": self.seconds,
            "detail": self.detail,
            "quiet": self.quiet,
            "kind": self.kind,
            "side": self.side,
        }


def tempo_seconds(tempo: str) -> float:
    """Seconds a tempo text names ('2 s back, 1 s pause, 2 s forward' -> 5)."""
    total = sum(float(m) for m in _SECONDS.findall(tempo or ""))
    return max(total, DEFAULT_REP_S)


def rep_seconds(dose: Dose) -> float:
    """One rep: a held rep is its hold plus a breath; a moving rep takes its tempo."""
    if dose.hold_seconds:
        return dose.hold_seconds + RELAX_AFTER_HOLD_S
    return tempo_seconds(dose.tempo)


def phases(dose: Dose, side: str | None = None) -> tuple[Phase, ...]:
    """What the timer runs for this dose (one side only when `side` is given)."""
    sides: list[str | None] = (
        ([side] if side in ("left", "right") else ["left", "right"]) if dose.per_side else [None]
    )
    out = [Phase("Get ready", GET_READY_S, "Get into position", side=sides[0])]
    for s in range(1, dose.sets + 1):
        for si, sd in enumerate(sides):
            where = (f"{sd} side · " if sd else "") + f"set {s} of {dose.sets}"
            if dose.reps:
                for r in range(1, dose.reps + 1):
                    if dose.hold_seconds:
                        label = f"Rep {r} of {dose.reps}: hold"
                        out.append(Phase(label, dose.hold_seconds, where, kind="hold", side=sd))
                        out.append(
                            Phase("Relax", RELAX_AFTER_HOLD_S, where, True, "relax", side=sd)
                        )
                    else:
                        label = f"Rep {r} of {dose.reps}"
                        out.append(Phase(label, rep_seconds(dose), where, kind="move", side=sd))
            else:
                out.append(Phase("Hold", dose.hold_seconds or 30, where, kind="hold", side=sd))
            if len(sides) > 1 and si == 0:
                out.append(Phase("Switch sides", SWITCH_SIDES_S, kind="switch", side=sides[1]))
        if s < dose.sets:
            rest = "Breathe; next set coming"
            out.append(Phase("Rest", REST_BETWEEN_SETS_S, rest, kind="rest", side=sides[0]))
    return tuple(out)


@lru_cache(maxsize=8192)
def seconds(dose: Dose) -> float:
    """How long the dose takes, both sides included: the sum of its phases."""
    return sum(p.seconds for p in phases(dose))


def text(dose: Dose) -> str:
    """'2 x 8 per side; 2 s back, 1 s pause, 2 s forward'."""
    body = dose.text()
    return f"{body}; {dose.tempo}" if dose.tempo else body


@lru_cache(maxsize=8192)
def fit(dose: Dose, minutes: float) -> Dose:
    """The drill's dose fitted to `minutes`: as close to the catalogue dose as the minutes
    allow, never longer. Fewer sets first, then fewer reps or shorter holds; more sets (up to
    four), then more reps or longer holds, to fill a longer snack. When even the smallest dose
    is longer than the slot, that smallest dose (callers check `fits`)."""
    limit = minutes * 60
    best = replace(dose, minutes=0.0)
    if seconds(best) > limit:
        for candidate in _smaller(best):
            if seconds(candidate) <= limit:
                best = candidate
                break
        else:
            best = _smallest(best)
    else:
        for candidate in _larger(best):
            if seconds(candidate) > limit:
                break
            best = candidate
    return replace(best, minutes=round(seconds(best) / 60, 2))


@lru_cache(maxsize=8192)
def fits(dose: Dose, minutes: float) -> bool:
    """Can some version of the dose be done within `minutes`?"""
    return seconds(_smallest(dose)) <= minutes * 60


def _smallest(dose: Dose) -> Dose:
    if dose.reps is not None:
        return replace(
            dose,
            sets=1,
            reps=1 if dose.hold_seconds else min(dose.reps, 3),
            hold_seconds=min(dose.hold_seconds, MIN_HOLD_S) if dose.hold_seconds else None,
        )
    return replace(dose, sets=1, hold_seconds=min(dose.hold_seconds or 30, MIN_HOLD_S))


def _smaller(dose: Dose) -> list[Dose]:
    """Ever smaller versions, the catalogue's shape kept as long as possible."""
    out = [replace(dose, sets=n) for n in range(dose.sets - 1, 0, -1)]
    one = replace(dose, sets=1)
    if dose.reps is not None:
        low = 1 if dose.hold_seconds else min(dose.reps, 3)
        out += [replace(one, reps=r) for r in range(dose.reps - 1, low - 1, -1)]
        if dose.hold_seconds:
            low_reps = replace(one, reps=low)
            out += [
                replace(low_reps, hold_seconds=h)
                for h in range(dose.hold_seconds - 5, MIN_HOLD_S - 1, -5)
            ]
    else:
        hold = dose.hold_seconds or 30
        out += [replace(one, hold_seconds=h) for h in range(hold - 5, MIN_HOLD_S - 1, -5)]
    return out


def _larger(dose: Dose) -> list[Dose]:
    """Ever larger versions: more sets up to four, then more reps (up to half as many again)
    or longer holds (up to twice, at most two minutes)."""
    out = [replace(dose, sets=n) for n in range(dose.sets + 1, max(MAX_SETS, dose.sets) + 1)]
    top = out[-1] if out else dose
    if dose.reps is not None:
        most = math.ceil(dose.reps * 1.5)
        out += [replace(top, reps=r) for r in range(dose.reps + 1, most + 1)]
    else:
        hold = dose.hold_seconds or 30
        most = min(MAX_HOLD_S, hold * 2)
        out += [replace(top, hold_seconds=h) for h in range(hold + 5, most + 1, 5)]
    return out


def lunge_seconds(reps_per_side: list[int]) -> float:
    """A lunge-matrix session: every direction's reps on both legs, with a short set-up each."""
    return sum(2 * r * LUNGE_REP_S + LUNGE_DIRECTION_SETUP_S for r in reps_per_side)

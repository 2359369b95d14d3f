"""Typed, immutable records for the catalogue: drills, the lunge matrix, tests, norms, red flags.

The loader (loader.py) builds these from the TOML files in data/ (and a coach's folder) and
validates every field; everything else in Triplane reads only these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triplane.core.errors import DataError


class CatalogueError(DataError):
    """A catalogue file is wrong. The message names the file, the entry and the field."""


@dataclass(frozen=True)
class Dose:
    """How much of a drill one snack holds, e.g. 2 x 8 per side, or 2 x 30 s hold per side."""

    sets: int
    reps: int | None  # reps per set (dynamic drills)
    hold_seconds: int | None  # seconds per hold (static holds, isometrics)
    per_side: bool
    tempo: str  # e.g. "2 s hold, 1 s switch, 2 s settle"
    minutes: float  # how long the dose takes, both sides included; the planner budgets with it

    def text(self) -> str:
        side = " per side" if self.per_side else ""
        if self.reps is not None:
            body = f"{self.sets} x {self.reps}{side}"
            if self.hold_seconds:
                body += f", {self.hold_seconds} s hold"
        else:
            body = f"{self.sets} x {self.hold_seconds} s hold{side}"
        return body


@dataclass(frozen=True)
class Drill:
    id: str
    name: str
    purpose: str  # one or two sentences: what it is for
    planes: tuple[str, ...]
    motions: tuple[str, ...]  # primary first
    position: str
    loads_knee: bool
    style: str  # dynamic | static_hold | isometric
    standing_version: str | None  # id of the standing drill; None only for standing drills
    difficulty: int  # 1 easy .. 3 demanding; regressions go to a lower number
    dose: Dose
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    contraindications: tuple[str, ...]  # condition ids (conditions.toml), explicit "not for"
    equipment: tuple[str, ...]
    sources: tuple[str, ...]  # source keys of shared/domain-reference.md
    easier: str | None = None  # id of a regression for the same primary motion, if any
    origin: str = "triplane"  # "triplane" or the coach file it came from
    # what the drill asks of the hip and knee (anatomy.DEMANDS); conditions rule these out
    demands: tuple[str, ...] = ()

    @property
    def primary_motion(self) -> str:
        return self.motions[0]

    @property
    def is_standing(self) -> bool:
        return self.position == "standing"


@dataclass(frozen=True)
class LungeDirection:
    id: str
    name: str
    planes: tuple[str, ...]
    description: str
    arm_drivers: tuple[str, ...]
    cues: tuple[str, ...]
    sources: tuple[str, ...]
    demands: tuple[str, ...] = ()  # anatomy.DEMANDS the direction involves


@dataclass(frozen=True)
class Condition:
    """A condition and the demands (motions, ranges, positions) it rules out."""

    id: str
    label: str
    rules_out: tuple[str, ...]  # whatever the variant
    basis: str
    sources: tuple[str, ...]
    variant_option: str | None = None  # e.g. "approach"
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()  # variant -> demands; has "unknown"
    default_variant: str | None = None

    def demands_ruled_out(self, variant: str | None = None) -> tuple[str, ...]:
        """The demands ruled out for a person with this condition (and variant, if any)."""
        chosen = dict(self.variants).get(variant or self.default_variant or "", ())
        return tuple(dict.fromkeys(self.rules_out + chosen))

    @property
    def variant_ids(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.variants)


@dataclass(frozen=True)
class LadderStep:
    id: str
    label: str
    reps: int | None = None  # only the duration ladder sets reps per side
    load_mode: str | None = None  # the weight this step has you hold, if any (one at a time)
    demands: tuple[str, ...] = ()  # what this step asks of the hip/knee (conditions cap it)


@dataclass(frozen=True)
class Ladder:
    variable: str  # load | range | environment | speed | stability | duration
    steps: tuple[LadderStep, ...]  # easiest first
    sources: tuple[str, ...]
    start: int = 0  # where a new athlete starts; steps below it are regressions only

    def index(self, step_id: str) -> int:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        raise KeyError(step_id)


@dataclass(frozen=True)
class LungeRule:
    """A combination rule: when every `when` variable is at one of its steps, each `only`
    variable must be at one of its steps, and (`after_clean`) the version with those steps, at
    the same steps of the `same` variables, must have been done clean before."""

    id: str
    says: str  # one sentence a person reads when the rule holds a variable back
    when: tuple[tuple[str, frozenset[str]], ...]
    only: tuple[tuple[str, frozenset[str]], ...] = ()
    after_clean: tuple[tuple[str, str], ...] = ()
    same: tuple[str, ...] = ()


@dataclass(frozen=True)
class TradeOff:
    """Going up one step on `raise_` needs `needs` and brings each `lower` variable down to (at
    most) its step."""

    raise_: str
    says: str
    needs: tuple[tuple[str, frozenset[str]], ...] = ()
    lower: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LungeCap:
    """The lighter session under a cap (before a race or long run, after a race, a coach's):
    each `at_most` variable no higher than its step, each `down` variable one step lower."""

    says: str
    at_most: tuple[tuple[str, str], ...]
    down: tuple[str, ...]


@dataclass(frozen=True)
class LungeMatrix:
    directions: tuple[LungeDirection, ...]
    ladders: dict[str, Ladder]  # by variable
    default_order: tuple[str, ...]  # the order variables advance in; a coach may change it
    start_reps: int  # per side, at the starting duration step
    sources: tuple[str, ...]
    rules: tuple[LungeRule, ...] = ()
    trade_offs: tuple[TradeOff, ...] = ()
    cap: LungeCap = LungeCap("A lighter session.", (), ())

    def direction(self, direction_id: str) -> LungeDirection:
        for d in self.directions:
            if d.id == direction_id:
                return d
        raise KeyError(direction_id)


@dataclass(frozen=True)
class AssessmentTest:
    id: str
    name: str
    motions: tuple[str, ...]  # what it measures, primary first
    unit: str  # degrees | cm | score | pass_fail
    minimum: float  # valid range of a value in `unit` (pass_fail: 0..1)
    maximum: float
    signed: bool  # True where negative values mean something (e.g. Ober's adduction angle)
    higher_is_better: bool
    mdc: float | None  # minimal detectable change in `unit`, where the reference gives one
    mdc_source: str | None
    position: str
    active: bool  # active (the person moves) or passive (gravity or a partner moves the leg)
    instructions: tuple[str, ...]
    phone_how: str  # how to measure it with a phone inclinometer
    by_eye: str  # how to judge it without a device
    rating_guide: tuple[str, ...]  # four lines: what a self-rating of 0, 1, 2 and 3 looks like
    sources: tuple[str, ...]
    pain_means_positive: bool = False  # FABER: pain during the test is itself a finding


@dataclass(frozen=True)
class Norm:
    test: str
    motion: str
    low: float
    high: float

    @property
    def value(self) -> float:
        """The norm value a measurement is compared with: the lower bound of the range."""
        return self.low


@dataclass(frozen=True)
class NormSet:
    id: str
    name: str
    description: str
    sources: tuple[str, ...]
    norms: tuple[Norm, ...]
    # who the set is the automatic choice for (all None: only when chosen by name)
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None

    def applies_to(self, sex: str | None, age: int | None) -> int:
        """How many of the set's criteria (sex, age) the person meets; 0 when any fails or the
        set has none (the more criteria met, the more specific the match)."""
        criteria = 0
        if self.sex is not None:
            if sex != self.sex:
                return 0
            criteria += 1
        if self.min_age is not None or self.max_age is not None:
            if age is None:
                return 0
            if self.min_age is not None and age < self.min_age:
                return 0
            if self.max_age is not None and age > self.max_age:
                return 0
            criteria += 1
        return criteria

    def norm_for(self, test: str, motion: str) -> Norm | None:
        for n in self.norms:
            if n.test == test and n.motion == motion:
                return n
        return None


@dataclass(frozen=True)
class RedFlag:
    id: str
    label: str  # what the person ticks, in plain words
    urgent: bool  # urgent care today rather than a routine appointment
    stop_running: bool  # also stop running until seen
    advice: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    drills: dict[str, Drill]
    lunge: LungeMatrix
    tests: dict[str, AssessmentTest]
    default_tests: dict[str, str]  # motion -> test id used when --test is left out
    norm_sets: dict[str, NormSet]
    default_norm_set: str
    red_flags: dict[str, RedFlag]
    never_recommended: tuple[str, ...] = field(default=())  # e.g. the seated abduction machine
    conditions: dict[str, Condition] = field(default_factory=dict)

    def drills_for(self, motion: str) -> list[Drill]:
        return [d for d in self.drills.values() if motion in d.motions]

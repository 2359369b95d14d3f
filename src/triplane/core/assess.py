"""Measurements -> mobility profile: ratio to norm, status, asymmetry and priorities.

Rules (domain reference §1c): status `ok` at ratio >= 1.0, `borderline` 0.85-1.0, `restricted`
below 0.85. Left-right asymmetry is flagged at 10 degrees or more AND more than the test's
measurement error (MDC), since a smaller gap can be noise (ELL, KRA, GRA).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from triplane.core.anatomy import MOTION_LABEL, MOTION_PLANE, MOTIONS, SIDES
from triplane.core.catalogue.model import AssessmentTest, Catalogue, NormSet
from triplane.core.measurement_error import mdc_for, video_band
from triplane.core.records import Measurement, Settings

OK_RATIO = 1.0
BORDERLINE_RATIO = 0.85
ASYMMETRY_DEGREES = 10.0
# For a test whose norm is an angle of 0 or less (e.g. Ober: the thigh reaches horizontal) a ratio
# means nothing; within this many degrees short of it counts as borderline.
THRESHOLD_MARGIN_DEGREES = 5.0
STATUS_ORDER = {"restricted": 0, "borderline": 1, "unknown": 2, "ok": 3}
# A referral prompt (advice at level routine, not a pause): this many motions restricted on both
# sides, or a left-right difference above this many degrees, is more than drills should meet
# alone. [I]: the domain reference gives no cut-off; 20 degrees is twice the asymmetry rule's 10
# and above every MDC it lists (ELL, KRA, GRA, COXA).
REFERRAL_RESTRICTED_MOTIONS = 4
REFERRAL_ASYMMETRY_DEGREES = 20.0


@dataclass(frozen=True)
class SideResult:
    value: float | None
    unit: str | None
    test: str | None
    date: str | None
    ratio: float | None
    status: str  # ok | borderline | restricted | unknown
    painful: bool = False
    norm: float | None = None
    error_band: float | None = None  # a video reading: its plane's error band (degrees)

    def as_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "unit": self.unit,
            "test": self.test,
            "date": self.date,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "status": self.status,
            "painful": self.painful,
            "norm": self.norm,
            "error_band": self.error_band,
        }


UNKNOWN = SideResult(None, None, None, None, None, "unknown")


@dataclass(frozen=True)
class MotionResult:
    motion: str
    plane: str
    left: SideResult
    right: SideResult
    asymmetry_degrees: float | None
    asymmetry_flagged: bool

    @property
    def status(self) -> str:
        """The worse side's status."""
        return min((self.left.status, self.right.status), key=STATUS_ORDER.__getitem__)

    def side_status(self, side: str) -> str:
        return self.left.status if side == "left" else self.right.status

    @property
    def tighter_side(self) -> str | None:
        """The side to give extra work, when one side is clearly worse."""
        ls, rs = STATUS_ORDER[self.left.status], STATUS_ORDER[self.right.status]
        if self.asymmetry_flagged and self.left.value is not None and self.right.value is not None:
            return "left" if self.left.value < self.right.value else "right"
        if ls != rs and "unknown" not in (self.left.status, self.right.status):
            return "left" if ls < rs else "right"
        return None

    def as_dict(self) -> dict[str, object]:
        return {
            "motion": self.motion,
            "plane": self.plane,
            "left": self.left.as_dict(),
            "right": self.right.as_dict(),
            "asymmetry": {
                "degrees": self.asymmetry_degrees,
                "flagged": self.asymmetry_flagged,
            },
        }


@dataclass(frozen=True)
class Profile:
    motions: tuple[MotionResult, ...]
    priorities: tuple[str, ...]  # motion ids, most restricted first
    advice: tuple[str, ...]
    painful_motions: frozenset[str]
    norm_set: str
    assessed: bool  # at least one measurement
    referral: str | None = None  # "see a physiotherapist" prompt (routine, not a pause)
    norm_choice: str = ""  # why this norm set: chosen, or by age and sex, or the default

    def motion(self, motion: str) -> MotionResult:
        for m in self.motions:
            if m.motion == motion:
                return m
        raise KeyError(motion)

    def as_dict(self) -> dict[str, object]:
        return {
            "norm_set": self.norm_set,
            "norm_choice": self.norm_choice,
            "referral": self.referral,
            "assessed": self.assessed,
            "motions": [m.as_dict() for m in self.motions],
            "priorities": list(self.priorities),
            "advice": list(self.advice),
            "painful_motions": sorted(self.painful_motions),
        }


def status_from_ratio(ratio: float) -> str:
    if ratio >= OK_RATIO:
        return "ok"
    if ratio >= BORDERLINE_RATIO:
        return "borderline"
    return "restricted"


def _graded_status(value: float, low: float, high: float, higher_is_better: bool) -> str:
    """Scores and self-ratings: the top of the scale is ok, the upper half borderline."""
    frac = (value - low) / (high - low) if high > low else 1.0
    if not higher_is_better:
        frac = 1.0 - frac
    if frac >= 0.99:
        return "ok"
    if frac >= 0.5:
        return "borderline"
    return "restricted"


def _side_result(
    m: Measurement, test: AssessmentTest, norms: NormSet, other: Measurement | None
) -> SideResult:
    ratio: float | None = None
    norm_value: float | None = None
    if m.unit == "degrees":
        norm = norms.norm_for(m.test, m.motion)
        if norm is None:
            status = "unknown"
        elif norm.value > 0:
            norm_value = norm.value
            value = m.value if test.higher_is_better else 2 * norm.value - m.value
            ratio = value / norm.value
            status = status_from_ratio(ratio)
        else:
            norm_value = norm.value
            short = norm.value - m.value
            status = (
                "ok"
                if short <= 0
                else "borderline"
                if short <= THRESHOLD_MARGIN_DEGREES
                else "restricted"
            )
    elif m.unit == "pass_fail":
        status = "ok" if m.value >= 1 else "restricted"
    elif m.unit == "rating":
        status = _graded_status(m.value, 0, 3, True)
    elif m.unit == "score":
        status = _graded_status(m.value, test.minimum, test.maximum, test.higher_is_better)
    else:  # cm: no norm; compare with the other side (lower is better for FABER-like tests)
        status = "unknown"
        if other is not None and other.unit == m.unit and other.test == m.test:
            mdc = test.mdc or 1.0
            worse_by = (m.value - other.value) * (-1 if test.higher_is_better else 1)
            status = (
                "restricted" if worse_by > 3 * mdc else "borderline" if worse_by > mdc else "ok"
            )
    return SideResult(
        value=m.value,
        unit=m.unit,
        test=m.test,
        date=m.date.isoformat(),
        ratio=ratio,
        status=status,
        painful=m.painful or _positive_pain_test(m, test),
        norm=norm_value,
        error_band=video_band(m.motion) if m.device == "video" else None,
    )


def _positive_pain_test(m: Measurement, test: AssessmentTest) -> bool:
    """A positive FABER (recorded as fail) is a finding for a clinician even without --painful."""
    return test.pain_means_positive and m.unit == "pass_fail" and m.value < 1


def latest(measurements: Iterable[Measurement]) -> dict[tuple[str, str], Measurement]:
    """The latest measurement per (motion, side); history is kept, the newest one counts."""
    out: dict[tuple[str, str], Measurement] = {}
    for m in sorted(measurements, key=lambda m: (m.date, m.id or 0)):
        out[(m.motion, m.side)] = m
    return out


def build_profile(
    measurements: Iterable[Measurement],
    catalogue: Catalogue,
    norm_set: str | None = None,
    norm_choice: str = "",
) -> Profile:
    norms = catalogue.norm_sets[norm_set or catalogue.default_norm_set]
    newest = latest(measurements)
    results: list[MotionResult] = []
    painful: set[str] = set()
    advice: list[str] = []
    for motion in MOTIONS:
        sides: dict[str, SideResult] = {}
        for side in SIDES:
            m = newest.get((motion, side))
            if m is None:
                sides[side] = UNKNOWN
                continue
            other = newest.get((motion, "right" if side == "left" else "left"))
            sides[side] = _side_result(m, catalogue.tests[m.test], norms, other)
            if sides[side].painful:
                painful.add(motion)
        asym, flagged = _asymmetry(
            newest.get((motion, "left")), newest.get((motion, "right")), catalogue
        )
        results.append(
            MotionResult(motion, MOTION_PLANE[motion], sides["left"], sides["right"], asym, flagged)
        )
    for motion in sorted(painful, key=MOTIONS.index):
        advice.append(
            f"A test of {MOTION_LABEL[motion]} hurt: have it looked at by a clinician "
            "(doctor or physiotherapist). Until then keep its drills in the pain-free range."
        )
    for r in results:
        if r.asymmetry_flagged:
            advice.append(
                f"{MOTION_LABEL[r.motion].capitalize()}: left and right differ by "
                f"{r.asymmetry_degrees:g} degrees, more than measurement error; the tighter side "
                "gets extra work."
            )
    return Profile(
        motions=tuple(results),
        priorities=_priorities(results),
        advice=tuple(advice),
        painful_motions=frozenset(painful),
        norm_set=norms.id,
        assessed=bool(newest),
        referral=referral_advice(results),
        norm_choice=norm_choice or f"the default norm set ({norms.name})",
    )


def referral_advice(results: Iterable[MotionResult]) -> str | None:
    """The referral prompt: four or more motions restricted on both sides, or a left-right
    difference above 20 degrees. Advice to book a routine appointment, never a pause."""
    rows = list(results)
    both = [
        r.motion for r in rows if r.left.status == "restricted" and r.right.status == "restricted"
    ]
    wide = [
        r
        for r in rows
        if r.asymmetry_degrees is not None and r.asymmetry_degrees > REFERRAL_ASYMMETRY_DEGREES
    ]
    reasons: list[str] = []
    if len(both) >= REFERRAL_RESTRICTED_MOTIONS:
        reasons.append(
            f"{len(both)} hip motions are restricted on both sides ("
            + ", ".join(MOTION_LABEL[m] for m in both)
            + ")"
        )
    for r in wide:
        reasons.append(
            f"left and right {MOTION_LABEL[r.motion]} differ by {r.asymmetry_degrees:g} degrees"
        )
    if not reasons:
        return None
    return (
        "; ".join(reasons).capitalize()
        + ". That is more than drills should deal with alone: book a routine appointment with a "
        "physiotherapist or doctor to have your hips looked at. Keep doing the drills in the "
        "pain-free range meanwhile."
    )


def _asymmetry(
    left: Measurement | None, right: Measurement | None, catalogue: Catalogue
) -> tuple[float | None, bool]:
    if left is None or right is None or left.unit != "degrees" or right.unit != "degrees":
        return None, False
    if left.test != right.test:
        return None, False  # different tests are not comparable
    gap = round(abs(left.value - right.value), 1)
    published = catalogue.tests[left.test].mdc
    # A pair is as noisy as its noisier reading (an inclinometer reading has its own MDC).
    mdcs = [mdc_for(m.device, m.test, published)[0] for m in (left, right)]
    mdc = max((x for x in mdcs if x is not None), default=0.0)
    return gap, gap >= ASYMMETRY_DEGREES and gap > mdc


def _severity(r: MotionResult) -> float:
    """Lower is more restricted: the worst side's ratio, or a stand-in for graded statuses."""
    stand_in = {"restricted": 0.7, "borderline": 0.92, "ok": 1.0, "unknown": 1.0}
    worst = 2.0
    for s in (r.left, r.right):
        worst = min(worst, s.ratio if s.ratio is not None else stand_in[s.status])
    return worst - (0.05 if r.asymmetry_flagged else 0.0)


def _priorities(results: list[MotionResult]) -> tuple[str, ...]:
    needing = [
        r for r in results if r.status in ("restricted", "borderline") or r.asymmetry_flagged
    ]
    needing.sort(key=lambda r: (STATUS_ORDER[r.status], _severity(r), MOTIONS.index(r.motion)))
    return tuple(r.motion for r in needing)


def validate_value(test: AssessmentTest, unit: str, value: float) -> str | None:
    """None when the value is valid for the test, else a sentence saying what is wrong."""
    if unit == "rating":
        if value not in (0, 1, 2, 3):
            return f"a self-rating is a whole number from 0 to 3, not {value:g}"
        return None
    if unit == "pass_fail":
        return None
    if unit != test.unit:
        return f"{test.name} is measured in {test.unit.replace('_', '/')}, not {unit}"
    if not (test.minimum <= value <= test.maximum):
        return (
            f"{value:g} {unit} is outside the valid range of {test.name} "
            f"({test.minimum:g} to {test.maximum:g} {unit})"
        )
    return None


def age_on(birth_year: int | None, day: date) -> int | None:
    """Age in whole years on `day`, from the birth year alone (so within a year)."""
    return None if birth_year is None else day.year - birth_year


def choose_norm_set(catalogue: Catalogue, settings: Settings, day: date) -> tuple[str, str]:
    """(norm set id, why): the set chosen in the settings; else the most specific set whose
    `applies_to` matches the athlete's sex and age (domain reference §1b); else the default."""
    if settings.norm_set is not None and settings.norm_set in catalogue.norm_sets:
        chosen = catalogue.norm_sets[settings.norm_set]
        return chosen.id, f"chosen in the settings: {chosen.name}"
    age = age_on(settings.birth_year, day)
    best: tuple[int, str] | None = None
    for ns in catalogue.norm_sets.values():
        score = ns.applies_to(settings.sex, age)
        if score and (best is None or score > best[0]):
            best = (score, ns.id)
    default = catalogue.norm_sets[catalogue.default_norm_set]
    if best is None:
        who = _who(settings.sex, age)
        if who:
            return default.id, (
                f"the default, {default.name}: the sources give no norms specific to {who}"
            )
        return default.id, f"the default, {default.name} (no sex or birth year given)"
    chosen = catalogue.norm_sets[best[1]]
    return chosen.id, f"by age and sex ({_who(settings.sex, age)}): {chosen.name}"


def _who(sex: str | None, age: int | None) -> str:
    person = {"female": "a woman", "male": "a man"}.get(sex or "", "")
    if age is None:
        return person
    return f"{person or 'someone'} aged about {age}"

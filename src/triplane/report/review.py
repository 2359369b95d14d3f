"""The weekly review in words: what was done, what changed, what comes next, and patience.

Pure: it reads a `Progress` snapshot and writes sentences. Honest about noise (a change counts
only beyond the test's measurement error), never a ranking and never "beat your best".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from triplane.core.anatomy import MOTION_LABEL, MOTIONS
from triplane.core.progress import (
    GAINS_EXPECTED_WEEKS,
    REFER_AFTER_WEEKS,
    DayAdherence,
    Trend,
    consistent,
    recent_days,
)
from triplane.usecases.progress import Progress


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    title: str
    sections: tuple[Section, ...]

    def text(self) -> str:
        out = [self.title, "=" * len(self.title), ""]
        for s in self.sections:
            out += [s.heading, "-" * len(s.heading)]
            out += [f"- {line}" for line in s.lines]
            out.append("")
        return "\n".join(out)

    def section(self, heading: str) -> Section:
        for s in self.sections:
            if s.heading == heading:
                return s
        raise KeyError(heading)


def _d(day: date) -> str:
    return f"{day.day} {day:%b}"


def _weeks(n: float) -> str:
    w = max(1, round(n))
    return f"{w} week{'s' if w != 1 else ''}"


def _sum(days: list[DayAdherence]) -> tuple[float, float, int, int]:
    planned = sum(d.planned for d in days if d.state == "planned")
    done = sum(d.done for d in days if d.state == "planned")
    active = sum(1 for d in days if d.state == "planned" and d.active)
    plan_days = sum(1 for d in days if d.state == "planned" and d.planned > 0)
    return planned, done, active, plan_days


def done_lines(p: Progress) -> list[str]:
    if not p.days or not p.has_history:
        return ["Nothing logged yet. Today's plan is the place to start: `triplane plan day`."]
    week_start = p.as_of - timedelta(days=7)
    last7 = [d for d in p.days if week_start <= d.date < p.as_of]
    lines: list[str] = []
    planned, done, active, plan_days = _sum(last7)
    if planned:
        lines.append(
            f"Last 7 days: {done:.0f} of {planned:.0f} planned minutes of mobility "
            f"({done / planned:.0%}), with some work on {active} of {plan_days} planned days."
        )
    dates = {
        pt.date
        for h in p.lunge
        for pt in h.points
        if pt.outcome != "next" and week_start <= pt.date
    }
    if dates:
        lines.append(
            f"Lunge matrix: {len(dates)} session{'s' if len(dates) != 1 else ''} "
            "in the last 7 days."
        )
    planned, done, active, plan_days = _sum(list(p.days))
    if planned:
        active7, counted7 = recent_days(p.days, p.as_of)
        recent = f"; some work on {active7} of the last {counted7} days" if active7 else ""
        lines.append(
            f"Since {_d(p.start)} ({_weeks(p.weeks)}): {done:.0f} of {planned:.0f} planned "
            f"minutes ({done / planned:.0%}){recent}."
        )
    away = [d.date for d in p.days if d.state == "away"]
    paused = [d.date for d in p.days if d.state == "paused"]
    if away:
        lines.append(f"Away on {len(away)} day{'s' if len(away) != 1 else ''}: nothing owed.")
    if paused:
        lines.append(
            f"Paused for pain on {len(paused)} day{'s' if len(paused) != 1 else ''} "
            f"({_d(paused[0])} to {_d(paused[-1])}): the right call."
        )
    return lines


def _change_sentence(t: Trend) -> str:
    unit = "degrees" if t.unit == "degrees" else t.unit
    c = t.change or 0.0
    err = f"the {t.mdc:g} {unit.rstrip('s') if unit == 'degrees' else unit} measurement error"
    err += " (assumed; this test has no published one)" if t.mdc_assumed else " of this test"
    return (
        f"{MOTION_LABEL[t.motion].capitalize()}, {t.side}: {c:+g} {unit} in {_weeks(t.weeks)}, "
        f"more than {err}."
    )


def _names(trends: list[Trend]) -> str:
    sides: dict[str, list[str]] = {}
    for t in trends:
        sides.setdefault(t.motion, []).append(t.side)
    return ", ".join(
        f"{MOTION_LABEL[m]} ({'both sides' if len(s) == 2 else s[0]})" for m, s in sides.items()
    )


def changed_lines(p: Progress) -> tuple[list[str], list[str]]:
    """(what changed, advice): real gains, real losses, and the patience message."""
    lines: list[str] = []
    advice: list[str] = []
    compared = [t for t in p.trends if len(t.points) >= 2 and t.mdc is not None]
    if not compared:
        if p.trends:
            lines.append(
                "One test so far: the next one, in two to three weeks, shows the first change."
            )
        else:
            lines.append("No tests yet: assess your hips to see where you start.")
        return lines, advice
    gains = [t for t in compared if t.beyond_error and (t.change or 0) > 0]
    losses = [t for t in compared if t.beyond_error and (t.change or 0) < 0]
    flat = [t for t in compared if not t.beyond_error]
    for t in gains:
        lines.append(_change_sentence(t) + " A real gain: the work is paying off.")
    for t in losses:
        lines.append(
            _change_sentence(t) + " A real drop, not noise. It can follow a painful spell or a "
            "hard block of running: re-test it, and if it stays down or hurts, see a "
            "physiotherapist."
        )
    if flat:
        weeks = max(t.weeks for t in flat)
        names = _names(flat)
        if weeks < GAINS_EXPECTED_WEEKS + 2:
            lines.append(
                f"No change beyond measurement error yet in {names}: normal at "
                f"{_weeks(weeks)} (gains usually show after 4 to 6 weeks), keep going."
            )
        else:
            lines.append(f"Within measurement error (no clear change yet): {names}.")
    # No gain beyond the error after 8 weeks of consistent work, on a motion that needs it.
    stuck = [
        t
        for t in flat
        if p.profile.motion(t.motion).side_status(t.side) in ("restricted", "borderline")
        and round(t.weeks) >= REFER_AFTER_WEEKS
        and consistent(list(p.days), since=t.points[0].date)
    ]
    for motion in dict.fromkeys(t.motion for t in stuck):
        advice.append(
            f"{MOTION_LABEL[motion].capitalize()}: {REFER_AFTER_WEEKS} weeks of consistent "
            "work and no gain beyond measurement error. That happens, and it is worth a "
            "physiotherapist's look: something other than tightness (the joint's shape, an "
            "old injury) may be limiting it."
        )
    return lines, advice


def next_lines(p: Progress) -> list[str]:
    lines: list[str] = []
    if p.safety.paused:
        lines.append("The programme is paused: " + " ".join(p.safety.advice))
        return lines
    pri = [MOTION_LABEL[m] for m in p.profile.priorities]
    if pri:
        lines.append(
            "More time goes to " + ", ".join(pri) + ": the plan keeps giving what is restricted "
            "the larger share."
        )
    elif p.profile.assessed:
        lines.append("Nothing restricted now: the plan spreads time evenly to keep it that way.")
    for motion in MOTIONS:
        if motion in p.retest_due:
            when = p.retest_due[motion]
            lines.append(
                f"Re-test {MOTION_LABEL[motion]}: last tested {_d(when)}, "
                f"{(p.as_of - when).days // 7} weeks ago (`triplane assess add`)."
            )
    moving = [d for d in p.lunge_next if d.status == "progress"]
    if moving:
        names = ", ".join(p_.prescription.direction for p_ in moving)
        lines.append(f"Lunge matrix: the next step up is ready in {names}.")
    if not lines:
        lines.append("Keep to today's plan: a few minutes, several times a day.")
    return lines


def patience_line(p: Progress) -> str:
    gains = [t for t in p.trends if len(t.points) >= 2 and t.beyond_error and (t.change or 0) > 0]
    if gains:
        best = max(gains, key=lambda t: (t.change or 0) / (t.mdc or 1))
        return (
            f"Your own data shows it: {MOTION_LABEL[best.motion]} on the {best.side} moved "
            f"{best.change:+g} {'degrees' if best.unit == 'degrees' else best.unit} in "
            f"{_weeks(best.weeks)}. Mobility comes with consistent weeks, like distance on long "
            "runs; a few minutes a day keep it coming."
        )
    return (
        "Mobility gains take weeks of consistent, short practice, like adding distance to long "
        "runs. Some people improve fast, others slowly; give the drills a chance."
    )


def build_review(p: Progress) -> Review:
    changed, advice = changed_lines(p)
    sections = [
        Section("What was done", tuple(done_lines(p))),
        Section("What changed", tuple(changed)),
        Section("What comes next", tuple(next_lines(p) + advice)),
        Section("Patience", (patience_line(p),)),
    ]
    return Review(f"Weekly review for {p.athlete}, {_d(p.as_of)} {p.as_of.year}", tuple(sections))

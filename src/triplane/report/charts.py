"""The charts: one function per chart, plain data in, a `Chart` (figure + text alternative) out.

One code path for the CLI report, the PDF and the web app (`chart_svg`). matplotlib's Agg
backend, no display, no pyplot state: every figure is a `matplotlib.figure.Figure`.

Readable on a phone: 7 inches wide, 12-13 pt text, few ticks, labels on the data rather than in
far-away legends. Colour-blind safe: the Okabe-Ito palette, and colour never carries meaning
alone (left and right also differ by marker and line style; statuses are written out).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from typing import TYPE_CHECKING, Any, Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from triplane.core.anatomy import MOTION_LABEL, MOTIONS  # noqa: E402
from triplane.core.assess import Profile  # noqa: E402
from triplane.core.lunge import VARIABLES  # noqa: E402
from triplane.core.progress import (  # noqa: E402
    DayAdherence,
    LungeHistory,
    MotionWeek,
    Streaks,
    Trend,
    monday,
    recent_days,
)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from triplane.usecases.progress import Progress
    from triplane.usecases.service import Athlete, Service

# Okabe & Ito (2008), "Color Universal Design"
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
SIDE_STYLE = {
    "left": {"color": OKABE_ITO["blue"], "marker": "o", "linestyle": "-"},
    "right": {"color": OKABE_ITO["orange"], "marker": "s", "linestyle": "--"},
}
DONE = OKABE_ITO["green"]
WARN = OKABE_ITO["vermillion"]
GREY = "#8C8C8C"
# lightness ramp for ordered levels (readable in grey scale too)
LEVELS = ("#DCEAF5", "#8DBFE2", "#3B86C0", "#0B3C73")
WIDTH = 7.0  # inches
RC: dict[RcKeyType, Any] = {  # rc_context's own value type
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",  # self-contained: no font files needed
    "svg.hashsalt": "triplane",  # stable ids between runs
}
TITLES = {
    "mobility_map": "Hip mobility map",
    "trend": "Each motion over time",
    "consistency": "Consistency: minutes done against planned",
    "motion_minutes": "Minutes per motion per week",
    "lunge_levels": "Lunge matrix levels",
}


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    figure: Figure
    alt: str  # the text alternative: what a person would learn from the chart


def _figure(height: float, layout: Literal["constrained"] | None = "constrained") -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(WIDTH, height), layout=layout)


def _empty(name: str, message: str) -> Chart:
    with matplotlib.rc_context(RC):
        fig = _figure(2.2)
        fig.suptitle(TITLES[name], fontsize=14, fontweight="bold")
        fig.text(0.5, 0.45, message, ha="center", va="center", wrap=True, color="#333333")
    return Chart(name, TITLES[name], fig, f"{TITLES[name]}: {message}")


def _short(d: date) -> str:
    return f"{d.day} {d:%b}"


def _label(motion: str) -> str:
    return MOTION_LABEL[motion].capitalize()


# ---- hip mobility map ---------------------------------------------------------------------------


def mobility_map(profile: Profile, norm_set_name: str = "") -> Chart:
    """Paired bars: each motion, left and right, as a percentage of the norm's low end."""
    name = "mobility_map"
    if not profile.assessed:
        return _empty(name, "No assessment yet: test your hips (triplane assess add ...).")
    alt: list[str] = []
    with matplotlib.rc_context(RC):
        fig = _figure(7.2, layout=None)
        ax = fig.add_axes((0.3, 0.09, 0.66, 0.8))
        rows = list(reversed(MOTIONS))  # flexion at the top
        top = 130.0
        for r in profile.motions:
            for s in (r.left, r.right):
                if s.ratio is not None:
                    top = max(top, s.ratio * 100 + 30)
        for i, motion in enumerate(rows):
            r = profile.motion(motion)
            y = i * 1.0
            if r.status == "restricted":
                ax.axhspan(y - 0.48, y + 0.48, color=WARN, alpha=0.08, lw=0)
            words: list[str] = []
            for side, offset in (("left", 0.2), ("right", -0.2)):
                s = r.left if side == "left" else r.right
                st = SIDE_STYLE[side]
                if s.ratio is not None and s.value is not None:
                    pct = s.ratio * 100
                    ax.barh(
                        y + offset,
                        pct,
                        height=0.36,
                        color=st["color"],
                        hatch="" if side == "left" else "//",
                        edgecolor="white",
                        lw=0,
                    )
                    text = f"{s.value:g}°  {pct:.0f}%"
                    ax.text(pct + 1.5, y + offset, text, va="center", fontsize=10.5)
                    words.append(f"{side} {s.value:g} degrees ({pct:.0f}% of norm, {s.status})")
                elif s.value is not None:
                    shown = _value_text(s.value, s.unit)
                    ax.text(2, y + offset, f"{side}: {shown}", va="center", fontsize=10.5)
                    words.append(f"{side} {shown} ({s.status})")
                else:
                    ax.text(
                        2, y + offset, f"{side}: not tested", va="center", fontsize=10.5, color=GREY
                    )
                    words.append(f"{side} not tested")
            status = r.status if r.status != "unknown" else "not tested"
            mark = f"\n{status}"
            if r.asymmetry_flagged and r.asymmetry_degrees is not None:
                mark += f", L-R {r.asymmetry_degrees:g}°"
            ax.text(
                -2,
                y + 0.05,
                _label(motion),
                ha="right",
                va="bottom",
                fontsize=12,
                fontweight="bold",
                transform=ax.transData,
            )
            ax.text(
                -2,
                y + 0.05,
                mark,
                ha="right",
                va="top",
                fontsize=10.5,
                color=WARN if r.status == "restricted" or r.asymmetry_flagged else "#333333",
                fontweight="bold" if r.status == "restricted" else "normal",
            )
            sentence = f"{_label(motion)}: " + "; ".join(words)
            if r.asymmetry_flagged:
                sentence += (
                    f"; left and right differ by {r.asymmetry_degrees:g} degrees, more than "
                    "measurement error"
                )
            alt.append(sentence + ".")
        ax.axvline(100, color=OKABE_ITO["black"], lw=1.5)
        ax.axvline(85, color=GREY, lw=1.2, ls=":")
        ax.text(100, len(rows) - 0.45, " norm", fontsize=10.5, va="bottom")
        ax.text(85, len(rows) - 0.45, "85% ", fontsize=10.5, va="bottom", ha="right", color=GREY)
        ax.set_xlim(0, top)
        ax.set_ylim(-0.6, len(rows) - 0.1)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("% of the norm's low end")
        ax.legend(
            handles=[
                Patch(color=SIDE_STYLE["left"]["color"], label="left"),
                Patch(
                    facecolor=SIDE_STYLE["right"]["color"],
                    hatch="//",
                    edgecolor="white",
                    label="right",
                ),
            ],
            loc="lower right",
            frameon=True,
        )
        title = TITLES[name] + (f"\nagainst {norm_set_name}" if norm_set_name else "")
        fig.suptitle(title, fontsize=13, fontweight="bold", x=0.5, y=0.985)
    intro = (
        f"{TITLES[name]}, each motion as a percentage of the norm"
        + (f" ({norm_set_name})" if norm_set_name else "")
        + "; below 85% counts as restricted. "
    )
    return Chart(name, TITLES[name], fig, intro + " ".join(alt))


def _value_text(value: float, unit: str | None) -> str:
    if unit == "pass_fail":
        return "pass" if value >= 1 else "fail"
    if unit == "rating":
        return f"self-rating {value:g} of 3"
    if unit == "cm":
        return f"{value:g} cm"
    return f"{value:g}"


# ---- trends -------------------------------------------------------------------------------------


def trend(trends: Sequence[Trend], as_of: date | None = None) -> Chart:
    """Each motion and side over time, as the change since its first test. The grey band is
    the test's measurement error around zero: a line that leaves the band has really changed;
    inside it, the change may be noise. The latest value is written at the end of each line."""
    name = "trend"
    if not trends:
        return _empty(name, "No measurements yet: the first test starts the line.")
    motions = [m for m in MOTIONS if any(t.motion == m for t in trends)]
    cols = 2 if len(motions) > 1 else 1
    nrows = (len(motions) + cols - 1) // cols
    all_dates = [p.date for t in trends for p in t.points]
    lo = min(all_dates)
    hi = max([*all_dates, as_of or max(all_dates)])
    if (hi - lo).days < 14:
        lo, hi = lo - timedelta(days=7), max(hi, lo) + timedelta(days=7)
    span = (hi - lo).days
    ticks = [lo + timedelta(days=i) for i in range(0, span + 1, max(7, (span // 3 // 7) * 7))]
    alt: list[str] = []
    any_assumed = False
    with matplotlib.rc_context(RC):
        fig = _figure(1.2 + 2.6 * nrows)
        axes = fig.subplots(nrows, cols, squeeze=False)
        for k, motion in enumerate(motions):
            ax = axes[k // cols][k % cols]
            chosen = [t for t in trends if t.motion == motion]
            mdcs = [t.mdc for t in chosen if t.mdc is not None]
            mdc = max(mdcs) if mdcs else None
            extent = [mdc or 0.0]
            if mdc is not None:
                ax.axhspan(-mdc, mdc, color="#BBBBBB", alpha=0.35, lw=0)
            ax.axhline(0, color="#666666", lw=0.8)
            lasts = {
                t.side: (t.points[-1].value - t.points[0].value) * (1 if t.higher_is_better else -1)
                for t in chosen
            }
            for t in chosen:
                st = SIDE_STYLE[t.side]
                xs = [p.date for p in t.points]
                ys = [p.value - t.points[0].value for p in t.points]
                if not t.higher_is_better:
                    ys = [-y for y in ys]
                extent += [abs(y) for y in ys]
                ax.plot(
                    xs,
                    ys,
                    color=st["color"],
                    marker=st["marker"],
                    ls=st["linestyle"],
                    lw=2.2,
                    ms=7,
                    label=t.side,
                    clip_on=False,
                )
                for p, y in zip(t.points, ys, strict=True):
                    if p.painful:
                        ax.plot([p.date], [y], marker="x", color=WARN, ms=11, mew=2.5)
                other = lasts.get("right" if t.side == "left" else "left")
                above = other is None or ys[-1] > other or (ys[-1] == other and t.side == "left")
                unit = "°" if t.unit == "degrees" else f" {t.unit}"
                ax.annotate(
                    f"{t.points[-1].value:g}{unit}",
                    (xs[-1], ys[-1]),
                    xytext=(6, 9 if above else -9),
                    textcoords="offset points",
                    va="center",
                    fontsize=10.5,
                    color=st["color"],
                    fontweight="bold",
                )
                alt.append(_trend_sentence(t))
            top = max(extent) * 1.25 + 1
            ax.set_ylim(-top, top)
            ax.set_xlim(lo - timedelta(days=2), hi + timedelta(days=max(6, span // 6)))
            ax.set_xticks(ticks[:5])
            ax.set_xticklabels([_short(d) for d in ticks[:5]])
            t0 = chosen[0]
            unit = "°" if t0.unit == "degrees" else f" {t0.unit}"
            assumed = any(t.mdc_assumed for t in chosen)
            any_assumed = any_assumed or assumed
            err = "" if mdc is None else f"±{mdc:g}{unit}" + ("*" if assumed else "")
            ax.set_title(
                _label(motion) + (f"  {err}" if err else ""),
                loc="left",
                fontsize=12,
                fontweight="bold",
            )
            if k % cols == 0:
                ax.set_ylabel("change" + (" (°)" if t0.unit == "degrees" else f" ({t0.unit})"))
            ax.grid(axis="y", color="#E5E5E5")
            if k == 0:
                ax.legend(loc="lower left", frameon=False, fontsize=10.5, ncol=2)
        for k in range(len(motions), nrows * cols):
            axes[k // cols][k % cols].set_visible(False)
        fig.suptitle(
            TITLES[name] + "\nchange since the first test · grey band: measurement error",
            fontsize=13,
            fontweight="bold",
        )
        if any_assumed:
            fig.supxlabel(
                "* no published error for this test: the 8.6° of seated rotation is assumed",
                fontsize=10,
                color="#444444",
            )
    intro = (
        "Each motion and side over time, as the change since its first test. The grey band is "
        "the test's measurement error; only a change beyond it is more than noise. "
    )
    return Chart(name, TITLES[name], fig, intro + " ".join(alt))


def _trend_sentence(t: Trend) -> str:
    unit = "degrees" if t.unit == "degrees" else t.unit
    label = f"{MOTION_LABEL[t.motion]}, {t.side}"
    values = ", ".join(f"{p.value:g} on {p.date.isoformat()}" for p in t.points)
    s = f"{label} ({t.test_name}): {values}."
    c = t.change
    if c is not None and t.mdc is not None:
        verdict = "beyond" if t.beyond_error else "within"
        s += f" Change {c:+g} {unit}, {verdict} the {t.mdc:g} {unit} measurement error."
    return s


# ---- consistency calendar -----------------------------------------------------------------------


def consistency(days: Sequence[DayAdherence], streaks: Streaks, weeks: int = 12) -> Chart:
    """A calendar: one column per week, one row per weekday, shaded by minutes done / planned."""
    name = "consistency"
    if not days:
        return _empty(name, "No plan yet: nothing to count.")
    last = max(d.date for d in days)
    first = max(min(d.date for d in days), monday(last) - timedelta(weeks=weeks - 1))
    first = monday(first)
    shown = [d for d in days if d.date >= first]
    ncols = (monday(last) - first).days // 7 + 1
    with matplotlib.rc_context(RC):
        fig = _figure(5.6)
        ax = fig.add_subplot()
        by_date = {d.date: d for d in shown}
        for col in range(ncols):
            for row in range(7):
                day = first + timedelta(days=7 * col + row)
                d = by_date.get(day)
                face, hatch, text, edge = "white", "", "", "#D0D0D0"
                if d is None:
                    pass
                elif d.state == "away":
                    face, hatch, text = "#EFEFEF", "//", "away"
                elif d.state == "paused":
                    face, hatch, text = "#F6E0D3", "xx", "pause"
                else:
                    share = d.share
                    face = _share_colour(share, d.done)
                    text = f"{d.done:.0f}" if d.planned > 0 else ""
                    if d.state == "today":
                        edge = OKABE_ITO["black"]
                ax.add_patch(
                    matplotlib.patches.Rectangle(
                        (col, 6 - row),
                        0.94,
                        0.94,
                        facecolor=face,
                        hatch=hatch,
                        edgecolor=edge,
                        lw=1.5 if edge == OKABE_ITO["black"] else 0.6,
                    )
                )
                if text:
                    dark = face in (LEVELS[2], LEVELS[3])
                    ax.text(
                        col + 0.47,
                        6 - row + 0.47,
                        text,
                        ha="center",
                        va="center",
                        fontsize=9.5 if len(text) > 3 else 11,
                        color="white" if dark else "#222222",
                    )
        ax.set_xlim(-0.1, ncols + 0.05)
        ax.set_ylim(-0.1, 7.05)
        ax.set_yticks([6.47 - i for i in range(7)])
        ax.set_yticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        every = 1 if ncols <= 8 else 2
        ax.set_xticks([c + 0.47 for c in range(0, ncols, every)])
        ax.set_xticklabels([_short(first + timedelta(weeks=c)) for c in range(0, ncols, every)])
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_aspect("equal" if ncols <= 12 else "auto")
        ax.legend(
            handles=[
                Patch(facecolor=LEVELS[0], edgecolor="#999999", label="none"),
                Patch(facecolor=LEVELS[1], label="under half"),
                Patch(facecolor=LEVELS[2], label="half or more"),
                Patch(facecolor=LEVELS[3], label="all planned"),
                Patch(facecolor="#EFEFEF", hatch="//", edgecolor="#999999", label="away"),
                Patch(facecolor="#F6E0D3", hatch="xx", edgecolor="#999999", label="paused"),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.08),
            ncol=3,
            frameon=False,
        )
        planned = sum(d.planned for d in shown if d.state == "planned")
        done = sum(d.done for d in shown if d.state == "planned")
        active, counted = recent_days(days, last)
        sub = "numbers: minutes done · outlined: today"
        if active:  # consistency, never a broken streak
            sub += f" · {active} of the last {counted} days"
        fig.suptitle(f"{TITLES[name]}\n{sub}", fontsize=13, fontweight="bold")
    pct = f" ({done / planned:.0%})" if planned else ""
    alt = (
        f"Calendar of the last {ncols} week{'s' if ncols != 1 else ''} from {first.isoformat()}: "
        f"{done:.0f} of {planned:.0f} planned minutes done{pct}; "
        f"{streaks.active_days} days with some mobility work out of {streaks.planned_days} "
        "planned" + (f"; {active} of the last {counted} days. " if active else ". ")
    )
    away = [d.date.isoformat() for d in shown if d.state == "away"]
    paused = [d.date.isoformat() for d in shown if d.state == "paused"]
    missed = [d.date.isoformat() for d in shown if d.state == "planned" and not d.active]
    if away:
        alt += f"Away: {', '.join(away)}. "
    if paused:
        alt += f"Paused for pain: {', '.join(paused)}. "
    if missed:
        alt += f"Days with nothing done: {', '.join(missed)}."
    return Chart(name, TITLES[name], fig, alt.strip())


def _share_colour(share: float | None, done: float) -> str:
    if share is None:
        return LEVELS[3] if done >= 1 else "white"
    if done < 1:
        return LEVELS[0]
    if share < 0.5:
        return LEVELS[1]
    if share < 0.999:
        return LEVELS[2]
    return LEVELS[3]


# ---- minutes per motion per week ----------------------------------------------------------------


def motion_minutes(weeks: Sequence[MotionWeek], recent: int = 12) -> Chart:
    """Minutes per motion per week: done (bars) against planned (outline), one panel per motion
    on a shared scale, so it shows that restricted motions really got more."""
    name = "motion_minutes"
    mondays = sorted({w.week for w in weeks})[-recent:]
    chosen = [w for w in weeks if w.week in mondays]
    if not chosen or not any(w.planned or w.done for w in chosen):
        return _empty(name, "No minutes planned or done yet.")
    alt: list[str] = []
    with matplotlib.rc_context(RC):
        fig = _figure(8.4)
        axes = fig.subplots(3, 2, sharey=True, squeeze=False)
        top = max(max(w.planned, w.done) for w in chosen)
        for k, motion in enumerate(MOTIONS):
            ax = axes[k // 2][k % 2]
            rows = [w for w in chosen if w.motion == motion]
            xs = list(range(len(rows)))
            ax.bar(
                xs,
                [w.planned for w in rows],
                width=0.8,
                facecolor="none",
                edgecolor=OKABE_ITO["black"],
                lw=1.2,
                label="planned",
            )
            ax.bar(xs, [w.done for w in rows], width=0.5, color=DONE, label="done")
            status = rows[-1].status if rows else "unknown"
            restricted = status == "restricted" or any(w.status == "restricted" for w in rows)
            label = _label(motion)
            if restricted:
                label += " · restricted" if status == "restricted" else " · was restricted"
            ax.set_title(
                label,
                loc="left",
                fontsize=12,
                fontweight="bold",
                color=WARN if restricted else "#222222",
            )
            ax.set_ylim(0, top * 1.12 + 1)
            ticks = xs[:: max(1, len(xs) // 3)]
            ax.set_xticks(ticks)
            ax.set_xticklabels([_short(rows[i].week) for i in ticks])
            ax.grid(axis="y", color="#E5E5E5")
            if k % 2 == 0:
                ax.set_ylabel("min / week")
            if k == 0:
                ax.legend(loc="upper left", frameon=False, fontsize=10)
            n = len(rows) or 1
            p = sum(w.planned for w in rows) / n
            d = sum(w.done for w in rows) / n
            alt.append(
                f"{_label(motion)}{' (restricted)' if restricted else ''}: on average "
                f"{p:.0f} minutes a week planned, {d:.0f} done."
            )
        fig.suptitle(
            f"{TITLES[name]}\nbars: done · outline: planned", fontsize=13, fontweight="bold"
        )
    intro = (
        f"Minutes per motion per week over the last {len(mondays)} week"
        f"{'s' if len(mondays) != 1 else ''}, planned and done; the plan gives restricted "
        "motions more time. "
    )
    return Chart(name, TITLES[name], fig, intro + " ".join(alt))


# ---- lunge matrix -------------------------------------------------------------------------------


def lunge_levels(
    history: Sequence[LungeHistory], ladders: Mapping[str, Sequence[str]], recent: int = 24
) -> Chart:
    """Per direction, the step of each variable at each session (darker = harder), with the
    next prescription as the last column. ▼ marks a session where balance went or it hurt
    (a step back follows); lighter columns before long runs are the planner's caps."""
    name = "lunge_levels"
    with_sessions = [h for h in history if any(p.outcome != "next" for p in h.points)]
    if not with_sessions:
        return _empty(
            name,
            "No lunge-matrix sessions yet: the first one starts at body weight, "
            "short range, slow and stable.",
        )
    alt: list[str] = []
    cmap = ListedColormap(LEVELS)
    cols = 2 if len(with_sessions) > 1 else 1
    nrows = (len(with_sessions) + cols - 1) // cols
    with matplotlib.rc_context(RC):
        fig = _figure(1.3 + 2.5 * nrows)
        axes = fig.subplots(nrows, cols, squeeze=False)
        for k, h in enumerate(with_sessions):
            ax = axes[k // cols][k % cols]
            points = list(h.points)[-recent:]
            grid = [
                [_shade_index(step, len(ladders.get(v, ())) or 4) for v, step in p.levels]
                for p in points
            ]
            # rows: variables top to bottom; columns: sessions
            matrix = [[grid[j][i] for j in range(len(points))] for i in range(len(VARIABLES))]
            ax.imshow(
                matrix,
                cmap=cmap,
                vmin=-0.5,
                vmax=3.5,
                aspect="auto",
                extent=(0, len(points), 0, len(VARIABLES)),
                interpolation="nearest",
            )
            for j in range(1, len(points)):
                ax.axvline(j, color="white", lw=1.2)
            for i in range(1, len(VARIABLES)):
                ax.axhline(i, color="white", lw=1.2)
            if points[-1].outcome == "next":
                ax.add_patch(
                    matplotlib.patches.Rectangle(
                        (len(points) - 1, 0),
                        1,
                        len(VARIABLES),
                        facecolor="none",
                        edgecolor=OKABE_ITO["black"],
                        lw=2,
                        clip_on=False,
                    )
                )
            for j, p in enumerate(points):
                if p.outcome in ("balance", "stop"):
                    ax.text(
                        j + 0.5,
                        len(VARIABLES) + 0.05,
                        "▼",
                        ha="center",
                        va="bottom",
                        color=WARN,
                        fontsize=11,
                    )
            ax.set_xlim(0, len(points))
            ax.set_ylim(0, len(VARIABLES) + 0.8)
            ax.set_yticks([len(VARIABLES) - 1 - i + 0.5 for i in range(len(VARIABLES))])
            ax.set_yticklabels(VARIABLES if k % cols == 0 else [""] * len(VARIABLES), fontsize=10.5)
            ticks = [0, len(points) - 1] if len(points) > 1 else [0]
            labels = [
                "next" if points[i].outcome == "next" else _short(points[i].date) for i in ticks
            ]
            ax.set_xticks([t + 0.5 for t in ticks])
            ax.set_xticklabels(labels, fontsize=10.5)
            ax.tick_params(length=0)
            for side in ("left", "bottom"):
                ax.spines[side].set_visible(False)
            ax.set_title(h.name, loc="left", fontsize=12, fontweight="bold")
            alt.append(_lunge_sentence(h, ladders))
        for k in range(len(with_sessions), nrows * cols):
            axes[k // cols][k % cols].set_visible(False)
        fig.legend(
            handles=[
                Patch(facecolor=c, label=lab)
                for c, lab in zip(LEVELS, ("first step", "", "", "top step"), strict=True)
            ]
            + [Patch(facecolor="white", edgecolor="black", label="next session")],
            loc="lower center",
            ncol=5,
            frameon=False,
            fontsize=10,
            handlelength=1.2,
            columnspacing=0.8,
        )
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):  # it is: _figure's default layout
            engine.set(rect=(0, 0.05, 1, 0.95))
        fig.suptitle(
            f"{TITLES[name]}\none column per session · darker = harder\n"
            "▼ balance lost or pain: a step back follows",
            fontsize=13,
            fontweight="bold",
        )
    intro = (
        "The lunge-matrix level of each variable (load, range, environment, speed, stability, "
        "duration) per direction, session by session. "
    )
    return Chart(name, TITLES[name], fig, intro + " ".join(alt))


def _shade_index(step: int, n_steps: int) -> int:
    """A ladder's step on the four-shade scale: the first step lightest, the top darkest."""
    return min(3, round(step * 3 / max(1, n_steps - 1)))


def _lunge_sentence(h: LungeHistory, ladders: Mapping[str, Sequence[str]]) -> str:
    sessions = [p for p in h.points if p.outcome != "next"]
    current = h.points[-1]
    raised = [
        f"{v} {ladders[v][i] if v in ladders and i < len(ladders[v]) else i + 1}"
        for v, i in current.levels
        if i > 0
    ]
    backs = sum(1 for p in sessions if p.outcome in ("balance", "stop"))
    s = f"{h.name}: {len(sessions)} session{'s' if len(sessions) != 1 else ''}"
    s += "; now " + (", ".join(raised) if raised else "at the first step of every variable")
    if backs:
        s += f"; {backs} session{'s' if backs != 1 else ''} with lost balance or pain"
    return s + "."


# ---- output -------------------------------------------------------------------------------------

_ids = count(1)


def to_svg(fig: Figure, prefix: str | None = None) -> str:
    """The figure as an SVG document string (fonts as paths; ids made unique with `prefix` so
    several charts can sit inline in one HTML page)."""
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF with external URIs
    p = prefix or f"c{next(_ids)}"
    svg = re.sub(r'id="([^"]+)"', rf'id="{p}-\1"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{p}-\2"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{p}-\1)", svg)


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


# ---- from the service ---------------------------------------------------------------------------


def ladder_labels(svc: Service) -> dict[str, list[str]]:
    return {v: [s.label for s in lad.steps] for v, lad in svc.catalogue.lunge.ladders.items()}


def charts_for(prog: Progress, ladders: Mapping[str, Sequence[str]]) -> list[Chart]:
    """All five charts from one progress snapshot, in report order."""
    return [
        mobility_map(prog.profile, prog.norm_set_name),
        trend(prog.trends, prog.as_of),
        consistency(prog.days, prog.streaks),
        motion_minutes(prog.motion_weeks),
        lunge_levels(prog.lunge, ladders),
    ]


def chart(svc: Service, athlete: Athlete, name: str, as_of: date | None = None) -> Chart:
    from triplane.usecases.progress import progress
    from triplane.usecases.service import Invalid

    if name not in TITLES:
        raise Invalid(f"unknown chart '{name}'; use one of {', '.join(TITLES)}")
    prog = progress(svc, athlete, as_of)
    makers = {
        "mobility_map": lambda: mobility_map(prog.profile, prog.norm_set_name),
        "trend": lambda: trend(prog.trends, prog.as_of),
        "consistency": lambda: consistency(prog.days, prog.streaks),
        "motion_minutes": lambda: motion_minutes(prog.motion_weeks),
        "lunge_levels": lambda: lunge_levels(prog.lunge, ladder_labels(svc)),
    }
    return makers[name]()


def chart_svg(
    svc: Service, athlete: Athlete, name: str, as_of: date | None = None
) -> tuple[str, str]:
    """For the web app: (inline SVG, text alternative) of one chart by name
    (mobility_map | trend | consistency | motion_minutes | lunge_levels)."""
    c = chart(svc, athlete, name, as_of)
    return to_svg(c.figure, prefix=name), c.alt

"""Per-frame angles against a reference series: RMSE, bias and correlation per plane and side.

A reference is a CSV (``time`` plus ``hip_flexion_l``, ``hip_adduction_l``, ``hip_rotation_l``
and the ``_r`` ones; or ``left.hip_flexion``-style columns in this project's own convention)
or an OpenSim ``.mot`` (the same OpenSim coordinate names, after ``endheader``). OpenSim's
conventions are converted to this project's: adduction positive there, abduction here (sign
flipped); flexion and internal rotation positive in both.

The measured series is the ``frames`` list of ``measure --json --frames``. Used by
``bench/vision_accuracy.py`` and the tests; numpy only (no video, no model).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

KEYS = ("hip_flexion", "hip_abduction", "hip_rotation")
PLANE = {"hip_flexion": "sagittal", "hip_abduction": "frontal", "hip_rotation": "transverse"}
SIDES = ("left", "right")
# OpenSim coordinate -> (side, key, sign to this project's convention)
OPENSIM = {
    f"hip_{what}_{s[0]}": (s, key, sign)
    for s in SIDES
    for what, key, sign in (
        ("flexion", "hip_flexion", 1.0),
        ("adduction", "hip_abduction", -1.0),
        ("rotation", "hip_rotation", 1.0),
    )
}
Series = dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]  # (side, key) -> (times, values)


def _columns(names: Sequence[str]) -> dict[int, tuple[str, str, float]]:
    out: dict[int, tuple[str, str, float]] = {}
    for i, name in enumerate(names):
        n = name.strip()
        if n in OPENSIM:
            out[i] = OPENSIM[n]
        else:
            side, _, key = n.partition(".")
            if side in SIDES and key in KEYS:
                out[i] = (side, key, 1.0)
    return out


def _series(names: Sequence[str], rows: Iterable[Sequence[str]], source: str) -> Series:
    if "time" not in [n.strip() for n in names]:
        raise ValueError(f"{source}: no 'time' column")
    t_col = [n.strip() for n in names].index("time")
    cols = _columns(names)
    if not cols:
        raise ValueError(
            f"{source}: no hip angle columns (hip_flexion_l, hip_adduction_r, ... or "
            "left.hip_flexion, ...)"
        )
    times: list[float] = []
    data: dict[int, list[float]] = {i: [] for i in cols}
    for row in rows:
        if not row or not row[0].strip():
            continue
        times.append(float(row[t_col]))
        for i in cols:
            v = row[i].strip() if i < len(row) else ""
            data[i].append(float(v) if v not in ("", "nan", "NaN") else math.nan)
    t = np.asarray(times)
    return {(cols[i][0], cols[i][1]): (t, cols[i][2] * np.asarray(v)) for i, v in data.items()}


def read_reference(path: str | Path) -> Series:
    """A reference series from a CSV or an OpenSim .mot file (degrees)."""
    p = Path(path)
    text = p.read_text().splitlines()
    if p.suffix.lower() in (".mot", ".sto"):
        try:
            end = next(i for i, line in enumerate(text) if line.strip().lower() == "endheader")
        except StopIteration:
            raise ValueError(f"{p}: an OpenSim .mot needs an 'endheader' line") from None
        if any("inDegrees=no" in line for line in text[:end]):
            raise ValueError(f"{p}: angles in radians (inDegrees=no) are not supported")
        names = text[end + 1].split()
        return _series(names, (line.split() for line in text[end + 2 :]), str(p))
    reader = csv.reader(text)
    names = next(reader)
    return _series(names, reader, str(p))


def measured_series(frames: Sequence[Mapping[str, Any]]) -> Series:
    """The per-frame series of `measure --json --frames` (every frame of the locked person)."""
    out: Series = {}
    for side in SIDES:
        for key in KEYS:
            pts = [
                (float(r["time"]), float(r[side][key]))
                for r in frames
                if side in r and r[side].get(key) is not None
            ]
            if pts:
                t, v = zip(*pts, strict=True)
                out[(side, key)] = (np.asarray(t), np.asarray(v))
    return out


@dataclass(frozen=True)
class Stats:
    side: str
    key: str
    n: int
    rmse: float
    bias: float  # mean of measured - reference
    r: float  # Pearson correlation (nan when either series is constant)

    @property
    def plane(self) -> str:
        return PLANE[self.key]


def compare(measured: Series, reference: Series, offset: float = 0.0) -> list[Stats]:
    """Each measured (side, key) against the reference interpolated at its times (+ offset s)."""
    out = []
    for side in SIDES:
        for key in KEYS:
            if (side, key) not in measured or (side, key) not in reference:
                continue
            t, v = measured[(side, key)]
            rt, rv = reference[(side, key)]
            ok = ~np.isnan(rv)
            rt, rv = rt[ok], rv[ok]
            inside = (t + offset >= rt.min()) & (t + offset <= rt.max()) if len(rt) else t < 0
            if inside.sum() < 2:
                continue
            m = v[inside]
            ref = np.interp(t[inside] + offset, rt, rv)
            err = m - ref
            r = math.nan
            if np.std(m) > 1e-9 and np.std(ref) > 1e-9:
                r = float(np.corrcoef(m, ref)[0, 1])
            out.append(Stats(side, key, int(inside.sum()), float(np.sqrt(np.mean(err**2))),
                             float(np.mean(err)), r))  # fmt: skip
    return out


def mirror_check(original: Series, mirrored: Series) -> list[dict[str, Any]]:
    """The mirror test: a horizontally flipped clip should swap the sides. For each key, the
    RMSE of the flipped clip's left series against the original's right (swapped: small) and
    against the original's left (not swapped), and the same for the right side."""
    out = []
    for key in KEYS:
        for side, other in (("left", "right"), ("right", "left")):
            if (side, key) not in mirrored:
                continue
            swapped = compare({(side, key): mirrored[(side, key)]},
                              {(side, key): original[(other, key)]}
                              if (other, key) in original else {})  # fmt: skip
            same = compare({(side, key): mirrored[(side, key)]},
                           {(side, key): original[(side, key)]}
                           if (side, key) in original else {})  # fmt: skip
            if not swapped or not same:
                continue
            out.append({
                "key": key, "plane": PLANE[key], "flipped_side": side,
                "rmse_vs_other_side": round(swapped[0].rmse, 1),
                "rmse_vs_same_side": round(same[0].rmse, 1),
                "r_vs_other_side": round(swapped[0].r, 2),
                "sides_swap": swapped[0].rmse <= same[0].rmse,
            })  # fmt: skip
    return out


def table(stats: Sequence[Stats], label: str = "") -> str:
    lines = [f"{'plane':<11} {'side':<6} {'n':>5} {'RMSE':>6} {'bias':>6} {'r':>6}  {label}"]
    for s in stats:
        r = "   nan" if math.isnan(s.r) else f"{s.r:6.2f}"
        lines.append(f"{s.plane:<11} {s.side:<6} {s.n:>5} {s.rmse:6.1f} {s.bias:+6.1f} {r}")
    return "\n".join(lines)

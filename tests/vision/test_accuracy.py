"""The validation harness (bench/vision_accuracy.py and triplane.vision.accuracy): reference
files (CSV, OpenSim .mot), RMSE/bias/correlation per plane and side, and the mirror test."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from triplane.vision import accuracy as acc

ROOT = Path(__file__).resolve().parents[2]
MOT = """Coordinates
version=1
nRows=4
nColumns=7
inDegrees=yes
endheader
time\tpelvis_tilt\thip_flexion_r\thip_adduction_r\thip_rotation_r\thip_flexion_l\thip_adduction_l
0.0\t1\t10\t5\t-3\t20\t-2
0.1\t1\t20\t6\t-2\t30\t-1
0.2\t1\t30\t7\t-1\t40\t0
0.3\t1\t40\t8\t0\t50\t1
"""


def test_an_opensim_mot_is_read_in_this_projects_conventions(tmp_path: Path) -> None:
    p = tmp_path / "ik.mot"
    p.write_text(MOT)
    ref = acc.read_reference(p)
    assert set(ref) == {("right", "hip_flexion"), ("right", "hip_abduction"),
                        ("right", "hip_rotation"), ("left", "hip_flexion"),
                        ("left", "hip_abduction")}  # fmt: skip
    t, v = ref[("right", "hip_abduction")]
    assert list(t) == [0.0, 0.1, 0.2, 0.3] and list(v) == [-5, -6, -7, -8]  # adduction -> -
    assert list(ref[("left", "hip_flexion")][1]) == [20, 30, 40, 50]
    p.write_text(MOT.replace("inDegrees=yes", "inDegrees=no"))
    with pytest.raises(ValueError, match="radians"):
        acc.read_reference(p)
    p.write_text("time,knee\n0,1\n")
    with pytest.raises(ValueError, match="no hip angle columns"):
        acc.read_reference(p.rename(tmp_path / "x.csv"))


def test_compare_gives_rmse_bias_and_correlation(tmp_path: Path) -> None:
    t = np.arange(0, 3, 1 / 30)
    truth = 40 * np.sin(t)
    ref = tmp_path / "ref.csv"
    pairs = list(zip(t.tolist(), truth.tolist(), strict=True))
    ref.write_text("time,left.hip_flexion\n" + "".join(f"{a},{b}\n" for a, b in pairs))
    rows = [{"time": float(a), "left": {"hip_flexion": b + 3.0}} for a, b in pairs]
    (s,) = acc.compare(acc.measured_series(rows), acc.read_reference(ref))
    assert (s.side, s.plane, s.n) == ("left", "sagittal", len(t))
    assert s.rmse == pytest.approx(3.0) and s.bias == pytest.approx(3.0)
    assert s.r == pytest.approx(1.0)
    # the wrong side, reversed: correlation -1 and a large RMSE
    rows = [{"time": float(a), "left": {"hip_flexion": -float(b)}} for a, b in pairs]
    (s,) = acc.compare(acc.measured_series(rows), acc.read_reference(ref))
    assert s.r == pytest.approx(-1.0) and s.rmse > 20
    # an offset: the reference's clock runs 0.5 s ahead of the clip's
    rows = [{"time": float(a) - 0.5, "left": {"hip_flexion": float(b)}} for a, b in pairs]
    (s,) = acc.compare(acc.measured_series(rows), acc.read_reference(ref), offset=0.5)
    assert s.rmse == pytest.approx(0.0, abs=1e-6)


def test_the_mirror_check_says_whether_sides_swap() -> None:
    t = np.arange(0, 2, 1 / 30)
    orig = {("left", "hip_flexion"): (t, 30 * np.sin(t)), ("right", "hip_flexion"): (t, 5 + 0 * t)}
    swapped = {("left", "hip_flexion"): orig[("right", "hip_flexion")],
               ("right", "hip_flexion"): orig[("left", "hip_flexion")]}  # fmt: skip
    assert all(m["sides_swap"] for m in acc.mirror_check(orig, swapped))
    assert not any(m["sides_swap"] for m in acc.mirror_check(orig, orig) if m["key"])


def _bench(*args: str) -> str:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "vision_accuracy.py"), *args],
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_synthetic_reference_through_the_bench() -> None:
    out = _bench("--synthetic")
    lines = out.splitlines()
    rows = [ln for ln in lines if ln.split()[:1] in (["sagittal"], ["frontal"], ["transverse"])]
    assert len(rows) == 6 + 6  # accuracy per plane and side, then the mirror test
    for ln in rows[:6]:
        trunk, vertical = ln.split("|")
        rmse_trunk, rmse_vertical = float(trunk.split()[3]), float(vertical.split()[3])
        assert math.isfinite(rmse_trunk)
        if ln.startswith("sagittal"):  # the tilted pelvis: trunk reference beats vertical
            assert rmse_trunk < rmse_vertical
    assert all(ln.rstrip().endswith("yes") for ln in rows[6:])  # sides swap


@pytest.mark.slow
def test_the_mirror_test_on_a_real_clip_runs(clips: Any) -> None:
    out = _bench(str(clips.made("upright.mp4")))
    rows = [ln.split() for ln in out.splitlines()
            if ln.split()[:1] in (["sagittal"], ["frontal"], ["transverse"])]  # fmt: skip
    assert {(r[0], r[1]) for r in rows} == {(p, s) for p in ("sagittal", "frontal", "transverse")
                                            for s in ("left", "right")}  # fmt: skip
    for r in rows:
        assert float(r[2]) >= 0 and float(r[3]) >= 0 and r[-1] in ("yes", "NO")

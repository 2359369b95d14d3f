"""Charts, the weekly review and the report (HTML, PDF, folder), through the service and CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

pytest.importorskip("matplotlib", reason="matplotlib is not installed: pip install -e .")

from triplane.report import CHART_NAMES  # noqa: E402
from triplane.report import charts as C  # noqa: E402
from triplane.report.build import ReportError, render_html, write_report  # noqa: E402
from triplane.report.review import build_review  # noqa: E402
from triplane.store.db import open_engine  # noqa: E402
from triplane.usecases.demo import create_demo  # noqa: E402
from triplane.usecases.progress import progress  # noqa: E402
from triplane.usecases.service import Invalid, Service, open_service  # noqa: E402

TODAY = date(2026, 3, 2)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    engine = open_engine(f"sqlite:///{tmp_path_factory.mktemp('r') / 'demo.sqlite3'}")
    with engine.begin() as conn:
        create_demo(Service(conn), weeks=8, today=TODAY)
    return engine


def _all_charts(svc: Service, name: str) -> list[C.Chart]:
    return C.charts_for(progress(svc, svc.athlete(name), TODAY), C.ladder_labels(svc))


def _check_renders(chart: C.Chart) -> None:
    png = C.to_png(chart.figure)
    assert png.startswith(PNG) and len(png) > 5_000
    svg = C.to_svg(chart.figure)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert len(chart.alt) > 40


def test_charts_render_for_an_empty_history(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 'e.sqlite3'}") as svc:
        svc.add_athlete("new", tz="UTC")
        charts = _all_charts(svc, "new")
    assert [c.name for c in charts] == list(CHART_NAMES)
    for c in charts:
        _check_renders(c)
    by_name = {c.name: c for c in charts}
    for name in ("mobility_map", "trend", "lunge_levels"):
        assert "yet" in by_name[name].alt
    assert "0 of" in by_name["consistency"].alt


def test_charts_render_for_a_single_point(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 's.sqlite3'}") as svc:
        a = svc.add_athlete("one", tz="UTC", effective=TODAY - timedelta(days=3))
        svc.add_measurement(a, side="left", motion="internal_rotation", degrees=24, day=TODAY)
        svc.log_drill(a, next(iter(svc.catalogue.drills)), TODAY, minutes=3)
        svc.log_lunge(a, "anterior", 5, 2, "ok", day=TODAY)
        charts = {c.name: c for c in _all_charts(svc, "one")}
    for c in charts.values():
        _check_renders(c)
    assert "internal rotation, left" in charts["trend"].alt
    assert "24 on 2026-03-02" in charts["trend"].alt
    assert "Forward lunge: 1 session" in charts["lunge_levels"].alt
    assert "right not tested" in charts["mobility_map"].alt


def test_charts_for_a_long_history_say_what_they_show(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        charts = {c.name: c for c in _all_charts(svc, "demo")}
    for c in charts.values():
        _check_renders(c)
    mm = charts["mobility_map"].alt
    assert re.search(r"Extension: left \d+ degrees \(\d+% of norm, restricted\)", mm)
    assert "left and right differ by" in mm  # the flagged asymmetry
    assert "Change +12 degrees, beyond the 8.6 degrees measurement error" in charts["trend"].alt
    assert "Paused for pain: 2026-02-03" in charts["consistency"].alt
    assert "Away: 2026-01-30" in charts["consistency"].alt
    assert "Extension (restricted)" in charts["motion_minutes"].alt
    assert "lost balance or pain" in charts["lunge_levels"].alt


def test_svg_ids_are_unique_per_chart(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        a, b = (
            C.chart_svg(svc, svc.athlete("demo"), "trend", TODAY)[0],
            C.chart_svg(svc, svc.athlete("demo"), "consistency", TODAY)[0],
        )
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and ids_b and not ids_a & ids_b
    for ref in re.findall(r'href="#([^"]+)"', a):
        assert ref in ids_a


def test_chart_svg_for_the_web(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        a = svc.athlete("demo")
        for name in CHART_NAMES:
            svg, alt = C.chart_svg(svc, a, name, TODAY)
            assert svg.startswith("<svg") and alt
        with pytest.raises(Invalid, match="unknown chart 'radar'"):
            C.chart_svg(svc, a, "radar")


def test_okabe_ito_palette_only_for_categories() -> None:
    assert C.SIDE_STYLE["left"]["color"] in C.OKABE_ITO.values()
    assert C.SIDE_STYLE["right"]["color"] in C.OKABE_ITO.values()
    assert C.SIDE_STYLE["left"]["marker"] != C.SIDE_STYLE["right"]["marker"]
    assert C.DONE in C.OKABE_ITO.values() and C.WARN in C.OKABE_ITO.values()


# ---- the review ---------------------------------------------------------------------------------


def test_review_is_grounded_in_the_persons_data(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        r = build_review(progress(svc, svc.athlete("demo"), TODAY))
    text = r.text()
    assert re.search(
        r"Internal rotation, left: \+1\d degrees in 8 weeks, more than the 8\.6 degree "
        r"measurement error of this test",
        text,
    )
    assert "External rotation, right: -" in text and "A real drop" in text
    assert "Re-test abduction: last tested 19 Jan, 6 weeks ago" in text
    nxt = " ".join(r.section("What comes next").lines)
    assert "Extension: 8 weeks of consistent work and no gain beyond measurement error" in nxt
    assert "physiotherapist" in nxt
    assert "Paused for pain on 3 days" in text
    lowered = text.lower()
    for word in ("best", "rank", "beat", "record", "leaderboard"):
        assert word not in lowered


def test_review_early_on_says_no_change_is_normal(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 'x.sqlite3'}") as svc:
        start = TODAY - timedelta(weeks=3)
        a = svc.add_athlete("early", tz="UTC", effective=start)
        for day, v in ((start, 22), (TODAY - timedelta(days=1), 25)):
            svc.add_measurement(a, side="left", motion="internal_rotation", degrees=v, day=day)
        r = build_review(progress(svc, a, TODAY))
    changed = " ".join(r.section("What changed").lines)
    assert (
        "No change beyond measurement error yet in internal rotation (left): normal at 3 "
        "weeks" in changed
    )
    assert "keep going" in changed
    assert "physiotherapist" not in r.text()


def test_review_for_nobody_yet(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 'x.sqlite3'}") as svc:
        a = svc.add_athlete("new", tz="UTC")
        r = build_review(progress(svc, a, TODAY))
    assert "Nothing logged yet" in r.text() and "No tests yet" in r.text()


# ---- the report ---------------------------------------------------------------------------------


def test_html_report_is_self_contained(demo_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    with open_service(engine=demo_engine) as svc:
        kind, files = write_report(svc, svc.athlete("demo"), out, TODAY)
    assert kind == "html" and files == [out]
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg ") == len(CHART_NAMES)
    assert page.count('role="img"') == len(CHART_NAMES)
    for name in CHART_NAMES:
        assert f'aria-labelledby="{name}-alt"' in page and f'id="{name}-alt"' in page
    # no external references: only XML namespace names mention http
    without_ns = re.sub(r'xmlns(:\w+)?="[^"]+"', "", page)
    assert "http" not in without_ns
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert "@media print" in page
    assert "What was done" in page and "Re-test abduction" in page


def test_pdf_report_has_the_charts_in_it(demo_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.pdf"
    with open_service(engine=demo_engine) as svc:
        kind, _ = write_report(svc, svc.athlete("demo"), out, TODAY)
    assert kind == "pdf" and out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing (Debian poppler-utils): can't look at the PDF pages")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 1 + len(CHART_NAMES)  # the review fits one page, then one per chart
    from matplotlib.image import imread

    for page in pages[1:]:
        pixels = imread(page)[..., :3]
        inked = (pixels.mean(axis=2) < 0.9).mean()
        coloured = (pixels.max(axis=2) - pixels.min(axis=2) > 0.2).mean()
        assert inked > 0.03, f"{page.name} looks blank"
        assert coloured > 0.01, f"{page.name} has no coloured chart marks"


def test_folder_report(demo_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "charts"
    with open_service(engine=demo_engine) as svc:
        kind, files = write_report(svc, svc.athlete("demo"), out, TODAY)
    assert kind == "folder"
    names = sorted(p.name for p in files)
    assert names == sorted(
        [f"{n}.png" for n in CHART_NAMES] + [f"{n}.svg" for n in CHART_NAMES] + ["review.txt"]
    )
    assert (out / "mobility_map.png").read_bytes().startswith(PNG)
    assert "mobility_map.png / .svg:" in (out / "review.txt").read_text()
    assert not list(out.glob(".*")), "no temporary files left behind"


def test_report_errors(demo_engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with open_service(engine=demo_engine) as svc:
        a = svc.athlete("demo")
        with pytest.raises(ReportError, match=r"'\.docx'; use \.html, \.pdf, or a folder"):
            write_report(svc, a, tmp_path / "r.docx", TODAY)
        with pytest.raises(ReportError, match="can't write the report"):
            write_report(svc, a, tmp_path / "missing" / "r.html", TODAY)
    assert not (tmp_path / "missing").exists()


def test_render_html_escapes_names(tmp_path: Path) -> None:
    with open_service(f"sqlite:///{tmp_path / 'x.sqlite3'}") as svc:
        a = svc.add_athlete("<b>Ann</b>", tz="UTC")
        p = progress(svc, a, TODAY)
        page = render_html(p, build_review(p), [])
    assert "<b>Ann</b>" not in page and "&lt;b&gt;Ann&lt;/b&gt;" in page


# ---- the CLI ------------------------------------------------------------------------------------


def test_cli_demo_then_report(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("demo", "--weeks", "3")
    assert r.code == 0, r.err
    out = tmp_path / "r.html"
    r = cli("report", "--athlete", "demo", "--out", str(out))
    assert r.code == 0, r.err
    assert "Wrote the HTML report for demo" in r.out and out.stat().st_size > 10_000
    r = cli("report", "--athlete", "demo", "--out", str(tmp_path / "folder"))
    assert r.code == 0 and (tmp_path / "folder" / "trend.svg").exists()


def test_cli_report_errors_are_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("athlete", "add", "ann", "--tz", "UTC")
    for out, needle in (
        (tmp_path / "r.txt", "can't write a report as '.txt'"),
        (tmp_path / "nope" / "r.pdf", "can't write the report to"),
    ):
        r = cli("report", "--out", str(out))
        assert r.code == 1
        assert r.err.count("\n") == 1 and needle in r.err and "Traceback" not in r.err
    r = cli("report", "--athlete", "zed", "--out", str(tmp_path / "r.html"))
    assert r.code == 1 and "no athlete called 'zed'" in r.err


def test_report_is_not_imported_at_cli_start_up() -> None:
    code = (
        "import sys, triplane.cli; "
        "assert not any(m.startswith(('triplane.report', 'matplotlib')) for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

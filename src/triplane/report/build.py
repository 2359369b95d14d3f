"""write_report: the review and the charts as .html (self-contained), .pdf, or a folder of
PNG + SVG charts, chosen by the output path's extension (no extension or an existing folder:
a folder). Files are written to a temporary name and renamed, so a failure never leaves half a
report behind.
"""

from __future__ import annotations

import html
import os
import tempfile
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from triplane.report.charts import Chart, charts_for, ladder_labels, to_png, to_svg  # noqa: E402
from triplane.report.review import Review, build_review  # noqa: E402
from triplane.usecases.progress import Progress, progress  # noqa: E402
from triplane.usecases.service import Athlete, Invalid, Service  # noqa: E402

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


class ReportError(Invalid):
    """The report can't be written where asked: one sentence, what to do."""


def report_kind(out: Path) -> str:
    if out.is_dir() or out.suffix == "":
        return "folder"
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ReportError(
            f"can't write a report as '{out.suffix}'; use .html, .pdf, or a folder name "
            "(no extension) for PNG and SVG charts"
        )
    return kind


def write_report(
    svc: Service, athlete: Athlete, out: Path, as_of: date | None = None
) -> tuple[str, list[Path]]:
    """Write the report; returns (kind, the files written)."""
    kind = report_kind(out)
    prog = progress(svc, athlete, as_of)
    review = build_review(prog)
    charts = charts_for(prog, ladder_labels(svc))
    try:
        if kind == "html":
            _atomic_write(out, render_html(prog, review, charts).encode("utf-8"))
            return kind, [out]
        if kind == "pdf":
            _atomic_write(out, render_pdf(review, charts))
            return kind, [out]
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for c in charts:
            written.append(_atomic_write(out / f"{c.name}.png", to_png(c.figure)))
            written.append(_atomic_write(out / f"{c.name}.svg", to_svg(c.figure).encode()))
        text = (
            review.text()
            + "\nCharts\n------\n"
            + "\n".join(f"- {c.name}.png / .svg: {c.alt}" for c in charts)
        )
        written.append(_atomic_write(out / "review.txt", text.encode("utf-8") + b"\n"))
        return kind, written
    except OSError as exc:
        raise ReportError(
            f"can't write the report to {out}: {exc.strerror or exc}; choose a folder you can "
            "write to"
        ) from None


def _atomic_write(path: Path, data: bytes) -> Path:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileNotFoundError(2, "the folder does not exist", str(parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ---- HTML ---------------------------------------------------------------------------------------

CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.2rem; margin-top: 1.6rem; }
.meta { color: #555; margin-top: 0; }
figure { margin: 1.5rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.4rem; }
details summary { cursor: pointer; }
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  figure { page-break-before: always; }
  details { display: block; } details summary { display: none; }
  @page { size: A4; margin: 14mm; }
}
"""


def render_html(prog: Progress, review: Review, charts: Sequence[Chart]) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(review.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(review.title)}</h1>",
        f'<p class="meta">Norm set: {e(prog.norm_set_name)}. History from '
        f"{prog.start.isoformat()} to {prog.as_of.isoformat()}.</p>",
    ]
    for s in review.sections:
        parts.append(f"<h2>{e(s.heading)}</h2><ul>")
        parts += [f"<li>{e(line)}</li>" for line in s.lines]
        parts.append("</ul>")
    parts.append("<h2>Charts</h2>")
    for c in charts:
        svg = to_svg(c.figure, prefix=c.name)
        svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{c.name}-alt" ', 1)
        parts.append(
            f'<figure id="{c.name}">{svg}<figcaption><details><summary>{e(c.title)}: '
            f'the chart in words</summary><p id="{c.name}-alt">{e(c.alt)}</p></details>'
            "</figcaption></figure>"
        )
    parts.append("</body></html>")
    return "\n".join(parts)


# ---- PDF ----------------------------------------------------------------------------------------

A4 = (8.27, 11.69)


def _text_pages(review: Review) -> list[Figure]:
    lines: list[tuple[str, str]] = [("title", review.title), ("gap", "")]
    for s in review.sections:
        lines.append(("heading", s.heading))
        for item in s.lines:
            wrapped = textwrap.wrap(item, 88)
            lines.append(("body", "• " + wrapped[0]))
            lines += [("body", "  " + w) for w in wrapped[1:]]
        lines.append(("gap", ""))
    pages: list[Figure] = []
    fig: Figure | None = None
    y = 0.0
    for kind, text in lines:
        if fig is None or y < 0.06:
            fig = Figure(figsize=A4)
            pages.append(fig)
            y = 0.95
        size = {"title": 16, "heading": 13, "body": 10.5, "gap": 6}[kind]
        weight = "bold" if kind in ("title", "heading") else "normal"
        fig.text(0.07, y, text, fontsize=size, fontweight=weight, va="top", family="DejaVu Sans")
        y -= size * 1.55 / (A4[1] * 72)
    return pages


def render_pdf(review: Review, charts: Sequence[Chart]) -> bytes:
    import io

    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": review.title, "Creator": "Triplane"}) as pdf:
        for page in _text_pages(review):
            pdf.savefig(page)
        for c in charts:
            pdf.savefig(c.figure)
    return buf.getvalue()

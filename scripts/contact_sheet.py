"""Render every drill and lunge-direction figure into one contact sheet PNG, to look at.

    .venv/bin/python scripts/contact_sheet.py [out.png] [--only ID,ID] [--dark]

Writes an HTML page of keyframe strips (left side; one row per entry) and screenshots it with
headless Chromium (Debian's `chromium`). The PNG lands in docs/screenshots/ by default.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from triplane.core.catalogue import load_catalogue  # noqa: E402
from triplane.figures.svg import figure_sides, get_figure, strip_svg  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    default_out = ROOT / "docs/screenshots/figures-contact-sheet.png"
    parser.add_argument("out", nargs="?", default=str(default_out))
    parser.add_argument("--only", default="")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--width", type=int, default=1800)
    args = parser.parse_args()
    cat = load_catalogue()
    ids = list(cat.drills) + [d.id for d in cat.lunge.directions]
    if args.only:
        ids = [i for i in ids if i in args.only.split(",")]
    cells = []
    for ident in ids:
        fig, name = get_figure(ident)
        side = figure_sides(ident)[0]
        svg = strip_svg(ident, side)
        where = f"{ident}, {fig.view} view" + (", left side" if side else "")
        label = f"{escape(name)} <small>({where})</small>"
        cells.append(f'<div class="cell"><h2>{label}</h2>{svg}</div>')
    scheme = "dark" if args.dark else "light"
    html = f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="color-scheme" content="{scheme}">
<style>
body{{font-family:system-ui,sans-serif;margin:12px;background:{"#15191e" if args.dark else "#fff"};
color:{"#e4e7eb" if args.dark else "#1f2933"}}}
.grid{{display:grid;grid-template-columns:repeat(2,1fr);gap:10px}}
.cell{{border:1px solid #c7ced6;border-radius:6px;padding:6px}}
h2{{font-size:14px;margin:0 0 4px}} small{{font-weight:400;color:#7b8794}}
.cell svg{{width:100%;height:230px}}
</style></head><body><div class="grid">{"".join(cells)}</div></body></html>"""
    rows = (len(cells) + 1) // 2
    height = rows * 272 + 40
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found: apt-get install -y chromium", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "sheet.html"
        page.write_text(html, encoding="utf-8")
        out = Path(args.out).resolve()
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp}/profile",
            "--hide-scrollbars",
            "--force-dark-mode" if args.dark else "--blink-settings=preferredColorScheme=1",
            f"--screenshot={out}",
            f"--window-size={args.width},{height}",
            page.as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

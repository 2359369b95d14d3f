"""The front end's ground rules, checked on the files: no inline script (the CSP forbids it),
nothing from a CDN, vendored files with their licences, an installable PWA."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[2] / "src" / "triplane" / "web"


def test_templates_have_no_inline_script_or_cdn() -> None:
    for t in (WEB / "templates").glob("*.html"):
        text = t.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in m.group(1), f"inline script in {t.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {t.name}"
        assert "javascript:" not in text, t.name
        assert not re.search(r"(src|href)=\"(https?:)?//", text), f"external asset in {t.name}"


def test_vendored_assets_and_licences() -> None:
    vendor = WEB / "static" / "vendor"
    for name in ("htmx.min.js", "htmx.LICENSE", "pico.min.css", "pico.LICENSE.md"):
        assert (vendor / name).stat().st_size > 0, name


def test_manifest_icons_exist(live: Any) -> None:
    with live.client() as c:
        m = c.get("/manifest.webmanifest")
        assert m.status_code == 200
        data = json.loads(m.text)
        assert data["display"] == "standalone" and data["start_url"] == "/today"
        for icon in data["icons"]:
            assert c.get(icon["src"]).status_code == 200, icon["src"]
        sw = c.get("/sw.js")
        assert sw.status_code == 200 and sw.headers["service-worker-allowed"] == "/"
        assert "no-cache" in sw.headers["cache-control"]

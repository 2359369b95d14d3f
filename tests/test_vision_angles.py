"""The vision extra stays optional: the core never imports it, and without the extra importing
it says what to install. (The angle maths themselves are tested in tests/vision, which runs in
the vision virtualenv: see scripts/vision-venv.sh.)"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "triplane"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_never_imports_the_vision_package_or_its_libraries() -> None:
    for path in (SRC / "core").rglob("*.py"):
        bad = {n for n in _imports(path) if n.split(".")[0] in ("cv2", "mediapipe")
               or n.startswith("triplane.vision")}  # fmt: skip
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


@pytest.mark.skipif(
    all(importlib.util.find_spec(m) for m in ("cv2", "mediapipe", "numpy")),
    reason="the vision extra is installed here, so the import succeeds",
)
def test_without_the_extra_the_import_says_what_to_install() -> None:
    proc = subprocess.run([sys.executable, "-c", "import triplane.vision"], capture_output=True,
                          text=True)  # fmt: skip
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: video measurement needs the vision extra")
    assert "pip install 'triplane[vision]'" in last

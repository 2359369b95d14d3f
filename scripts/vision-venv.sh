#!/usr/bin/env bash
# Build (once) the separate virtualenv that the video-measurement tests run in: .venv-vision.
#
# The vision extra pins numpy<2 (mediapipe 0.10.21 needs it), so it lives apart from the main
# .venv and the core's dependencies stay free of that pin. Rebuilt only when pyproject.toml
# changes (its hash is kept in a stamp file). Never fails the build: when the extra cannot be
# installed here (no mediapipe wheel for this Python or machine, no network) it says why and
# exits 0; tests/vision then skips with a reason.
#
#   bash scripts/vision-venv.sh            # build or reuse .venv-vision
#   .venv-vision/bin/pytest -q tests/vision
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VISION_VENV:-.venv-vision}"
STAMP="$VENV/.installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
    exit 0
fi

skip() {
    echo "vision venv not built: $*; the tests in tests/vision will skip" >&2
    rm -f "$STAMP"
    exit 0
}

command -v "$PYTHON" >/dev/null 2>&1 || skip "no $PYTHON on PATH"
ok="$("$PYTHON" -c 'import sys, platform; print(int(sys.version_info < (3, 13) and platform.machine() in ("x86_64", "AMD64", "aarch64", "arm64")))')"
[ "$ok" = 1 ] || skip "mediapipe 0.10.21 has wheels only for Python < 3.13 on x86_64/arm64 ($("$PYTHON" -V 2>&1), $(uname -m))"

echo "building $VENV (mediapipe, opencv, numpy<2) for the video tests..."
"$PYTHON" -m venv "$VENV" || skip "python -m venv failed"
LOG="$VENV/pip.log"
"$VENV/bin/pip" install --upgrade pip >"$LOG" 2>&1 || true
if ! "$VENV/bin/pip" install -e ".[vision]" "pytest>=8" >>"$LOG" 2>&1; then
    tail -n 5 "$LOG" >&2
    skip "pip could not install the vision extra (log: $LOG)"
fi
"$VENV/bin/python" -c "import mediapipe, cv2, numpy; from mediapipe.python.solutions import pose" \
    || skip "mediapipe or cv2 installed but does not import"
if "$VENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)"; then
    echo "warning: torch was pulled into $VENV; the vision extra should not need it" >&2
fi
echo "$want" > "$STAMP"
echo "$VENV ready: $("$VENV/bin/python" -c 'import mediapipe, cv2, numpy; print("mediapipe", mediapipe.__version__, "opencv", cv2.__version__, "numpy", numpy.__version__)')"
exit 0

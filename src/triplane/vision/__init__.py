"""Video measurement (optional extra): phone video -> pose -> hip angles -> measurements.

Needs the ``vision`` extra (MediaPipe Pose, OpenCV, numpy<2): ``pip install 'triplane[vision]'``.
The core never imports this package. Importing it without the extra raises an ImportError whose
message says what to install; the heavy modules (mediapipe, cv2) are imported only when a
function needs them.

    from triplane.vision import measure_video
    result = measure_video("clip.mp4", "seated_rotation", side="left")
    result.to_json()        # angles per side and plane, confidences, frames used, fps
    result.measurements()   # records for the service layer to save (device "video")
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = "video measurement needs the vision extra: pip install 'triplane[vision]'"

_missing = [m for m in ("numpy", "cv2", "mediapipe") if importlib.util.find_spec(m) is None]
if _missing:
    raise ImportError(f"{INSTALL_HINT} (missing: {', '.join(_missing)})")

from triplane.vision.errors import VisionError  # noqa: E402
from triplane.vision.measure import TESTS, MeasureResult, measure_video  # noqa: E402

__all__ = ["INSTALL_HINT", "TESTS", "MeasureResult", "VisionError", "measure_video"]

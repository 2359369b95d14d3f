"""Sport labels: whatever a file says ("Running", "trail_running", "Biking") -> one of SPORTS."""

from __future__ import annotations

import re

RUN_SPORTS = frozenset({"running", "trail_running", "treadmill_running"})
SPORTS = (
    "running",
    "trail_running",
    "treadmill_running",
    "walking",
    "hiking",
    "cycling",
    "swimming",
    "skiing",
    "paddling",
    "strength",
    "multisport",
    "other",
)

_SPORT_WORDS: dict[str, str] = {
    "running": "running",
    "run": "running",
    "road_running": "running",
    "street_running": "running",
    "track_running": "running",
    "trail_running": "trail_running",
    "trail_run": "trail_running",
    "trailrun": "trail_running",
    "trail": "trail_running",
    "treadmill_running": "treadmill_running",
    "treadmill": "treadmill_running",
    "indoor_running": "treadmill_running",
    "virtual_run": "treadmill_running",
    "walking": "walking",
    "walk": "walking",
    "hiking": "hiking",
    "hike": "hiking",
    "mountaineering": "hiking",
    "cycling": "cycling",
    "biking": "cycling",
    "bike": "cycling",
    "ride": "cycling",
    "road_biking": "cycling",
    "mountain_biking": "cycling",
    "gravel_cycling": "cycling",
    "e_biking": "cycling",
    "swimming": "swimming",
    "swim": "swimming",
    "lap_swimming": "swimming",
    "open_water_swimming": "swimming",
    "cross_country_skiing": "skiing",
    "alpine_skiing": "skiing",
    "backcountry_skiing": "skiing",
    "skiing": "skiing",
    "paddling": "paddling",
    "stand_up_paddleboarding": "paddling",
    "kayaking": "paddling",
    "rowing": "paddling",
    "training": "strength",
    "strength_training": "strength",
    "multisport": "multisport",
    "transition": "other",
}


def normalise_sport(raw: str | None, sub: str | None = None) -> str:
    """A sport label from any file ("Running", "trail_running", "Biking") -> one of SPORTS."""
    if raw is None:
        return "other"
    key = re.sub(r"[^a-z0-9]+", "_", str(raw).strip().lower()).strip("_")
    sport = _SPORT_WORDS.get(key, "other")
    sub_key = re.sub(r"[^a-z0-9]+", "_", str(sub).strip().lower()).strip("_") if sub else ""
    if sport == "running":
        if sub_key == "trail":
            return "trail_running"
        if sub_key in ("treadmill", "indoor_running", "virtual_activity"):
            return "treadmill_running"
    if sport == "strength" and sub_key and sub_key != "strength_training":
        return "other"
    return sport

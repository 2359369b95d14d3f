"""Charts, the weekly review in words, and printable reports (needs the `report` extra).

Not imported at CLI start-up: `triplane report` imports it inside the command.
"""

from __future__ import annotations

CHART_NAMES = ("mobility_map", "trend", "consistency", "motion_minutes", "lunge_levels")

__all__ = ["CHART_NAMES"]

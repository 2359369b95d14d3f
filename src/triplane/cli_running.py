"""CLI commands for running: activity import, events, calendars, FIT workouts (issue 5).

Registered on the main app by triplane.cli; heavy modules are imported inside the commands.
"""

from __future__ import annotations

from typing import Any


def register(app: Any, lunge_app: Any) -> None:
    """Add this module's commands to the CLI."""

"""CLI commands for video measurement (issue 6): `measure` and `worker`.

Registered on the main app by triplane.cli; the vision extra is imported only inside commands.
"""

from __future__ import annotations

from typing import Any


def register(app: Any) -> None:
    """Add this module's commands to the CLI."""

"""The one exception the vision package raises for bad input."""

from __future__ import annotations


class VisionError(Exception):
    """Bad or unusable input. The message is one sentence: what was wrong and what to do."""

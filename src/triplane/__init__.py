"""Triplane: 3D hip mobility and strength coaching for trail runners."""

__version__ = "0.1.0"

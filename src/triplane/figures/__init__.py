"""Figures: every drill and lunge-matrix direction drawn from joint-angle keyframes.

The keyframes live in ``core/catalogue/data/figures.toml`` (see :mod:`triplane.figures.keyframes`
for the format and the checks); :mod:`triplane.figures.svg` turns them into SVG: a looped
animation at the drill's tempo and a static strip of the keyframes for print.

A drill with no keyframes (a coach's own drill) still gets a picture: a default figure built
from its position and primary motion. A coach who wants a better one puts keyframes in the same
format in ``<coach folder>/figures/*.toml`` and passes ``coach_dir``.
"""

from triplane.figures.keyframes import (
    Figure,
    FigureError,
    FigureSet,
    Keyframe,
    load_figures,
    validate_figures,
)
from triplane.figures.svg import drill_figure_svg, figure_sides, strip_svg, write_all_figures

__all__ = [
    "Figure",
    "FigureError",
    "FigureSet",
    "Keyframe",
    "drill_figure_svg",
    "figure_sides",
    "load_figures",
    "strip_svg",
    "validate_figures",
    "write_all_figures",
]

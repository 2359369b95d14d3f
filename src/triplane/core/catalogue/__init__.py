"""The catalogue: drills, the lunge matrix, tests, norms and red flags, loaded and validated.

load_catalogue() gives the packaged data (memoised); load_catalogue(coach_dir) adds a coach's
own *.toml drill files from that folder.
"""

from triplane.core.catalogue.loader import (
    DATA_FILES,
    KNOWN_SOURCE_KEYS,
    LUNGE_VARIABLES,
    NEVER_RECOMMENDED,
    TEST_POSITIONS,
    load_catalogue,
)
from triplane.core.catalogue.model import (
    AssessmentTest,
    Catalogue,
    CatalogueError,
    Condition,
    Dose,
    Drill,
    Ladder,
    LadderStep,
    LungeDirection,
    LungeMatrix,
    Norm,
    NormSet,
    RedFlag,
)

__all__ = [
    "DATA_FILES",
    "KNOWN_SOURCE_KEYS",
    "LUNGE_VARIABLES",
    "NEVER_RECOMMENDED",
    "TEST_POSITIONS",
    "AssessmentTest",
    "Catalogue",
    "CatalogueError",
    "Condition",
    "Dose",
    "Drill",
    "Ladder",
    "LadderStep",
    "LungeDirection",
    "LungeMatrix",
    "Norm",
    "NormSet",
    "RedFlag",
    "load_catalogue",
]

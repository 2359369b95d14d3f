"""A coach drill file the catalogue tests (tests/core) and the CLI tests (tests/cli) share."""

GOOD_DRILL = """
[[drill]]
id = "banded_side_step"
name = "Banded side step"
purpose = "Walk sideways against a mini band to wake up the outer hip."
planes = ["frontal"]
motions = ["abduction"]
position = "standing"
loads_knee = false
style = "dynamic"
difficulty = 1
dose = { sets = 2, reps = 10, per_side = true, tempo = "steady", minutes = 2 }
cues = ["Band above the knees.", "Stay low.", "Toes forward."]
mistakes = ["Leaning the trunk.", "Letting the knees cave."]
contraindications = []
demands = []
equipment = ["mini band"]
sources = ["Coach Anna's notes"]
"""

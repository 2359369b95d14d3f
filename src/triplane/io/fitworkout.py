"""The day's lunge matrix as a FIT workout file a Garmin watch can load.

Written with fit-tool (a FIT encoder from the package registry), not by hand. The file holds:

- ``file_id`` of type *workout*;
- one ``workout`` message: sport *training*, sub-sport *strength training*, the name given;
- one ``workout_step`` per direction and side, in the plan's order, left leg first: name like
  "Anterior L", duration type *reps* with the prescribed reps, no target, intensity *active*,
  exercise category *lunge* (and the closest named lunge where FIT has one), and the session's
  levels (load, range, ...) in the step's notes.

Copy the file to the watch's ``GARMIN/NewFiles`` (or ``GARMIN/Workouts``) folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

#: FIT's lunge exercise names (profile "lunge_exercise_name") for the matrix directions.
_EXERCISE_NAME = {
    "anterior": "LUNGE",
    "lateral": "SIDE_LUNGE",
    "posterior": "REVERSE_LUNGE_WITH_REACH_BACK",
    "crossover": "SIDE_AND_CROSSOVER_LUNGE",
}
_SIDES = (("L", "left"), ("R", "right"))
STEP_NAME_MAX = 20  # watches show about this much; longer names are cut, not refused
NOTES_MAX = 50


def step_name(direction: str, side_letter: str) -> str:
    """ "anterior", "L" -> "Anterior L" (cut to fit a watch screen)."""
    label = str(direction).replace("_", " ").strip().capitalize() or "Lunge"
    return f"{label[: STEP_NAME_MAX - 2]} {side_letter}"


def lunge_workout_fit(
    name: str, directions: Sequence[dict[str, Any]], now: datetime | None = None
) -> bytes:
    """A FIT workout: a step per direction and side with its reps (see the module doc).

    ``directions`` are the lunge session's direction dicts of the core plan
    (``{"direction", "reps", "load", "range", ...}``). Raises ValueError when there is
    nothing to put in the workout or a rep count is not a positive whole number.
    """
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.message import Message
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
    from fit_tool.profile.profile_type import (
        ExerciseCategory,
        FileType,
        Intensity,
        LungeExerciseName,
        Manufacturer,
        Sport,
        SubSport,
        WorkoutStepDuration,
        WorkoutStepTarget,
    )

    if not directions:
        raise ValueError("There is no lunge session to export on that day.")
    created = (now or datetime.now(UTC)).astimezone(UTC)

    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 0x54524950  # "TRIP"
    file_id.time_created = round(created.timestamp() * 1000)

    steps: list[Message] = []  # add_all takes a list of the base class
    for d in directions:
        direction = str(d.get("direction") or "lunge")
        reps = d.get("reps")
        if isinstance(reps, bool) or not isinstance(reps, int) or reps <= 0:
            raise ValueError(f"The {direction} lunge has no valid rep count ({reps!r}).")
        levels = ", ".join(
            str(d[k]).replace("_", " ")
            for k in ("load", "range", "environment", "speed", "stability", "duration")
            if d.get(k)
        )
        exercise = _EXERCISE_NAME.get(direction, "LUNGE_MATRIX")
        for letter, side in _SIDES:
            step = WorkoutStepMessage()
            step.message_index = len(steps)
            step.workout_step_name = step_name(direction, letter)
            step.intensity = Intensity.ACTIVE
            step.duration_type = WorkoutStepDuration.REPS
            step.duration_reps = reps
            step.target_type = WorkoutStepTarget.OPEN
            step.target_value = 0
            step.exercise_category = ExerciseCategory.LUNGE.value
            step.exercise_name = LungeExerciseName[exercise].value
            step.notes = f"{side} leg; {levels}"[:NOTES_MAX] if levels else f"{side} leg"
            steps.append(step)

    workout = WorkoutMessage()
    workout.workout_name = (name or "Lunge matrix")[:30]
    workout.sport = Sport.TRAINING
    workout.sub_sport = SubSport.STRENGTH_TRAINING
    workout.num_valid_steps = len(steps)

    builder = FitFileBuilder(auto_define=True, min_string_size=16)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return bytes(builder.build().to_bytes())

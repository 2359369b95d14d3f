"""The lunge matrix as a FIT workout, decoded again with an independent library (fitdecode)."""

from __future__ import annotations

import io

import fitdecode
import pytest

from triplane.io.fitworkout import lunge_workout_fit

DIRECTIONS = [
    {"direction": "anterior", "reps": 8, "load": "bodyweight", "range": "short"},
    {"direction": "lateral", "reps": 6},
    {"direction": "posterolateral", "reps": 5, "stability": "stable"},
]


def decode(data: bytes) -> list[tuple[str, dict[str, object]]]:
    out = []
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage):
                out.append((frame.name, {f.name: f.value for f in frame.fields}))
    return out


def test_workout_decodes_with_a_step_per_direction_and_side() -> None:
    msgs = decode(lunge_workout_fit("Lunge matrix 31 Mar", DIRECTIONS))
    names = [n for n, _ in msgs]
    assert names[0] == "file_id" and msgs[0][1]["type"] == "workout"
    workout = dict(msgs)["workout"]
    assert workout["wkt_name"] == "Lunge matrix 31 Mar"
    assert workout["sport"] == "training" and workout["sub_sport"] == "strength_training"
    steps = [m for n, m in msgs if n == "workout_step"]
    assert workout["num_valid_steps"] == len(steps) == 6
    assert [s["wkt_step_name"] for s in steps] == [
        "Anterior L",
        "Anterior R",
        "Lateral L",
        "Lateral R",
        "Posterolateral L",
        "Posterolateral R",
    ]
    assert [s["duration_reps"] for s in steps] == [8, 8, 6, 6, 5, 5]
    assert all(s["duration_type"] == "reps" for s in steps)
    assert all(s["exercise_category"] == "lunge" for s in steps)
    assert [s["message_index"] for s in steps] == list(range(6))
    assert steps[0]["notes"] == "left leg; bodyweight, short"


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="no lunge session"):
        lunge_workout_fit("x", [])
    with pytest.raises(ValueError, match="rep count"):
        lunge_workout_fit("x", [{"direction": "anterior", "reps": 0}])

"""A change to an athlete's settings, and the limits a person's week must keep.

Every face builds one `SettingsChange` (the CLI from its options, the web from the settings and
coach forms, the API from its JSON body) and hands it to the use case `edit_athlete`. A field
left at None keeps what is set. Times, days and work hours stay as the person wrote them
("06:30", "mon,wed", "09:00-17:00"): the use case parses them, and every refusal names the
field (`Invalid.field`), which each face shows by its own word.

The limits live here, beside the change: templates and the API's schema read them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from triplane.core.errors import Invalid
from triplane.core.records import Settings


@dataclass(frozen=True)
class Limits:
    """An inclusive range of whole numbers."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high

    def text(self) -> str:
        return f"{self.low} to {self.high}"


DAILY_MINUTES = Limits(5, 60)  # a few minutes, several times a day
GYM_MINUTES = Limits(15, 240)
MIN_AWAKE_HOURS = 8
FIRST_BIRTH_YEAR = 1900
YOUNGEST_AGE = 5  # a birth year later than this many years ago is a typo
LUNGE_CAP_MAX_CHARS = 80
# the whole-number settings and their limits (the API declares its schema from these)
NUMBER_LIMITS = {"daily_minutes": DAILY_MINUTES, "gym_minutes": GYM_MINUTES}


def birth_year_limits(this_year: int) -> Limits:
    return Limits(FIRST_BIRTH_YEAR, this_year - YOUNGEST_AGE)


@dataclass(frozen=True)
class SettingsChange:
    """What to change in an athlete's settings; None keeps the setting as it is."""

    daily_minutes: int | None = None
    gym_minutes: int | None = None
    wake: str | None = None  # HH:MM
    sleep: str | None = None
    run_days: str | None = None  # "mon,wed,sat"; "" declares none
    run_time: str | None = None  # "06:30", or two runs a day: "06:30,18:00"
    run_times: str | None = None  # per weekday: "mon=06:30,sat=08:00" (mon=06:30+18:00)
    gym_days: str | None = None
    gym_time: str | None = None
    work_days: str | None = None
    work_hours: str | None = None  # "09:00-17:00" (or 21:00-05:00 for nights)
    long_run_day: str | None = None  # a weekday; "" for none
    kneeling_ok: bool | None = None
    conditions: tuple[str, ...] | None = None  # () for none
    hip_approach: str | None = None
    birth_year: int | None = None
    sex: str | None = None  # female | male | unspecified
    norm_set: str | None = None  # a norm set's id, or auto
    ladder_order: tuple[str, ...] | None = None
    lunge_cap: str | None = None  # a coach's reason to cap the lunge matrix; "off" lifts it

    def given(self) -> dict[str, Any]:
        """The fields this change sets, by name, in declaration order."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}

    def is_empty(self) -> bool:
        return not self.given()


FIELDS = tuple(f.name for f in fields(SettingsChange))


def check_settings(s: Settings) -> None:
    """The limits a week must keep, whichever face changed it; Invalid names the field."""
    if s.daily_minutes not in DAILY_MINUTES:
        raise Invalid(
            f"{{field}} is {s.daily_minutes} minutes; choose {DAILY_MINUTES.text()} "
            "(a few minutes, several times a day)",
            field="daily_minutes",
        )
    if s.gym_minutes not in GYM_MINUTES:
        raise Invalid(
            f"{{field}}: a gym session of {s.gym_minutes} minutes? choose {GYM_MINUTES.text()}",
            field="gym_minutes",
        )
    from triplane.core.plan import in_waking_day, waking_day

    wake_m, sleep_m = waking_day(s)
    if sleep_m - wake_m < MIN_AWAKE_HOURS * 60:
        raise Invalid(
            f"wake {s.wake:%H:%M} and sleep {s.sleep:%H:%M} leave under {MIN_AWAKE_HOURS} "
            "hours awake; e.g. wake 06:30 and sleep 22:30 (or wake 14:00 and sleep 06:00 "
            "for nights)",
            field="sleep",
        )
    timed = [("run_time", s.run_time), ("run_time", s.second_run_time), ("gym_time", s.gym_time)]
    timed += [("run_times", at) for _, at in s.run_times]
    for name, at in timed:
        if at is not None and in_waking_day(s, at) is None:
            label = "gym" if name == "gym_time" else "run"
            raise Invalid(
                f"the {label} time {at:%H:%M} is outside your waking hours "
                f"({s.wake:%H:%M}-{s.sleep:%H:%M})",
                field=name,
            )
    if (s.work_start is None) != (s.work_end is None) or (
        s.work_start is not None and s.work_end is not None and s.work_start == s.work_end
    ):
        raise Invalid(
            "{field} look like 09:00-17:00 (or 21:00-05:00 for a night shift), "
            "the start and the end different",
            field="work_hours",
        )

"""The web's one mapping of the error family: HTTP status, and the words a field is shown by.

The pages write a field by the label people see on the form; the API keeps the field's own
name (the JSON key) and adds it as `field` beside `detail`.
"""

from __future__ import annotations

from typing import Any

from triplane.core.errors import (
    Conflict,
    DataError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyAttempts,
    TriplaneError,
    Unauthenticated,
    Unavailable,
)

# most specific first: the first class an error is an instance of gives its status
HTTP_STATUS: tuple[tuple[type[TriplaneError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (Invalid, 422),
    (TooManyAttempts, 429),
    (DataError, 500),
    (Unavailable, 503),
)

# the label each form shows a field by (the settings and coach forms use these words)
FIELD_LABELS = {
    "daily_minutes": "Daily budget",
    "gym_minutes": "Gym session",
    "run_time": "Usual run time",
    "run_times": "Run times",
    "gym_time": "Gym time",
    "wake": "Wake up",
    "sleep": "Bed time",
    "work_hours": "Work hours",
    "run_days": "Run days",
    "gym_days": "Gym days",
    "work_days": "Work days",
    "long_run_day": "Long run day",
    "kneeling_ok": "Kneeling",
    "conditions": "the condition",
    "hip_approach": "Hip replacement: surgical approach",
    "birth_year": "Birth year",
    "sex": "Sex",
    "norm_set": "Norms to compare with",
    "ladder_order": "Ladder order",
    "lunge_cap": "Lunge cap",
    "athlete": "the athlete",
}


def http_status(exc: TriplaneError) -> int:
    for cls, status in HTTP_STATUS:
        if isinstance(exc, cls):
            return status
    return 400


def page_sentence(exc: TriplaneError) -> str:
    """The sentence as a page shows it: the field by its form label."""
    return exc.sentence(FIELD_LABELS.get(exc.field or ""))


def api_body(exc: TriplaneError) -> dict[str, Any]:
    """The JSON an API error answers with: the sentence, and the field by its JSON name."""
    body: dict[str, Any] = {"detail": exc.sentence(exc.field)}
    if exc.field is not None:
        body["field"] = exc.field
    return body

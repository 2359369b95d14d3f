"""The first-run flow (issue 14 §1): where a runner is in it.

The web app shows the flow once, after the first login: NULL means "not shown yet" (a new
account); opening it records the step, so a returning runner is never sent through it again and
can pick it up where they left it; "done" ends it (finished or skipped). The steps: the intro,
the week (settings, through Service.edit_athlete), then the tests one by one (tests:N).
"""

from __future__ import annotations

from sqlalchemy import select, update

from triplane.store import schema as t
from triplane.usecases.service import Athlete, Invalid, Service

INTRO, WEEK, DONE = "intro", "week", "done"
TESTS = "tests:"  # + the index of the test the runner is on


def step_of(svc: Service, athlete: Athlete) -> str | None:
    """Where the athlete is: None (never shown), intro, week, tests:N or done."""
    row = svc.conn.execute(
        select(t.athletes.c.onboarding).where(t.athletes.c.id == athlete.id)
    ).first()
    return None if row is None else row.onboarding


def test_step(index: int) -> str:
    return f"{TESTS}{index}"


def set_step(svc: Service, athlete: Athlete, step: str) -> None:
    """Record where the athlete is (a step, or done)."""
    valid = step in (INTRO, WEEK, DONE) or (
        step.startswith(TESTS) and step[len(TESTS) :].isdigit() and len(step) <= 16
    )
    if not valid:
        raise Invalid(f"'{step[:20]}' is not a step of the first-run flow")
    svc.conn.execute(
        update(t.athletes).where(t.athletes.c.id == athlete.id).values(onboarding=step)
    )


def finished(svc: Service, athlete: Athlete) -> None:
    set_step(svc, athlete, DONE)

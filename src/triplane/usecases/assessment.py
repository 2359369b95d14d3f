"""Use cases of the assessment: measurements and the mobility profile."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from triplane.core.anatomy import DEVICES, MOTIONS, SIDES
from triplane.core.assess import Profile, build_profile, choose_norm_set, validate_value
from triplane.core.errors import Conflict, Invalid
from triplane.core.records import (
    Measurement,
)
from triplane.store import schema as t
from triplane.usecases.athletes import Athlete, AthleteCases
from triplane.usecases.parsing import _now
from triplane.usecases.planning import measurement


class AssessmentCases(AthleteCases):
    # -- assessment --

    def add_measurement(
        self,
        athlete: Athlete,
        *,
        side: str,
        motion: str | None = None,
        test: str | None = None,
        degrees: float | str | None = None,
        cm: float | str | None = None,
        score: float | str | None = None,
        result: str | None = None,
        rating: int | None = None,
        day: date | None = None,
        painful: bool = False,
        device: str | None = None,
        active: bool | None = None,
        confidence: float | None = None,
        client_id: str | None = None,
    ) -> int:
        cat = self.catalogue
        if side not in SIDES:
            raise Invalid(f"side '{side}' is not left or right")
        if motion is not None and motion not in MOTIONS:
            raise Invalid(f"unknown motion '{motion}'; use one of {', '.join(MOTIONS)}")
        if test is None:
            if motion is None:
                raise Invalid("say what was measured: --motion, --test, or both")
            test = cat.default_tests[motion]
        if test not in cat.tests:
            raise Invalid(f"unknown test '{test}'; see `triplane assess tests`")
        spec = cat.tests[test]
        if motion is None:
            motion = spec.motions[0]
        elif motion not in spec.motions:
            raise Invalid(f"{spec.name} measures {', '.join(spec.motions)}, not {motion}")
        given = {
            "degrees": degrees,
            "cm": cm,
            "score": score,
            "pass_fail": result,
            "rating": rating,
        }
        present = [k for k, v in given.items() if v is not None]
        if len(present) != 1:
            raise Invalid(
                "give exactly one value: --degrees, --cm, --score, --result pass|fail or "
                "--rating 0-3"
            )
        unit = present[0]
        if unit == "pass_fail":
            if str(result).lower() not in ("pass", "fail"):
                raise Invalid(f"{{field}} is pass or fail, not '{result}'", field="result")
            value = 1.0 if str(result).lower() == "pass" else 0.0
        else:
            try:
                value = float(given[unit])  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise Invalid(f"the {unit} value '{given[unit]}' is not a number") from None
            if value != value or value in (float("inf"), float("-inf")):
                raise Invalid(f"the {unit} value '{given[unit]}' is not a number")
        problem = validate_value(spec, unit, value)
        if problem:
            raise Invalid(problem)
        if device is None:
            by_unit = {"rating": "self_rating", "degrees": "inclinometer_app", "cm": "tape_measure"}
            device = by_unit.get(unit, "observation")
        if device not in DEVICES:
            raise Invalid(f"unknown device '{device}'; use one of {', '.join(DEVICES)}")
        if confidence is not None and not 0 <= confidence <= 1:
            raise Invalid("confidence is between 0 and 1")
        row = dict(
            athlete_id=athlete.id,
            date=day or athlete.today(),
            test=test,
            motion=motion,
            side=side,
            unit=unit,
            value=value,
            painful=bool(painful),
            device=device,
            position=spec.position,
            active=spec.active if active is None else active,
            confidence=confidence,
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.measurements, row, athlete, client_id)

    def _insert_once(
        self, table: Any, row: dict[str, Any], athlete: Athlete, client_id: str | None
    ) -> int:
        """Insert a log row; the same client_id twice stores one record (offline replays)."""
        if client_id is not None:
            if len(client_id) > 64:
                raise Invalid("client_id is at most 64 characters")
            found = self.conn.execute(
                select(table.c.id).where(
                    table.c.athlete_id == athlete.id, table.c.client_id == client_id
                )
            ).scalar()
            if found is not None:
                return int(found)
        try:
            return t.inserted_id(self.conn.execute(insert(table).values(**row)))
        except IntegrityError:  # the same client_id raced in from another request
            raise Conflict("this entry was just recorded by another request; reload") from None

    def measurements(self, athlete: Athlete, until: date | None = None) -> list[Measurement]:
        q = select(t.measurements).where(t.measurements.c.athlete_id == athlete.id)
        if until is not None:
            q = q.where(t.measurements.c.date <= until)
        rows = self.conn.execute(q.order_by(t.measurements.c.date, t.measurements.c.id)).all()
        return [measurement(r) for r in rows]

    def profile(self, athlete: Athlete, day: date | None = None) -> Profile:
        day = day or athlete.today()
        settings = self.settings_on(athlete, day)
        norm_set, why = choose_norm_set(self.catalogue, settings, day)
        return build_profile(self.measurements(athlete, day), self.catalogue, norm_set, why)

"""Use cases of the plan and the log: plans, drills, lunges, check-ins, away days, corrections."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from triplane.core.assess import Profile, build_profile, choose_norm_set
from triplane.core.catalogue import Catalogue
from triplane.core.conditions import restrictions_for, ruled_out_directions
from triplane.core.errors import Invalid, NotFound
from triplane.core.lunge import DirectionPlan
from triplane.core.plan import AthleteLog, DayPlan, Planner
from triplane.core.safety import SafetyState, clearance_refusals
from triplane.store import schema as t
from triplane.usecases import planning
from triplane.usecases.assessment import AssessmentCases
from triplane.usecases.athletes import Athlete
from triplane.usecases.parsing import _now
from triplane.usecases.planning import settings_lookup as _settings_lookup
from triplane.usecases.routine import with_routine  # the learned run routine (issue 5)


class LogCases(AssessmentCases):
    # -- the plan --

    def planner(self, athlete: Athlete) -> Planner:
        entries = self._settings_entries(athlete)
        settings_on = with_routine(self.conn, athlete, _settings_lookup(entries))
        measurements = self.measurements(athlete)
        profiles: dict[date, Profile] = {}
        cat = self.catalogue

        def profile_on(day: date) -> Profile:
            if day not in profiles:
                upto = [m for m in measurements if m.date <= day]
                norm_set, why = choose_norm_set(cat, settings_on(day), day)
                profiles[day] = build_profile(upto, cat, norm_set, why)
            return profiles[day]

        created = self.conn.execute(
            select(t.athletes.c.created_at).where(t.athletes.c.id == athlete.id)
        ).scalar()
        first = (
            min([created.date()] + [e for e, _ in entries if e.year > 1970]) if created else None
        )
        return Planner(
            cat,
            settings_on,
            profile_on,
            self.athlete_log(athlete),
            seed=athlete.name,
            since=first,
            today=athlete.today(),
        )

    def athlete_log(self, athlete: Athlete) -> AthleteLog:
        return planning.athlete_log(_LogRows(self.conn), athlete.id)

    def plan_day(self, athlete: Athlete, day: date | None = None) -> DayPlan:
        return self.planner(athlete).day(day or athlete.today())

    def plan_week(self, athlete: Athlete, start: date | None = None) -> list[DayPlan]:
        if start is None:
            today = athlete.today()
            start = today - timedelta(days=today.weekday())
        return self.planner(athlete).week(start)

    # -- logging drills, away days --

    def snack_states(self, athlete: Athlete, drills: Sequence[str], day: date) -> list[str | None]:
        """Which of the day's snacks (their drill ids) are logged done or skipped."""
        from triplane.core.progress import snack_states

        return snack_states(drills, self.athlete_log(athlete).drill_logs, day)

    def log_drill(
        self,
        athlete: Athlete,
        drill: str,
        day: date | None = None,
        minutes: float | None = None,
        discomfort: int | None = None,
        skipped: bool = False,
        client_id: str | None = None,
    ) -> int:
        if drill not in self.catalogue.drills:
            raise Invalid(f"unknown drill '{drill}'; see `triplane drills list`")
        _check_scale(discomfort, "discomfort")
        day = day or athlete.today()
        spec = self.catalogue.drills[drill]
        if minutes is None:
            planned = [s for s in self.plan_day(athlete, day).slots if s.drill.id == drill]
            minutes = planned[0].minutes if planned else spec.dose.minutes
        if not 0 <= minutes <= 120:
            raise Invalid(f"{minutes:g} minutes? give 0 to 120")
        row = dict(
            athlete_id=athlete.id,
            date=day,
            drill=drill,
            motions=",".join(spec.motions),
            minutes=0.0 if skipped else float(minutes),
            discomfort=discomfort,
            skipped=bool(skipped),
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.drill_logs, row, athlete, client_id)

    def add_away(self, athlete: Athlete, start: date, end: date, reason: str = "") -> int:
        if end < start:
            raise Invalid(f"the away period ends ({end}) before it starts ({start})")
        if (end - start).days > 366:
            raise Invalid("an away period is at most a year; add another one for longer")
        return int(
            t.inserted_id(
                self.conn.execute(
                    insert(t.away_periods).values(
                        athlete_id=athlete.id,
                        start=start,
                        end=end,
                        reason=reason or "away",
                        created_at=_now(),
                    )
                )
            )
        )

    # -- lunge matrix --

    def lunge_next(
        self, athlete: Athlete, day: date | None = None
    ) -> tuple[SafetyState, list[DirectionPlan]]:
        return self.planner(athlete).lunge_next(day or athlete.today())

    def log_lunge(
        self,
        athlete: Athlete,
        direction: str,
        reps: int,
        discomfort: int,
        balance: str,
        sharp_pain: bool = False,
        load: str | None = None,
        day: date | None = None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        ids = [d.id for d in self.catalogue.lunge.directions]
        if direction not in ids:
            raise Invalid(f"unknown lunge direction '{direction}'; use one of {', '.join(ids)}")
        if not isinstance(reps, int) or not 0 <= reps <= 200:
            raise Invalid(f"reps is a whole number from 0 to 200, not {reps}")
        _check_scale(discomfort, "discomfort")
        if balance not in ("ok", "lost"):
            raise Invalid(f"{{field}} is ok or lost, not '{balance}'", field="balance")
        if load is not None and len(load) > 32:
            raise Invalid("{field} is a short note such as 8kg", field="load")
        day = day or athlete.today()
        left_out = dict(self.lunge_ruled_out(athlete, day))
        if direction in left_out:
            raise Invalid(
                f"the {direction} lunge is left out for you ({left_out[direction]}); "
                "`triplane lunge next` lists the directions you can do"
            )
        _, plans = self.lunge_next(athlete, day)
        prescribed = next(p for p in plans if p.prescription.direction == direction)
        row = dict(
            athlete_id=athlete.id,
            date=day,
            direction=direction,
            reps=reps,
            discomfort=discomfort,
            balance_ok=balance == "ok",
            sharp_pain=bool(sharp_pain),
            load=load,
            prescription=json.dumps(
                {**prescribed.prescription.as_dict(), "capped": prescribed.capped}, sort_keys=True
            ),
            client_id=client_id,
            created_at=_now(),
        )
        log_id = self._insert_once(t.lunge_logs, row, athlete, client_id)
        return {
            "id": log_id,
            "prescription": prescribed.prescription.as_dict(),
            "capped": prescribed.capped,
        }

    def lunge_ruled_out(self, athlete: Athlete, day: date | None = None) -> list[tuple[str, str]]:
        """(direction id, why) for each lunge direction the athlete's conditions leave out."""
        settings = self.settings_on(athlete, day or athlete.today())
        r = restrictions_for(self.catalogue, settings)
        return list(ruled_out_directions(self.catalogue.lunge, r))

    # -- safety --

    def clearance(self, athlete: Athlete, check_in_id: int) -> dict[str, Any]:
        """Whether a check-in given with a clinician's clearance ended the pause in force:
        {"cleared": bool, "why": None or the reason it did not}."""
        log = self.athlete_log(athlete)
        refusals = clearance_refusals(
            log.check_ins, self.catalogue.red_flags, log.drill_logs, log.lunge_logs
        )
        for c, why in refusals.items():
            if c.id == check_in_id:
                return {"cleared": why is None, "why": why}
        return {"cleared": False, "why": "this check-in did not include a clinician's clearance"}

    def check_in(
        self,
        athlete: Athlete,
        pain: int,
        flags: Sequence[str] = (),
        cleared_by_clinician: bool = False,
        day: date | None = None,
        client_id: str | None = None,
    ) -> int:
        _check_scale(pain, "pain")
        known = self.catalogue.red_flags
        clean = [f.strip() for f in flags if f.strip()]
        bad = [f for f in clean if f not in known]
        if bad:
            raise Invalid(f"unknown flag '{bad[0]}'; known: {', '.join(known)}")
        row = dict(
            athlete_id=athlete.id,
            date=day or athlete.today(),
            pain=pain,
            flags=",".join(dict.fromkeys(clean)),
            cleared_by_clinician=bool(cleared_by_clinician),
            client_id=client_id,
            created_at=_now(),
        )
        return self._insert_once(t.check_ins, row, athlete, client_id)

    # -- the log: list and correct --

    def log_entries(self, athlete: Athlete) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        c = self.conn
        for r in c.execute(select(t.measurements).where(t.measurements.c.athlete_id == athlete.id)):
            what = f"{r.test} {r.motion} {r.side}: {r.value:g} {r.unit}"
            out.append(
                _entry("M", r.id, r.date, "measurement", what + (" (hurt)" if r.painful else ""))
            )
        for r in c.execute(select(t.drill_logs).where(t.drill_logs.c.athlete_id == athlete.id)):
            what = f"{r.drill}: " + ("skipped" if r.skipped else f"{r.minutes:g} min")
            if r.discomfort is not None:
                what += f", discomfort {r.discomfort}/10"
            out.append(_entry("D", r.id, r.date, "drill", what))
        for r in c.execute(select(t.lunge_logs).where(t.lunge_logs.c.athlete_id == athlete.id)):
            what = (
                f"{r.direction}: {r.reps} reps, discomfort {r.discomfort}/10, balance "
                f"{'ok' if r.balance_ok else 'lost'}" + (", sharp pain" if r.sharp_pain else "")
            )
            out.append(_entry("L", r.id, r.date, "lunge", what))
        for r in c.execute(select(t.check_ins).where(t.check_ins.c.athlete_id == athlete.id)):
            what = f"pain {r.pain}/10" + (f", flags {r.flags}" if r.flags else "")
            what += ", cleared by clinician" if r.cleared_by_clinician else ""
            out.append(_entry("C", r.id, r.date, "check_in", what))
        for r in c.execute(select(t.away_periods).where(t.away_periods.c.athlete_id == athlete.id)):
            out.append(
                _entry("A", r.id, r.start, "away", f"away {r.start} to {r.end} ({r.reason})")
            )
        for r in c.execute(select(t.events).where(t.events.c.athlete_id == athlete.id)):
            out.append(_entry("E", r.id, r.date, "event", f"{r.kind} {r.name}".strip()))
        out.sort(key=lambda e: (e["date"], e["id"]))
        return out

    def delete_entry(self, athlete: Athlete, entry_id: str) -> dict[str, Any]:
        prefix, number = entry_id[:1].upper(), entry_id[1:]
        tables = {
            "M": t.measurements,
            "D": t.drill_logs,
            "L": t.lunge_logs,
            "C": t.check_ins,
            "A": t.away_periods,
            "E": t.events,
        }
        if prefix not in tables or not number.isdigit():
            raise Invalid(
                f"'{entry_id}' is not a log entry id; ids look like M3, D12, L4, C1, A2 or E1 "
                "(see `triplane log list`)"
            )
        table = tables[prefix]
        found = self.conn.execute(
            delete(table).where(table.c.id == int(number), table.c.athlete_id == athlete.id)
        ).rowcount
        if not found:
            raise NotFound(f"no log entry {entry_id.upper()} for {athlete.name}")
        return {"deleted": entry_id.upper()}


def _entry(prefix: str, rid: int, day: date, kind: str, what: str) -> dict[str, Any]:
    return {"id": f"{prefix}{rid}", "date": day.isoformat(), "kind": kind, "what": what}


def _check_scale(value: int | None, what: str) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise Invalid(f"{what} is a whole number from 0 to 10, not {value}")


def lunge_json(
    state: SafetyState, plans: Sequence[DirectionPlan], catalogue: Catalogue
) -> dict[str, Any]:
    return {
        "paused": state.paused,
        "advice": " ".join(state.advice),
        "level": state.level,
        "directions": [p.as_dict(catalogue.lunge) for p in plans],
    }


class _LogRows:
    """The log's rows over this transaction, in the order `planning.athlete_log` reads them
    (the `plan day --json` fast path reads the same rows with sqlite3)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _of(self, table: Any, athlete_id: int, by_id: bool = True) -> Sequence[Any]:
        query = select(table).where(table.c.athlete_id == athlete_id)
        return self.conn.execute(query.order_by(table.c.id) if by_id else query).all()

    def drill_log_rows(self, athlete_id: int) -> Sequence[Any]:
        return self._of(t.drill_logs, athlete_id)

    def lunge_log_rows(self, athlete_id: int) -> Sequence[Any]:
        return self._of(t.lunge_logs, athlete_id)

    def check_in_rows(self, athlete_id: int) -> Sequence[Any]:
        return self._of(t.check_ins, athlete_id)

    def away_rows(self, athlete_id: int) -> Sequence[Any]:
        return self._of(t.away_periods, athlete_id, by_id=False)

    def event_rows(self, athlete_id: int) -> Sequence[Any]:
        return self._of(t.events, athlete_id, by_id=False)

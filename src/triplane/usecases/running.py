"""Running use cases (issue 5): activity import, the learned routine, races and long runs,
calendars (file and private subscription URL) and the lunge matrix as a FIT workout.

`Running(svc)` works inside the service's transaction like every `Service` method: it validates
its input, raises `TriplaneError` subclasses with one sentence, prints nothing. The faces (CLI,
web) call it; the planner sees the learned routine through `with_routine` (called by
`Service.planner`).

Choices made here:

- The learned routine (core.routine) is computed for each planned day from the runs of the six
  weeks before it. With enough weeks it replaces the declared run days and times; the declared
  long-run day is kept only when the routine finds no clear one and it is a learned run day.
- On a day with an imported run, the plan uses the actual start of the day's first run.
- A learned or actual start outside the waking hours is not used (no snack before waking).
- Calendar tokens: one active token per athlete; creating one revokes the previous one; only the
  SHA-256 of the token is stored, so the URL is shown once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from triplane.core.errors import Invalid, NotFound
from triplane.store import schema as t
from triplane.usecases.planning import Routine
from triplane.usecases.routine import runs_of
from triplane.usecases.service import Athlete, Service, parse_time

if TYPE_CHECKING:
    from triplane.core.routine import LearnedRoutine
    from triplane.io.activities import ImportSummary

EVENT_KINDS = ("race", "long_run")
MAX_CALENDAR_WEEKS = 52
#: The subscription serves last week and the next four.
FEED_DAYS_BACK = 7
FEED_WEEKS = 5


class NothingDue(NotFound):
    """No lunge session on that day (or the programme is paused)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


MAX_EVENT_MINUTES = 72 * 60


def parse_duration(value: str | int | None) -> int | None:
    """'8h', '2h30', '2.5h', '90m', '150' (minutes) -> minutes; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid("--duration looks like 8h, 2h30 or 90m")
    if isinstance(value, int):
        minutes = value
    else:
        import re

        text = value.strip().lower().replace(" ", "")
        m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+)(?:m|min)?)?", text)
        if not text or m is None or (m.group(1) is None and m.group(2) is None):
            raise Invalid(f"--duration '{value}' looks like 8h, 2h30 or 90m")
        hours = float(m.group(1)) if m.group(1) else 0.0
        minutes = round(hours * 60) + (int(m.group(2)) if m.group(2) else 0)
    if not 10 <= minutes <= MAX_EVENT_MINUTES:
        raise Invalid(f"--duration is 10 minutes to 72 hours, not {minutes} minutes")
    return minutes


class Running:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.conn = svc.conn

    # -- activities --

    def import_activities(
        self,
        athlete: Athlete,
        paths: Sequence[str | Path],
        on_progress: Callable[[str], None] | None = None,
        now: datetime | None = None,
    ) -> ImportSummary:
        """Read the files and store every new activity (in the caller's one transaction).

        Bad files are skipped with a reason in the summary; a path that doesn't exist stops
        the import before anything is read."""
        from triplane.io.activities import read_activities

        if not paths:
            raise Invalid("name at least one file, folder or export zip to import")
        for p in paths:
            if not Path(p).exists():
                raise NotFound(f"{p} does not exist: check the path; nothing was imported")
        a = t.activities
        known = self.conn.execute(
            select(a.c.fingerprint, a.c.file_sha256).where(a.c.athlete_id == athlete.id)
        ).all()
        summary = read_activities(
            paths,
            known_fingerprints=[r.fingerprint for r in known],
            known_file_hashes=[r.file_sha256 for r in known if r.file_sha256],
            now=now,
            on_progress=on_progress,
        )
        if summary.activities:
            created = _now()
            self.conn.execute(
                insert(a),
                [
                    {
                        "athlete_id": athlete.id,
                        "fingerprint": p.fingerprint,
                        "file_sha256": p.file_sha256,
                        "sport": p.sport,
                        "is_run": p.is_run,
                        "start_utc": p.start_utc.astimezone(UTC).replace(tzinfo=None),
                        "duration_s": p.duration_s,
                        "distance_m": p.distance_m,
                        "elevation_gain_m": p.elevation_gain_m,
                        "device": (p.device or None) and p.device[:100],
                        "source_file": p.source_file[-300:],
                        "created_at": created,
                    }
                    for p in summary.activities
                ],
            )
        return summary

    def count_files(self, paths: Iterable[str | Path]) -> int:
        from triplane.io.activities import count_activity_files

        return count_activity_files(paths)

    def activities(self, athlete: Athlete) -> list[dict[str, Any]]:
        """Every imported activity, newest first, with times in the athlete's zone."""
        a = t.activities
        rows = self.conn.execute(
            select(a).where(a.c.athlete_id == athlete.id).order_by(a.c.start_utc.desc())
        ).all()
        zone = ZoneInfo(athlete.tz)
        out = []
        for r in rows:
            local = r.start_utc.replace(tzinfo=UTC).astimezone(zone)
            out.append(
                {
                    "id": r.id,
                    "start": local.isoformat(),
                    "start_utc": r.start_utc.replace(tzinfo=UTC).isoformat(),
                    "date": local.date().isoformat(),
                    "time": local.strftime("%H:%M"),
                    "tz": athlete.tz,
                    "sport": r.sport,
                    "is_run": bool(r.is_run),
                    "duration_s": r.duration_s,
                    "distance_m": r.distance_m,
                    "elevation_gain_m": r.elevation_gain_m,
                    "device": r.device,
                    "source_file": r.source_file,
                }
            )
        return out

    def routine(self, athlete: Athlete, day: date | None = None) -> LearnedRoutine:
        """What the runs of the six weeks before `day` (today) say about the routine."""
        return Routine(runs_of(self.svc.conn, athlete)).on(day or athlete.today())

    # -- races and long runs --

    def add_event(
        self,
        athlete: Athlete,
        day: date,
        kind: str,
        at: str | time | None = None,
        name: str = "",
        duration: str | int | None = None,
    ) -> dict[str, Any]:
        """A race or long run; the same date, kind and name twice stores one event.
        `duration`: its expected length ('8h', '2h30', '90m' or minutes; default by kind)."""
        kind = (kind or "").strip().lower().replace("-", "_")
        if kind not in EVENT_KINDS:
            raise Invalid(f"--kind is race or long_run, not '{kind}'")
        when = parse_time(at, "--time")
        minutes = parse_duration(duration)
        name = " ".join((name or "").split())
        if len(name) > 200:
            raise Invalid("an event name is at most 200 characters")
        e = t.events
        found = self.conn.execute(
            select(e.c.id).where(
                e.c.athlete_id == athlete.id, e.c.date == day, e.c.kind == kind, e.c.name == name
            )
        ).scalar()
        if found is not None:
            return {"id": f"E{found}", "added": False}
        result: Any = self.conn.execute(
            insert(e).values(
                athlete_id=athlete.id,
                date=day,
                time=when.strftime("%H:%M") if when else None,
                kind=kind,
                name=name,
                created_at=_now(),
                duration_min=minutes,
            )
        )
        return {"id": f"E{result.inserted_primary_key[0]}", "added": True}

    def import_events(
        self, athlete: Athlete, data: bytes, source: str = "the file"
    ) -> dict[str, Any]:
        """Races and long runs from a training plan's ICS (times in the athlete's zone). Linear:
        the athlete's known events are read once, the new ones inserted in one statement."""
        from triplane.io.ics import read_events_ics

        try:
            found = read_events_ics(data, athlete.tz, athlete.today())
        except ValueError as exc:
            raise Invalid(f"{source}: {exc}") from None
        e = t.events
        known = {
            (r.date, r.kind, r.name)
            for r in self.conn.execute(
                select(e.c.date, e.c.kind, e.c.name).where(e.c.athlete_id == athlete.id)
            )
        }
        rows, added, dupes = [], [], 0
        now = _now()
        for ev in found:
            name = " ".join(ev["name"][:200].split())
            key = (ev["date"], ev["kind"], name)
            if key in known:
                dupes += 1
                continue
            known.add(key)
            at = ev["time"].strftime("%H:%M") if ev["time"] else None
            rows.append(
                {"athlete_id": athlete.id, "date": ev["date"], "time": at, "kind": ev["kind"],
                 "name": name, "created_at": now}
            )  # fmt: skip
            added.append(
                {"date": ev["date"].isoformat(), "time": at, "kind": ev["kind"],
                 "name": ev["name"][:200]}
            )  # fmt: skip
        if rows:
            ids = self.conn.execute(
                insert(e).returning(e.c.id, sort_by_parameter_order=True), rows
            ).scalars()
            for item, rid in zip(added, ids, strict=True):
                item["id"] = f"E{rid}"
        added = [{"id": a.pop("id"), **a} for a in added]
        return {"found": len(found), "added": added, "duplicates": dupes}

    def events(self, athlete: Athlete) -> list[dict[str, Any]]:
        e = t.events
        rows = self.conn.execute(
            select(e).where(e.c.athlete_id == athlete.id).order_by(e.c.date, e.c.id)
        ).all()
        return [
            {"id": f"E{r.id}", "date": r.date.isoformat(), "time": r.time, "kind": r.kind,
             "name": r.name, "duration_minutes": r.duration_min}
            for r in rows
        ]  # fmt: skip

    # -- calendars --

    def plan_days(self, athlete: Athlete, start: date, days: int) -> list[dict[str, Any]]:
        planner = self.svc.planner(athlete)
        return [planner.day(start + timedelta(days=i)).as_dict() for i in range(days)]

    def calendar(
        self,
        athlete: Athlete,
        start: date | None = None,
        weeks: int = 4,
        now: datetime | None = None,
    ) -> bytes:
        """The plan from `start` (today) for `weeks` weeks as an RFC 5545 calendar."""
        from triplane.io.ics import calendar_ics

        if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 52:
            raise Invalid(f"--weeks is 1 to {MAX_CALENDAR_WEEKS}, not {weeks}")
        start = start or athlete.today()
        days = self.plan_days(athlete, start, 7 * weeks)
        return calendar_ics(athlete.name, athlete.tz, days, now=now)

    def feed(self, athlete: Athlete, now: datetime | None = None) -> bytes:
        """What the subscription URL serves: last week and the next four."""
        start = athlete.today() - timedelta(days=FEED_DAYS_BACK)
        return self.calendar(athlete, start, FEED_WEEKS, now=now)

    def create_calendar_token(self, athlete: Athlete) -> str:
        """A new private token for the calendar URL (the previous one stops working)."""
        import secrets

        self.revoke_calendar_tokens(athlete)
        token = secrets.token_urlsafe(32)
        self.conn.execute(
            insert(t.calendar_tokens).values(
                athlete_id=athlete.id, token_hash=_hash(token), created_at=_now()
            )
        )
        return token

    def revoke_calendar_tokens(self, athlete: Athlete) -> int:
        ct = t.calendar_tokens
        return int(
            self.conn.execute(
                update(ct)
                .where(ct.c.athlete_id == athlete.id, ct.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            ).rowcount
            or 0
        )

    def calendar_token_status(self, athlete: Athlete) -> dict[str, Any]:
        ct = t.calendar_tokens
        created = self.conn.execute(
            select(ct.c.created_at).where(ct.c.athlete_id == athlete.id, ct.c.revoked_at.is_(None))
        ).scalar()
        return {
            "active": created is not None,
            "created_at": created.isoformat() if created else None,
        }

    def athlete_for_calendar_token(self, token: str) -> Athlete:
        ct = t.calendar_tokens
        if not token or len(token) > 200:
            raise NotFound("no calendar at this address")
        aid = self.conn.execute(
            select(ct.c.athlete_id).where(
                ct.c.token_hash == _hash(token), ct.c.revoked_at.is_(None)
            )
        ).scalar()
        if aid is None:
            raise NotFound("no calendar at this address (it was revoked, or never existed)")
        return self.svc.athlete_by_id(int(aid))

    # -- the lunge matrix on a watch --

    def lunge_fit(self, athlete: Athlete, day: date | None = None) -> bytes:
        """The day's lunge-matrix session as a FIT workout."""
        from triplane.io.fitworkout import lunge_workout_fit

        day = day or athlete.today()
        plan = self.svc.plan_day(athlete, day)
        if plan.safety.paused:
            raise NothingDue(
                f"the programme is paused on {day}: {' '.join(plan.safety.advice)}".rstrip(": ")
            )
        d = plan.as_dict()
        session: Any = d["lunge_session"]
        if not session:
            state, _ = self.svc.lunge_next(athlete, day)
            if state.paused:
                raise NothingDue(
                    f"the lunge matrix is paused on {day}: {' '.join(state.advice)}".rstrip(": ")
                )
            raise NothingDue(
                f"no lunge-matrix session is due on {day}; see `triplane plan week` for the "
                "next one, or pass --date"
            )
        directions = [x for x in session["directions"] if x.get("reps")]
        try:
            return lunge_workout_fit(f"Lunge matrix {day:%d %b}", directions)
        except ValueError as exc:
            raise Invalid(str(exc)) from None

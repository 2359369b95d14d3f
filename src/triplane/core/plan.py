"""The planner: a person's week + profile + log -> movement snacks and lunge sessions.

The heart of the method (method.md §3-4): short drills spread through the day, before runs and
gym sessions, between sets and on rest days, with more time on what is restricted.

How it works, in two layers so the "owed minutes" rule has a fixed point:
1. The *base week* (Monday to Sunday) depends only on settings, profile, away days and pauses:
   slot times and sizes per day, then a greedy pass that gives each slot the drill that best
   closes the week's gap between the minutes each motion should have had (weighted by
   restriction) and what it got. Deterministic: ties break on a stable hash, never on chance.
2. The *day plan* starts from its base day and applies the log: minutes planned in the previous
   7 days and not done are owed and fill the day's unused budget; a drill that hurt (> 5/10) is
   swapped for an easier one; safety pauses everything.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from functools import lru_cache

from triplane.core import lunge as lunge_rules
from triplane.core.anatomy import MOTION_LABEL, MOTIONS, WEEKDAYS
from triplane.core.assess import Profile
from triplane.core.catalogue.model import Catalogue, Dose, Drill
from triplane.core.records import AwayPeriod, CheckIn, DrillLog, Event, LungeLog, Settings
from triplane.core.safety import (
    TARGET_SENSATION,
    SafetyState,
    high_discomfort_drills,
    lunge_state,
    pause_periods,
    programme_state,
    repeated_discomfort_advice,
)

ANCHORED = frozenset({"before_run", "before_gym", "between_sets"})
SNACK_GAP_MIN = 120  # free snacks at least 2 hours apart
MAX_TRAINING_SNACKS = 3
MIN_REST_SNACKS = 4  # always more than any training day
MAX_REST_SNACKS = 6
MAX_DAYS_PER_DRILL = 4
BEFORE_RUN_LEAD = 15  # minutes before the run (within the 30 the method allows)
BEFORE_GYM_LEAD = 10
BETWEEN_SETS_MAX = 2
SNACK_MAX = 5
OWED_WINDOW_DAYS = 7
# Weekly share of minutes by status: a restricted motion aims at four times an ok motion, so
# that, after the spill-over of multi-motion drills, it gets at least twice.
WEIGHTS = {"restricted": 4.0, "borderline": 2.0, "unknown": 1.0, "ok": 1.0}
RESTRICTION_NOTE_DAYS = 14


@dataclass(frozen=True)
class Slot:
    start: time
    context: str
    minutes: int
    side: str
    drill: Drill
    dose: str
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        d = self.drill
        return {
            "start": self.start.strftime("%H:%M"),
            "context": self.context,
            "minutes": self.minutes,
            "side": self.side,
            "dose": self.dose,
            "note": self.note,
            "target_sensation": TARGET_SENSATION,
            "cues": list(d.cues),
            "drill": {
                "id": d.id,
                "name": d.name,
                "planes": list(d.planes),
                "motions": list(d.motions),
                "position": d.position,
            },
        }


@dataclass(frozen=True)
class LungeSession:
    start: time
    directions: tuple[lunge_rules.DirectionPlan, ...]
    note: str = ""


@dataclass(frozen=True)
class DayPlan:
    date: date
    day_type: str  # run | gym | run_gym | rest
    slots: tuple[Slot, ...]
    lunge_session: LungeSession | None
    safety: SafetyState
    notes: tuple[str, ...] = ()
    away: str | None = None  # the reason, on an away day
    catalogue: Catalogue | None = field(default=None, compare=False, repr=False)

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.slots)

    def as_dict(self) -> dict[str, object]:
        lunge_dict: dict[str, object] | None = None
        if self.lunge_session is not None and self.catalogue is not None:
            matrix = self.catalogue.lunge
            lunge_dict = {
                "start": self.lunge_session.start.strftime("%H:%M"),
                "note": self.lunge_session.note,
                "directions": [d.as_dict(matrix) for d in self.lunge_session.directions],
            }
        return {
            "date": self.date.isoformat(),
            "day_type": self.day_type,
            "total_minutes": self.total_minutes,
            "away": self.away,
            "slots": [s.as_dict() for s in self.slots],
            "lunge_session": lunge_dict,
            "safety": self.safety.as_dict(),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AthleteLog:
    drill_logs: tuple[DrillLog, ...] = ()
    lunge_logs: tuple[LungeLog, ...] = ()
    check_ins: tuple[CheckIn, ...] = ()
    away: tuple[AwayPeriod, ...] = ()
    events: tuple[Event, ...] = ()


@dataclass
class _Skeleton:
    start: int  # minutes after midnight
    context: str
    minutes: int
    standing_only: bool = False
    dynamic_only: bool = False


@dataclass(frozen=True)
class _BaseDay:
    date: date
    day_type: str
    slots: tuple[Slot, ...]
    away: str | None
    paused: bool


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(m: int) -> time:
    return time(m // 60, m % 60)


def _stable(*parts: str) -> float:
    """A deterministic number in [0, 1) for tie-breaks (Python's hash() is salted per process)."""
    return zlib.crc32("|".join(parts).encode()) / 2**32


def weekday(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def day_type(s: Settings, d: date) -> str:
    wd = weekday(d)
    run = s.run_time_on(wd) is not None
    gym = wd in s.gym_days and s.gym_time is not None
    return "run_gym" if run and gym else "run" if run else "gym" if gym else "rest"


def scaled_dose(drill: Drill, minutes: int) -> str:
    """The drill's dose fitted to the snack's minutes, e.g. '2 x 8 per side'."""
    return _scaled_dose(drill.id, drill.dose, minutes)


@lru_cache(maxsize=4096)  # keyed by id and dose: hashing a whole Drill costs more than it saves
def _scaled_dose(drill_id: str, dose: Dose, minutes: int) -> str:
    factor = minutes / dose.minutes if dose.minutes else 1.0
    if factor >= 0.99:
        sets = max(1, round(dose.sets * min(factor, 2.0)))
        text = replace(dose, sets=sets).text()
    elif dose.sets > 1:
        text = replace(dose, sets=max(1, round(dose.sets * factor))).text()
    elif dose.reps is not None:
        text = replace(dose, reps=max(3, round(dose.reps * factor))).text()
    else:
        hold = dose.hold_seconds or 30
        text = replace(dose, hold_seconds=max(10, round(hold * factor / 5) * 5)).text()
    return f"{text}; {dose.tempo}" if dose.tempo else text


class Planner:
    """Plans for one athlete. Inputs are plain data; every answer derives from them."""

    def __init__(
        self,
        catalogue: Catalogue,
        settings_on: Callable[[date], Settings],
        profile_on: Callable[[date], Profile],
        log: AthleteLog,
        seed: str = "",
        since: date | None = None,
        today: date | None = None,
    ) -> None:
        self.today = today  # days from today on have not happened yet: nothing owed from them
        self.catalogue = catalogue
        self.since = since  # the athlete's first day: nothing before it is owed
        self.settings_on = settings_on
        self.profile_on = profile_on
        self.log = log
        self.seed = seed
        self._weeks: dict[date, tuple[_BaseDay, ...]] = {}
        self._lunge_days: dict[date, frozenset[date]] = {}
        self._skeletons: dict[tuple[Settings, int, int], list[_Skeleton]] = {}
        self._allowed: dict[tuple[Settings, bool], list[Drill]] = {}
        self._races = frozenset(e.date for e in log.events if e.kind == "race")
        self._pauses = pause_periods(log.check_ins, log.lunge_logs)

    # ---- public ----------------------------------------------------------------------------

    def day(self, d: date) -> DayPlan:
        base = self._base_day(d)
        settings = self.settings_on(d)
        safety = programme_state(self.log.check_ins, d, self.catalogue.red_flags)
        notes: list[str] = []
        profile = self.profile_on(d)
        if not profile.assessed:
            notes.append(
                "No assessment yet: this plan covers all six hip motions evenly. Assess your "
                "hips (triplane assess add ...) and the plan will spend more time on what is "
                "restricted."
            )
        notes.extend(profile.advice)
        if self.after_race(d):
            notes.append("The day after your race: gentle drills only, no lunge matrix. Recover.")
        repeated = repeated_discomfort_advice(self.log.drill_logs, d)
        if repeated:
            safety = _with_advice(safety, repeated)
        if base.away is not None:
            return DayPlan(
                d,
                base.day_type,
                (),
                None,
                safety,
                (f"Away ({base.away}): nothing planned, nothing owed.",),
                base.away,
                self.catalogue,
            )
        if safety.paused:
            return DayPlan(d, base.day_type, (), None, safety, tuple(notes), None, self.catalogue)
        slots = list(base.slots)
        slots = self._replace_uncomfortable(d, slots, settings, notes)
        slots = self._add_owed(d, slots, settings, notes)
        session = self._lunge_session(d, settings)
        return DayPlan(
            d, base.day_type, tuple(slots), session, safety, tuple(notes), None, self.catalogue
        )

    def week(self, start: date) -> list[DayPlan]:
        return [self.day(start + timedelta(days=i)) for i in range(7)]

    def lunge_next(self, d: date) -> tuple[SafetyState, list[lunge_rules.DirectionPlan]]:
        """Every direction's prescription for `d`; capped (a lighter session that is never
        history) 48 h before a race or long run, the day after a race, or under a coach's cap."""
        state = lunge_state(self.log.check_ins, self.log.lunge_logs, d, self.catalogue.red_flags)
        return state, self._direction_plans(d, self.lunge_cap(d))

    def lunge_cap(self, d: date) -> str | None:
        """Why the lunge session on `d` is capped, or None."""
        return lunge_rules.cap_reason(d, self.log.events, self.settings_on)

    def lunge_days(self, monday: date) -> frozenset[date]:
        if monday not in self._lunge_days:
            self._lunge_days[monday] = self._choose_lunge_days(monday)
        return self._lunge_days[monday]

    def _choose_lunge_days(self, monday: date) -> frozenset[date]:
        """2-3 lunge-matrix days in the week starting `monday`, at least 48 hours apart
        (also across the week boundary), never the day before a long run or race."""
        days = [monday + timedelta(days=i) for i in range(7)]
        preference = {"rest": 0, "gym": 1, "run": 2, "run_gym": 3}
        candidates: list[tuple[int, float, date]] = []
        for d in days:
            s = self.settings_on(d)
            if (
                self._is_away(d)
                or self._big_day_on(d + timedelta(days=1), s)
                or self._big_day_on(d, s)
                or self.after_race(d)
            ):
                continue
            candidates.append((preference[day_type(s, d)], _stable(self.seed, d.isoformat()), d))
        chosen: list[date] = []
        for _, _, d in sorted(candidates):
            if len(chosen) == 3:
                break
            if all(_cyclic_gap(d, c) >= 2 for c in chosen):
                chosen.append(d)
        return frozenset(chosen)

    # ---- base week -------------------------------------------------------------------------

    def _base_day(self, d: date) -> _BaseDay:
        monday = d - timedelta(days=d.weekday())
        if monday not in self._weeks:
            self._weeks[monday] = self._base_week(monday)
        return self._weeks[monday][d.weekday()]

    def _is_away(self, d: date) -> str | None:
        for a in self.log.away:
            if a.covers(d):
                return a.reason or "away"
        return None

    def _base_week(self, monday: date) -> tuple[_BaseDay, ...]:
        days = [monday + timedelta(days=i) for i in range(7)]
        week = _Week(self, days)
        week.choose()
        week.cover_every_motion()
        week.widen()
        week.follow_restriction()
        out: list[_BaseDay] = []
        for i, d in enumerate(days):
            kind = day_type(week.settings[i], d)
            if week.skeletons[i] is None:
                away = self._is_away(d)
                out.append(_BaseDay(d, kind, (), away, away is None))
                continue
            profile = week.profiles[i]
            slots = tuple(self._slot(sk, dr, profile) for sk, dr in week.picks[i])
            out.append(_BaseDay(d, kind, slots, None, False))
        return tuple(out)

    def _slot(self, sk: _Skeleton, drill: Drill, profile: Profile, note: str = "") -> Slot:
        side = "both"
        if drill.dose.per_side:
            tighter = profile.motion(drill.primary_motion).tighter_side
            side = tighter or "both"
        if drill.primary_motion in profile.painful_motions or any(
            m in profile.painful_motions for m in drill.motions
        ):
            extra = "A test of this motion hurt: stay well inside the pain-free range."
            note = f"{note} {extra}".strip()
        return Slot(
            _clock(sk.start),
            sk.context,
            sk.minutes,
            side,
            drill,
            scaled_dose(drill, sk.minutes),
            note,
        )

    # ---- the log ---------------------------------------------------------------------------

    def _replace_uncomfortable(
        self, d: date, slots: list[Slot], s: Settings, notes: list[str]
    ) -> list[Slot]:
        hurt: dict[str, DrillLog] = {}
        for h in sorted(high_discomfort_drills(self.log.drill_logs, d), key=lambda h: h.date):
            hurt[h.drill] = h
        # a later comfortable log of the same drill means it is fine again
        for g in self.log.drill_logs:
            if (
                g.drill in hurt
                and hurt[g.drill].date < g.date < d
                and not g.skipped
                and g.discomfort is not None
                and g.discomfort <= 3
            ):
                del hurt[g.drill]
        if not hurt:
            return slots
        out: list[Slot] = []
        used = {sl.drill.id for sl in slots}
        profile = self.profile_on(d)
        for sl in slots:
            bad = hurt.get(sl.drill.id)
            if bad is None:
                out.append(sl)
                continue
            easier = self._easier(d, sl.drill, s, used, sl)
            why = f"{sl.drill.name} was uncomfortable ({bad.discomfort}/10) on {bad.date}"
            if easier is not None:
                used.add(easier.id)
                sk = _Skeleton(_minutes(sl.start), sl.context, sl.minutes)
                out.append(self._slot(sk, easier, profile, f"{why}: swapped for an easier drill."))
            else:
                minutes = max(1, sl.minutes - 1)
                out.append(
                    replace(
                        sl,
                        minutes=minutes,
                        dose=scaled_dose(sl.drill, minutes),
                        note=f"{why}: dose lowered. Stay in the pain-free range.",
                    )
                )
        return out

    def _easier(
        self, d: date, drill: Drill, s: Settings, used: set[str], slot: Slot
    ) -> Drill | None:
        cat = self.catalogue
        standing_only = slot.context == "before_run" or _in_work_hours(s, d, slot.start)

        allowed = {dr.id for dr in self.allowed_on(s, d)}

        def fits(dr: Drill) -> bool:
            return (
                dr.id in allowed
                and dr.id not in used
                and (dr.is_standing or not standing_only)
                and (slot.context != "before_run" or dr.style == "dynamic")
            )

        if drill.easier and drill.easier in cat.drills and fits(cat.drills[drill.easier]):
            return cat.drills[drill.easier]
        options = [
            dr
            for dr in cat.drills.values()
            if dr.primary_motion == drill.primary_motion
            and dr.difficulty < drill.difficulty
            and fits(dr)
        ]
        return min(options, key=lambda dr: (dr.difficulty, dr.id)) if options else None

    def _owed(self, d: date) -> dict[str, float]:
        """Minutes per motion planned in the previous 7 days and not done."""
        planned = dict.fromkeys(MOTIONS, 0.0)
        done = dict.fromkeys(MOTIONS, 0.0)
        since = d - timedelta(days=OWED_WINDOW_DAYS)
        for i in range(1, OWED_WINDOW_DAYS + 1):
            if self.since is not None and d - timedelta(days=i) < self.since:
                break
            if self.today is not None and d - timedelta(days=i) >= self.today:
                continue
            base = self._base_day(d - timedelta(days=i))
            for sl in base.slots:
                for m in sl.drill.motions:
                    planned[m] += sl.minutes / len(sl.drill.motions)
        away_days = {
            since + timedelta(days=i)
            for i in range(OWED_WINDOW_DAYS)
            if self._is_away(since + timedelta(days=i))
        }
        for g in self.log.drill_logs:
            if since <= g.date < d and not g.skipped and g.date not in away_days:
                motions = g.motions or (
                    self.catalogue.drills[g.drill].motions
                    if g.drill in self.catalogue.drills
                    else ()
                )
                for m in motions:
                    if m in done:
                        done[m] += g.minutes / len(motions)
        return {m: planned[m] - done[m] for m in MOTIONS if planned[m] - done[m] >= 1.0}

    def _add_owed(self, d: date, slots: list[Slot], s: Settings, notes: list[str]) -> list[Slot]:
        """Motions owed from the last 7 days take today's free snacks first, and any unused
        budget grows those snacks (never past the budget or 5 minutes a snack)."""
        owed = self._owed(d)
        if not owed:
            return slots
        room = s.daily_minutes - sum(sl.minutes for sl in slots)
        profile = self.profile_on(d)
        order = sorted(owed, key=lambda m: (-owed[m], MOTIONS.index(m)))
        out = list(slots)
        used = {sl.drill.id for sl in slots}
        caught: list[str] = []
        for i, sl in enumerate(out):
            if not order:
                break
            if sl.context in ANCHORED:
                continue
            motion = order[0]
            drill = sl.drill
            if motion not in drill.motions:
                standing_only = _in_work_hours(s, d, sl.start)
                options = sorted(
                    (
                        dr
                        for dr in self.allowed_on(s, d)
                        if motion in dr.motions
                        and dr.id not in used
                        and (dr.is_standing or not standing_only)
                    ),
                    key=lambda dr: (
                        dr.motions.index(motion),
                        len(dr.motions),
                        _stable(self.seed, d.isoformat(), dr.id),
                    ),
                )
                if not options:
                    continue
                used.discard(drill.id)
                drill = options[0]
                used.add(drill.id)
            extra = max(0, min(SNACK_MAX - sl.minutes, room, round(owed[motion])))
            room -= extra
            sk = _Skeleton(_minutes(sl.start), sl.context, sl.minutes + extra)
            out[i] = self._slot(
                sk,
                drill,
                profile,
                f"Catching up on {MOTION_LABEL[motion]}, owed from the last 7 days.",
            )
            caught.append(MOTION_LABEL[motion])
            order.pop(0)
        if caught:
            notes.append("Owed from the last 7 days: " + ", ".join(caught) + ".")
        return out

    # ---- lunge matrix ----------------------------------------------------------------------

    def _direction_plans(
        self, d: date, capped: str | None = None
    ) -> list[lunge_rules.DirectionPlan]:
        matrix = self.catalogue.lunge

        def order_on(day: date) -> Sequence[str]:
            return self.settings_on(day).ladder_order or matrix.default_order

        return lunge_rules.plan_directions(
            matrix, self.log.lunge_logs, self._pauses, d, order_on, capped
        )

    def _lunge_session(self, d: date, s: Settings) -> LungeSession | None:
        monday = d - timedelta(days=d.weekday())
        if d not in self.lunge_days(monday):
            return None
        state, plans = self.lunge_next(d)
        if state.paused:
            return None
        wd = weekday(d)
        run_t = s.run_time_on(wd)
        if wd in s.gym_days and s.gym_time is not None:
            start = _minutes(s.gym_time) + 5
            note = "At the start of your gym session, after the warm-up snack."
        elif run_t is not None:
            start = max(_minutes(run_t) - 25, _minutes(s.wake) + 15)
            note = "As a warm-up, before the run (under 5 minutes)."
        else:
            start = min(
                max(_minutes(s.wake) + 10 * 60 + 30, _minutes(s.wake) + 60), _minutes(s.sleep) - 90
            )
            note = "Any time today that suits you; warm up with a drill first."
        return LungeSession(_clock(start), tuple(plans), note)

    def allowed_on(self, s: Settings, d: date) -> list[Drill]:
        """The drills a day allows: kneeling and conditions from the settings, and only gentle
        ones (difficulty 1) the day after a race. Every choice of a drill goes through here."""
        key = (s, self.after_race(d))
        if key not in self._allowed:
            drills = [dr for dr in self.catalogue.drills.values() if _allowed(dr, s)]
            self._allowed[key] = [dr for dr in drills if dr.difficulty == 1] if key[1] else drills
        return self._allowed[key]

    def skeleton(self, s: Settings, d: date, pool: int) -> list[_Skeleton]:
        """Slot times and sizes depend on the settings, the weekday and the pool size only:
        worked out once per combination (skeletons are never changed after this)."""
        key = (s, d.weekday(), pool)
        if key not in self._skeletons:
            self._skeletons[key] = _skeleton(s, d, pool)
        return self._skeletons[key]

    def after_race(self, d: date) -> bool:
        """The day after a race: rest, gentle drills only, no lunge session."""
        return d - timedelta(days=1) in self._races

    def _big_day_on(self, d: date, s: Settings) -> bool:
        if any(e.date == d for e in self.log.events):
            return True
        return s.long_run_day is not None and weekday(d) == s.long_run_day


_Row = tuple[Drill, str, tuple[str, ...], float, float, bool, bool]


class _Week:
    """The base week being built: a skeleton of slots per day, then drills chosen for them.

    Works on plain lists (one [skeleton, drill] pair per slot) so that the greedy choice and the
    repair passes stay cheap; Slot objects are made once at the end.
    """

    def __init__(self, planner: Planner, days: list[date]) -> None:
        self.planner = planner
        cat = planner.catalogue
        self.days = days
        # the day after a race is a rest day of gentle drills, whatever the usual week says
        self.settings = [
            _rest_day(planner.settings_on(d)) if planner.after_race(d) else planner.settings_on(d)
            for d in days
        ]
        self.profiles = [planner.profile_on(d) for d in days]
        self.skeletons: list[list[_Skeleton] | None] = []
        self.allowed: list[list[Drill]] = []
        for d, s in zip(days, self.settings, strict=True):
            allowed = planner.allowed_on(s, d)
            off = (
                planner._is_away(d) is not None
                or programme_state(planner.log.check_ins, d, cat.red_flags).paused
            )
            self.allowed.append(allowed)
            self.skeletons.append(None if off else planner.skeleton(s, d, len(allowed)))
        self.picks: list[list[tuple[_Skeleton, Drill]]] = [[] for _ in days]
        self.days_used: dict[str, int] = {}
        self.minutes = dict.fromkeys(MOTIONS, 0.0)
        self.seed_hash = {
            dr.id: zlib.crc32(f"{planner.seed}|{dr.id}".encode()) for dr in cat.drills.values()
        }

    # -- bookkeeping --

    def _add(self, dr: Drill, minutes: int, sign: int) -> None:
        self.days_used[dr.id] = self.days_used.get(dr.id, 0) + sign
        share = sign * minutes / len(dr.motions)
        for m in dr.motions:
            self.minutes[m] += share

    def fits(self, i: int, sk: _Skeleton, dr: Drill, replacing: Drill | None = None) -> bool:
        today = {p.id for _, p in self.picks[i]}
        if replacing is not None:
            today.discard(replacing.id)
        if dr.id in today or self.days_used.get(dr.id, 0) >= MAX_DAYS_PER_DRILL:
            return False
        if sk.standing_only and not dr.is_standing:
            return False
        return not (sk.dynamic_only and dr.style != "dynamic")

    def replace(self, i: int, j: int, dr: Drill) -> None:
        sk, old = self.picks[i][j]
        self._add(old, sk.minutes, -1)
        self._add(dr, sk.minutes, +1)
        self.picks[i][j] = (sk, dr)

    def statuses(self) -> dict[str, str]:
        return {r.motion: r.status for r in self.profiles[-1].motions}

    # -- the greedy choice --

    def choose(self) -> None:
        # Targets are shares of the whole week's minutes, so early slots already aim right.
        # This loop is the planner's hot path (bench/plan_many.py): plain locals, no calls.
        week_total = sum(sk.minutes for day in self.skeletons if day for sk in day)
        yesterday: set[str] = set()
        minutes = self.minutes
        days_used = self.days_used
        seed_hash = self.seed_hash
        rows_cache: dict[tuple[int, tuple[float, ...]], tuple[list[_Row], ...]] = {}
        for i, d in enumerate(self.days):
            skeleton = self.skeletons[i]
            if skeleton is None:
                yesterday = set()
                continue
            weights = _weights(self.profiles[i])
            wsum = sum(weights.values())
            wmax = max(weights.values())
            target = {m: weights[m] / wsum * week_total for m in MOTIONS}
            key = (id(self.allowed[i]), tuple(weights.values()))
            if key not in rows_cache:
                every = self._rows(i, weights, wmax)
                standing = [r for r in every if r[5]]
                rows_cache[key] = (every, standing, [r for r in standing if r[6]])
            every_row, standing_rows, standing_dynamic_rows = rows_cache[key]
            used_today: set[str] = set()
            # what doesn't change within the day: preference, variety, yesterday (a drill picked
            # today is out for the rest of the day, so its count can't change under us)
            static: dict[str, float | None] = {}
            for _dr, did, _motions, _inv, pref, _st, _dyn in every_row:
                used_days = days_used.get(did, 0)
                if used_days >= MAX_DAYS_PER_DRILL:
                    static[did] = None
                    continue
                # variety: a fresh drill is worth something; repeats cost more each time
                bonus = 0.15 if used_days == 0 else -0.15 * used_days
                static[did] = pref + bonus - (0.3 if did in yesterday else 0.0)
            day_key = d.toordinal() * 1440
            for sk in skeleton:
                slot_key = (day_key + sk.start) * 2654435761
                sk_minutes = sk.minutes
                inv_minutes = 1.0 / sk_minutes
                if sk.standing_only:
                    rows = standing_dynamic_rows if sk.dynamic_only else standing_rows
                elif sk.dynamic_only:
                    rows = [r for r in every_row if r[6]]
                else:
                    rows = every_row
                between_sets = sk.context == "between_sets"
                gaps = {m: target[m] - minutes[m] for m in MOTIONS}
                best: Drill | None = None
                best_score = -1e9
                parts: dict[tuple[str, ...], float] = {}  # drills with the same motions
                for dr, did, motions, inv_len, _pref, _standing, dynamic in rows:
                    fixed = static[did]
                    if fixed is None or did in used_today:
                        continue
                    part = parts.get(motions)
                    if part is None:
                        share = sk_minutes * inv_len
                        part = 0.0
                        for m in motions:
                            gap = gaps[m]
                            # over-serving a motion costs five times what serving a gap earns
                            if gap > 0:
                                part += gap if gap < share else share
                            else:
                                part += 5 * (gap if gap > -share else -share)
                        part *= inv_minutes
                        parts[motions] = part
                    score = part + fixed
                    if between_sets and dynamic:
                        score += 0.1
                    # a deterministic tie-break that varies by athlete, day and slot
                    score += 0.05 * (((seed_hash[did] ^ slot_key) & 0xFFFFFFFF) / 4294967296)
                    if score > best_score:
                        best, best_score = dr, score
                if best is None:
                    continue  # nothing fits this slot's constraints: leave it out
                used_today.add(best.id)
                self._add(best, sk_minutes, +1)
                self.picks[i].append((sk, best))
            yesterday = used_today

    def _rows(self, i: int, weights: dict[str, float], wmax: float) -> list[_Row]:
        """(drill, id, motions, 1/len, preference, standing, dynamic) for the greedy loop."""
        return [
            (
                dr,
                dr.id,
                tuple(sorted(dr.motions)),  # a canonical key: drills sharing motions share a score
                1.0 / len(dr.motions),
                sum(weights[m] for m in dr.motions) / len(dr.motions) / wmax,
                dr.position == "standing",
                dr.style == "dynamic",
            )
            for dr in self.allowed[i]
        ]

    # -- repair passes, each bounded --

    def _appearances(self) -> dict[str, int]:
        out = dict.fromkeys(MOTIONS, 0)
        for day in self.picks:
            for _, dr in day:
                for m in dr.motions:
                    out[m] += 1
        return out

    def _removable(self, dr: Drill, keep_motions: bool = True) -> bool:
        """Taking one snack of `dr` away keeps every drill and motion of the week present."""
        if self.days_used.get(dr.id, 0) <= 1:
            distinct = sum(1 for v in self.days_used.values() if v > 0)
            pool = len({d.id for allowed in self.allowed for d in allowed})
            if distinct - 1 < min(10, pool):
                return False  # the week keeps at least 10 different drills
        if keep_motions:
            seen = self._appearances()
            return all(seen[m] > 1 for m in dr.motions)
        return True

    def cover_every_motion(self) -> None:
        """Each of the six motions appears at least once a week: swap a late free snack if not."""
        for motion in MOTIONS:
            if self._appearances()[motion]:
                continue
            done = False
            for i in range(len(self.days) - 1, -1, -1):
                for j in range(len(self.picks[i]) - 1, -1, -1):
                    sk, old = self.picks[i][j]
                    if sk.context in ANCHORED:
                        continue
                    options = [
                        dr
                        for dr in self.allowed[i]
                        if motion in dr.motions and self.fits(i, sk, dr, old)
                    ]
                    if options:
                        best = min(
                            options,
                            key=lambda dr: (dr.motions.index(motion), len(dr.motions), dr.id),
                        )
                        self.replace(i, j, best)
                        done = True
                        break
                if done:
                    break

    def follow_restriction(self) -> None:
        """A restricted motion gets at least twice the minutes of an ok one: where the greedy
        choice fell short, swap single snacks to shrink the total shortfall (a small local
        search, bounded; it never removes a drill's or a motion's last appearance)."""
        statuses = self.statuses()
        restricted = [m for m in MOTIONS if statuses[m] == "restricted"]
        fine = [m for m in MOTIONS if statuses[m] == "ok"]
        if not restricted or not fine:
            return

        def shortfall(minutes: dict[str, float]) -> float:
            return sum(
                max(0.0, 2 * minutes[f] - minutes[r] - 1e-9) for r in restricted for f in fine
            )

        for _ in range(60):
            now = shortfall(self.minutes)
            if now <= 1e-9:
                return
            best: tuple[float, int, int, Drill] | None = None
            for i in range(len(self.days)):
                for j, (sk, old) in enumerate(self.picks[i]):
                    if not self._removable(old):
                        continue
                    for dr in self.allowed[i]:
                        if dr.id == old.id or not self.fits(i, sk, dr, old):
                            continue
                        trial = dict(self.minutes)
                        for m in old.motions:
                            trial[m] -= sk.minutes / len(old.motions)
                        for m in dr.motions:
                            trial[m] += sk.minutes / len(dr.motions)
                        if min(trial[m] for m in MOTIONS) <= 0:
                            continue
                        gain = now - shortfall(trial)
                        if gain > 1e-9 and (best is None or gain > best[0]):
                            best = (gain, i, j, dr)
            if best is None:
                return
            _, i, j, dr = best
            self.replace(i, j, dr)

    def widen(self) -> None:
        """At least 10 different drills a week (or every allowed one): give an unused drill a
        snack of the most repeated one, without undoing the rules above."""
        pool = {dr.id for allowed in self.allowed for dr in allowed}
        for _ in range(10):
            used = {k for k, v in self.days_used.items() if v > 0}
            if len(used) >= min(10, len(pool)):
                return
            statuses = self.statuses()
            moved = False
            for i in range(len(self.days)):
                for j, (sk, old) in enumerate(self.picks[i]):
                    if self.days_used.get(old.id, 0) < 2:
                        continue
                    fresh = [
                        dr
                        for dr in self.allowed[i]
                        if dr.id not in used and self.fits(i, sk, dr, old)
                    ]
                    if fresh:
                        # keep the restricted motions' time where possible
                        fresh.sort(
                            key=lambda dr: (
                                -sum(statuses[m] == "restricted" for m in dr.motions)
                                / len(dr.motions),
                                len(dr.motions),
                                dr.id,
                            )
                        )
                        self.replace(i, j, fresh[0])
                        moved = True
                        break
                if moved:
                    break
            if not moved:
                return


def _rest_day(s: Settings) -> Settings:
    return replace(s, run_days=frozenset(), gym_days=frozenset(), run_times=(), gym_time=None)


def _cyclic_gap(a: date, b: date) -> int:
    diff = abs(a.weekday() - b.weekday())
    return min(diff, 7 - diff)


def _with_advice(state: SafetyState, advice: str) -> SafetyState:
    level = state.level if state.level != "none" else "routine"
    return replace(state, level=level, advice=state.advice + (advice,))


def _weights(profile: Profile) -> dict[str, float]:
    if not profile.assessed:
        return dict.fromkeys(MOTIONS, 1.0)
    out: dict[str, float] = {}
    for r in profile.motions:
        w = WEIGHTS[r.status]
        if r.asymmetry_flagged and w < WEIGHTS["borderline"]:
            w = WEIGHTS["borderline"]
        out[r.motion] = w
    return out


def _allowed(drill: Drill, s: Settings) -> bool:
    if not s.kneeling_ok and drill.loads_knee:
        return False
    return not any(c in s.conditions for c in drill.contraindications)


def _in_work_hours(s: Settings, d: date, t: time) -> bool:
    if s.work_start is None or s.work_end is None or weekday(d) not in s.work_days:
        return False
    return s.work_start <= t < s.work_end


def _skeleton(s: Settings, d: date, pool: int = 99) -> list[_Skeleton]:
    """Slot times, contexts and minutes for one day, before drills are chosen."""
    wd = weekday(d)
    wake, sleep = _minutes(s.wake), _minutes(s.sleep)
    first, last = wake + 10, sleep - 60
    run_t = s.run_time_on(wd)
    gym_t = s.gym_time if wd in s.gym_days else None
    slots: list[_Skeleton] = []
    if run_t is not None:
        start = max(_minutes(run_t) - BEFORE_RUN_LEAD, wake)
        if start < _minutes(run_t):
            slots.append(_Skeleton(start, "before_run", 3, standing_only=True, dynamic_only=True))
    if gym_t is not None:
        g = _minutes(gym_t)
        if not any(abs(sk.start - g) < 30 for sk in slots):
            slots.append(_Skeleton(max(g - BEFORE_GYM_LEAD, wake), "before_gym", 3))
        between = [g + 20] + ([g + 40] if s.gym_minutes >= 50 else [])
        for b in between:
            if b < g + s.gym_minutes and b < sleep:
                slots.append(_Skeleton(b, "between_sets", BETWEEN_SETS_MAX))
        slots = slots[:MAX_TRAINING_SNACKS]
    if slots:
        for start, context in (
            (first, "on_waking"),
            (12 * 60 + 30, "midday"),
            (sleep - 90, "evening"),
        ):
            if len(slots) >= MAX_TRAINING_SNACKS:
                break
            if first <= start <= last and all(
                abs(start - sk.start) >= SNACK_GAP_MIN for sk in slots
            ):
                slots.append(_Skeleton(start, context, 0))
    else:
        n = max(MIN_REST_SNACKS, min(MAX_REST_SNACKS, s.daily_minutes // 3))
        # a small pool of allowed drills (no kneeling, conditions) can't fill many snacks a day
        # for a week without a drill on more than 4 days: fewer, longer snacks instead
        n = min(n, max(MIN_REST_SNACKS, MAX_DAYS_PER_DRILL * pool // 7 - 1))
        span = max(last - first, 0)
        n = max(1, min(n, span // SNACK_GAP_MIN + 1))
        step = span // (n - 1) if n > 1 else 0
        for i in range(n):
            start = first + i * step
            context = "on_waking" if i == 0 else "evening" if i == n - 1 else "rest_day"
            slots.append(_Skeleton(start, context, 0))
    slots.sort(key=lambda sk: sk.start)
    _size(slots, s.daily_minutes)
    for sk in slots:
        if sk.context not in ANCHORED and _in_work_hours(s, d, _clock(sk.start)):
            sk.standing_only = True
    return [sk for sk in slots if sk.minutes >= 1]


def _size(slots: list[_Skeleton], budget: int) -> None:
    """Fit snack minutes to the daily budget: anchored snacks first, free ones share the rest."""
    anchored = [sk for sk in slots if sk.context in ANCHORED]
    free = [sk for sk in slots if sk.context not in ANCHORED]
    # keep at least a minute for every free snack
    room_for_anchored = max(budget - len(free), len(anchored))
    while sum(sk.minutes for sk in anchored) > room_for_anchored:
        biggest = max(anchored, key=lambda sk: sk.minutes)
        if biggest.minutes <= 1:
            break
        biggest.minutes -= 1
    left = budget - sum(sk.minutes for sk in anchored)
    for i, sk in enumerate(free):
        share = left // (len(free) - i)
        sk.minutes = max(0, min(SNACK_MAX, share))
        left -= sk.minutes

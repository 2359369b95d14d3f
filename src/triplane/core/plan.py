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

import threading
import zlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from functools import lru_cache
from operator import itemgetter
from typing import Generic, TypeVar

from triplane.core import dose as doses
from triplane.core import lunge as lunge_rules
from triplane.core.anatomy import MOTION_LABEL, MOTIONS, WEEKDAYS
from triplane.core.assess import Profile
from triplane.core.catalogue.model import Catalogue, Dose, Drill
from triplane.core.conditions import (
    Restrictions,
    allowed_directions,
    drill_allowed,
    restrictions_for,
)
from triplane.core.records import (
    EVENT_DEFAULT_MINUTES,
    AwayPeriod,
    CheckIn,
    DrillLog,
    Event,
    LungeLog,
    Settings,
)
from triplane.core.safety import (
    HIGH_DISCOMFORT_WINDOW_DAYS,
    TARGET_SENSATION,
    SafetyState,
    lunge_state,
    pause_periods,
    programme_state,
    recently_hurt,
    repeated_discomfort_advice,
    resting_drills,
)

ANCHORED = frozenset({"before_run", "before_gym", "between_sets"})
MIN_FREE_SNACKS = 4  # free snacks a day when the budget allows 2 minutes each
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
# the person's real day (issue 12 §4) and race days (§1); minutes count from the midnight that
# starts the waking day, so a night-shift day runs past 1440
DAY_MIN = 1440
GRID_MIN = 5  # every start on a 5-minute mark
RUN_MINUTES = 60  # a usual run, when nothing says how long
LONG_RUN_MINUTES = EVENT_DEFAULT_MINUTES["long_run"]
AFTER_EVENT_MINUTES = 60  # nothing placed until an hour after a race or event ends
RACE_SNACK_MINUTES = 3  # the one dynamic snack before a race ends 15-20 minutes before it
RACE_SNACK_LEAD = 18
EVENT_DEFAULT_START = time(8, 0)
NO_D3_AFTER_WAKING = 30  # no difficulty-3 drill in the first 30 minutes awake
FREE_GAP_FLOOR = 30  # free snacks spread as far apart as the day allows, never closer than this
LAST_SNACK_BEFORE_SLEEP = 60
LUNGE_AFTER_RUN = 15  # the lunge session starts at least this long after a run ends
LONG_RACE_MINUTES = 240  # a race this long is followed by two gentle days
RECOVERY_DAYS_LONG_RACE = 2
PRE_RACE_HOURS = 48  # no difficulty-3 drill and no drill new to the athlete before a race
OWED_SNACK_MAX = 5  # a catch-up snack for owed minutes, on top of the day's budget


@dataclass(frozen=True)
class Slot:
    start: time
    context: str
    minutes: int
    side: str
    drill: Drill
    dose: str
    note: str = ""
    day_offset: int = 0  # 1: the snack falls after midnight, on the next calendar date

    @property
    def prescribed(self) -> Dose:
        """The dose this slot holds: the drill's dose fitted to the slot's minutes (the one
        object every face shows and the timer runs)."""
        return doses.fit(self.drill.dose, self.minutes)

    def as_dict(self) -> dict[str, object]:
        d = self.drill
        p = self.prescribed
        return {
            "start": self.start.strftime("%H:%M"),
            "day_offset": self.day_offset,
            "context": self.context,
            "minutes": self.minutes,
            "side": self.side,
            "dose": self.dose,
            "dose_detail": {
                "sets": p.sets,
                "reps": p.reps,
                "hold_seconds": p.hold_seconds,
                "per_side": p.per_side,
                "tempo": p.tempo,
                "seconds": round(doses.seconds(p)),
            },
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
    minutes: int = 0  # the estimate counted inside the day's budget
    day_offset: int = 0


@dataclass(frozen=True)
class DayPlan:
    date: date
    day_type: str  # run | race | gym | run_gym | rest
    slots: tuple[Slot, ...]
    lunge_session: LungeSession | None
    safety: SafetyState
    notes: tuple[str, ...] = ()
    away: str | None = None  # the reason, on an away day
    catalogue: Catalogue | None = field(default=None, compare=False, repr=False)

    @property
    def total_minutes(self) -> int:
        """Drill minutes and the lunge session's estimate: what counts against the budget."""
        lunge = self.lunge_session.minutes if self.lunge_session is not None else 0
        return sum(s.minutes for s in self.slots) + lunge

    def as_dict(self) -> dict[str, object]:
        lunge_dict: dict[str, object] | None = None
        if self.lunge_session is not None and self.catalogue is not None:
            matrix = self.catalogue.lunge
            lunge_dict = {
                "start": self.lunge_session.start.strftime("%H:%M"),
                "day_offset": self.lunge_session.day_offset,
                "minutes": self.lunge_session.minutes,
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
    start: int  # minutes after the midnight that starts the waking day
    context: str
    minutes: int
    standing_only: bool = False
    dynamic_only: bool = False
    no_d3: bool = False  # within 30 minutes of waking


@dataclass(frozen=True)
class _Frame:
    """A day's fixed times, in minutes from the midnight that starts its waking day."""

    wake: int
    sleep: int
    blocked: tuple[tuple[int, int], ...]  # runs, races (+1 h), work: nothing free placed here
    spare: tuple[int, ...] = ()  # open 5-minute marks left after the free snacks
    lunge_start: int | None = None
    lunge_note: str = ""


@dataclass(frozen=True)
class _BaseDay:
    date: date
    day_type: str
    slots: tuple[Slot, ...]
    away: str | None
    paused: bool
    frame: _Frame | None = None


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _clock(m: int) -> time:
    return time(m // 60, m % 60)


def _stable(*parts: str) -> float:
    """A deterministic number in [0, 1) for tie-breaks (Python's hash() is salted per process)."""
    return zlib.crc32("|".join(parts).encode()) / 2**32


def weekday(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def day_type(s: Settings, d: date, events: Sequence[Event] = ()) -> str:
    wd = weekday(d)
    race = any(e.date == d and e.kind == "race" for e in events)
    run = race or bool(s.run_times_on(wd)) or any(e.date == d for e in events)
    gym = wd in s.gym_days and s.gym_time is not None
    if race and not gym:
        return "race"
    return "run_gym" if run and gym else "run" if run else "gym" if gym else "rest"


def scaled_dose(drill: Drill, minutes: int) -> str:
    """The drill's dose fitted to the snack's minutes, e.g. '2 x 8 per side; tempo'."""
    return _scaled_dose(drill.dose, minutes)


@lru_cache(maxsize=4096)
def _scaled_dose(dose: Dose, minutes: int) -> str:
    return doses.text(doses.fit(dose, minutes))


def twin(drill: Drill) -> str:
    """A drill and its standing (or kneeling) twin share this key: at most one a day."""
    return drill.standing_version or drill.id


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
        cache: bool = True,
    ) -> None:
        # cache=False: the planner as it was before issue 17 (nothing shared between planners,
        # nothing precomputed per catalogue); kept as the reference the tests compare with
        self.cache = cache
        self.today = today  # days from today on have not happened yet: nothing owed from them
        self.catalogue = catalogue
        self.since = since  # the athlete's first day: nothing before it is owed
        self.settings_on = settings_on
        self.profile_on = profile_on
        self.log = log
        self.seed = seed
        self._weeks: dict[date, tuple[_BaseDay, ...]] = {}
        self._lunge_days: dict[date, frozenset[date]] = {}
        self._lunge_plans: dict[
            date, tuple[SafetyState, list[lunge_rules.DirectionPlan]]
        ] = {}  # lunge_next per day, shared by the budget reservation and the session
        self._skeletons: dict[
            tuple[Settings, int, int, tuple[Event, ...], int], tuple[list[_Skeleton], _Frame]
        ] = {}
        self._allowed: dict[tuple[Settings, bool, frozenset[str] | None], list[Drill]] = {}
        self._races = frozenset(e.date for e in log.events if e.kind == "race")
        self._long_races = frozenset(
            e.date
            for e in log.events
            if e.kind == "race" and e.expected_minutes >= LONG_RACE_MINUTES
        )
        self._events_on: dict[date, tuple[Event, ...]] = {}
        for e in sorted(log.events, key=lambda e: (e.date, e.time or time(0), e.kind, e.name)):
            self._events_on[e.date] = (*self._events_on.get(e.date, ()), e)
        done = sorted((g.date, g.drill) for g in log.drill_logs if not g.skipped)
        self._first_done: dict[str, date] = {}
        for when, drill_id in done:
            self._first_done.setdefault(drill_id, when)
        self._pauses = pause_periods(log.check_ins, log.lunge_logs, log.drill_logs)
        self._restrictions: dict[Settings, Restrictions] = {}
        if cache:
            self._shared = _shared(catalogue)
            self._names = self._shared.names
        else:
            self._names = {dr.id: dr.name for dr in catalogue.drills.values()}

    # ---- public ----------------------------------------------------------------------------

    def day(self, d: date) -> DayPlan:
        base = self._base_day(d)
        settings = self.settings_on(d)
        safety = self.programme_state(d)
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
            long_race = any(d - timedelta(days=i) in self._long_races for i in (1, 2))
            notes.append(
                "Two days after a long race: gentle drills only, no lunge matrix. Recover."
                if long_race
                else "The day after your race: gentle drills only, no lunge matrix. Recover."
            )
        events = self._events_on.get(d, ())
        for e in events:
            what = e.name or e.kind.replace("_", " ")
            notes.append(
                f"{what}: one short dynamic snack before the start, nothing from the start "
                f"until an hour after the expected end ({_hours(e.expected_minutes)}), then "
                "gentle recovery drills."
            )
        if self._pre_race(d):
            notes.append(
                "A race within 48 hours: no demanding (level 3) drill and nothing new; only "
                "drills you have done before."
                if self._first_done
                else "A race within 48 hours and no drill logged yet: only the gentlest drills."
            )
        repeated = repeated_discomfort_advice(self.log.drill_logs, d)
        if repeated and not safety.paused:
            safety = _with_advice(safety, repeated)
        if profile.referral and not safety.paused:
            safety = _with_advice(safety, profile.referral)  # routine: advice, not a pause
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
        if (
            d in self.lunge_days(d - timedelta(days=d.weekday()))
            and self._lunge_session_start(base) is None
        ):
            notes.append(
                "A lunge-matrix day, but the session does not fit: it needs more minutes than "
                "your daily budget, or there is no open time outside runs, work and sleep "
                "(raise --daily-minutes or widen your day to fit it)."
            )
        slots = list(base.slots)
        slots = self._replace_uncomfortable(d, slots, settings, notes)
        slots = self._add_owed(d, slots, settings, notes, base)
        slots = self._within_precautions(slots, settings)
        session = self._lunge_session(d, settings, base)
        return DayPlan(
            d, base.day_type, tuple(slots), session, safety, tuple(notes), None, self.catalogue
        )

    def week(self, start: date) -> list[DayPlan]:
        return [self.day(start + timedelta(days=i)) for i in range(7)]

    def programme_state(self, d: date) -> SafetyState:
        """Paused or not on `d`: check-ins and drill pain (safety.programme_state)."""
        if self.cache:
            key = (self.log.check_ins, self.log.drill_logs, d)
            found = self._shared.safety.get(key)
            if found is None:
                found = programme_state(
                    self.log.check_ins,
                    d,
                    self.catalogue.red_flags,
                    self.log.drill_logs,
                    self._names,
                )
                self._shared.safety.put(key, found)
            return found
        return programme_state(
            self.log.check_ins, d, self.catalogue.red_flags, self.log.drill_logs, self._names
        )

    def restrictions(self, s: Settings) -> Restrictions:
        """What the settings' conditions (and no kneeling) rule out; one answer per settings."""
        if self.cache:
            return self._shared.restrictions(s)
        if s not in self._restrictions:
            self._restrictions[s] = restrictions_for(self.catalogue, s)
        return self._restrictions[s]

    def lunge_next(self, d: date) -> tuple[SafetyState, list[lunge_rules.DirectionPlan]]:
        """Every direction's prescription for `d`; capped (a lighter session that is never
        history) 48 h before a race or long run, the day after a race, or under a coach's cap."""
        state = lunge_state(
            self.log.check_ins,
            self.log.lunge_logs,
            d,
            self.catalogue.red_flags,
            self.log.drill_logs,
            self._names,
        )
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
                or self._big_day_on(d + timedelta(days=1), self.settings_on(d + timedelta(days=1)))
                or self._big_day_on(d, s)
                or self.after_race(d)
            ):
                continue
            candidates.append(
                (preference.get(day_type(s, d), 4), _stable(self.seed, d.isoformat()), d)
            )
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
            if self.cache:
                self._weeks[monday] = self._shared_base_week(monday)
            else:
                self._weeks[monday] = self._base_week(monday)
        return self._weeks[monday][d.weekday()]

    def _shared_base_week(self, monday: date) -> tuple[_BaseDay, ...]:
        """The base week, shared between planners with the same inputs: the seed, the
        settings from Monday to the Tuesday after (lunge days look a day ahead, lunge caps
        two), the week's profiles, the log, and the ladder order on each lunge-log day (the
        lunge replay reads it). Its lunge days and lunge plans come along."""
        days = [monday + timedelta(days=i) for i in range(9)]
        default = self.catalogue.lunge.default_order
        orders = tuple(
            (day, self.settings_on(day).ladder_order or default)
            for day in sorted({g.date for g in self.log.lunge_logs})
        )
        key = (
            self.seed,
            monday,
            _by_identity([self.settings_on(d) for d in days]),
            _by_identity([self.profile_on(d) for d in days[:7]]),
            self.log,
            orders,
        )
        found = self._shared.weeks.get(key)
        if found is None:
            week = self._base_week(monday)
            plans = {d: self._lunge_plans[d] for d in days[:7] if d in self._lunge_plans}
            self._shared.weeks.put(key, (week, self.lunge_days(monday), plans))
            return week
        week, lunge_days, plans = found
        self._lunge_days.setdefault(monday, lunge_days)
        for d, plan in plans.items():
            self._lunge_plans.setdefault(d, plan)
        return week

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
            kind = day_type(week.settings[i], d, self._events_on.get(d, ()))
            if week.skeletons[i] is None:
                away = self._is_away(d)
                out.append(_BaseDay(d, kind, (), away, away is None))
                continue
            profile = week.profiles[i]
            slots = tuple(
                sorted(
                    (self._slot(sk, dr, profile) for sk, dr in week.picks[i]),
                    key=lambda sl: (sl.day_offset, sl.start),
                )
            )
            out.append(_BaseDay(d, kind, slots, None, False, week.frames[i]))
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
        if not self.cache:
            return _new_slot(sk, drill, side, note)
        key = (sk.start, sk.context, sk.minutes, side, drill.id, note)
        found = self._shared.slots.get(key)
        if found is None:
            found = _new_slot(sk, drill, side, note)
            self._shared.slots.put(key, found)
        return found

    # ---- the log ---------------------------------------------------------------------------

    def _replace_uncomfortable(
        self, d: date, slots: list[Slot], s: Settings, notes: list[str]
    ) -> list[Slot]:
        """A drill logged above 5/10 is not offered for 14 days (unless logged at 3/10 or less
        since): its snack goes to an easier drill, else another drill for the same motion, else
        any drill that fits; never to a drill logged above 5/10 in the last 14 days."""
        resting = resting_drills(self.log.drill_logs, d)
        if not resting:
            return slots
        hurt = recently_hurt(self.log.drill_logs, d)
        out: list[Slot] = []
        used = {twin(sl.drill) for sl in slots}
        profile = self.profile_on(d)
        for sl in slots:
            bad = resting.get(sl.drill.id)
            if bad is None:
                out.append(sl)
                continue
            other = self._easier(d, sl.drill, s, used, sl, avoid=hurt)
            why = f"{sl.drill.name} was uncomfortable ({bad.discomfort}/10) on {bad.date}"
            if other is None:
                notes.append(
                    f"{why}: it rests for {HIGH_DISCOMFORT_WINDOW_DAYS} days, and no other drill "
                    "fits that snack."
                )
                continue
            used.add(twin(other))
            easier = other.difficulty < sl.drill.difficulty
            swap = "an easier drill" if easier else "another drill"
            sk = _Skeleton(_slot_minute(sl), sl.context, sl.minutes)
            out.append(self._slot(sk, other, profile, f"{why}: swapped for {swap}."))
        return out

    def _easier(
        self,
        d: date,
        drill: Drill,
        s: Settings,
        used: set[str],
        slot: Slot,
        avoid: frozenset[str] | set[str] = frozenset(),
    ) -> Drill | None:
        """The drill to put in `slot` instead of `drill`: its easier version, else an easier
        drill for the same motion, else any drill for it, else any drill that fits; never one
        in `avoid` (drills that hurt lately)."""
        cat = self.catalogue
        standing_only = slot.context == "before_run" or _in_work_hours(s, d, _slot_minute(slot))
        no_d3 = self._no_d3(s, slot)

        allowed = {dr.id for dr in self.allowed_on(s, d)}

        def fits(dr: Drill) -> bool:
            return (
                dr.id in allowed
                and dr.id not in avoid
                and dr.id != drill.id
                and twin(dr) not in used
                and (dr.is_standing or not standing_only)
                and (slot.context != "before_run" or dr.style == "dynamic")
                and not (no_d3 and dr.difficulty >= 3)
                and doses.fits(dr.dose, slot.minutes)
            )

        if drill.easier and drill.easier in cat.drills and fits(cat.drills[drill.easier]):
            return cat.drills[drill.easier]
        candidates = [dr for dr in cat.drills.values() if fits(dr)]
        for keep in (
            lambda dr: (
                dr.primary_motion == drill.primary_motion and dr.difficulty < drill.difficulty
            ),
            lambda dr: drill.primary_motion in dr.motions,
            lambda dr: bool(set(dr.motions) & set(drill.motions)),
            lambda dr: True,
        ):
            options = [dr for dr in candidates if keep(dr)]
            if options:
                return min(options, key=lambda dr: (dr.difficulty, dr.id))
        return None

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
            if self.log.away and self._is_away(since + timedelta(days=i))
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

    def _add_owed(
        self, d: date, slots: list[Slot], s: Settings, notes: list[str], base: _BaseDay
    ) -> list[Slot]:
        """Motions owed from the last 7 days take today's free snacks first; a motion still
        owed after that gets one new catch-up snack at an open time (on any day type, on top
        of the budget, at most 5 minutes)."""
        owed = self._owed(d)
        if not owed:
            return slots
        profile = self.profile_on(d)
        order = sorted(owed, key=lambda m: (-owed[m], MOTIONS.index(m)))
        out = list(slots)
        used = {twin(sl.drill) for sl in slots}
        hurt = recently_hurt(self.log.drill_logs, d)
        caught: list[str] = []

        def option(motion: str, minute: int, minutes: int, free_of: str | None) -> Drill | None:
            standing_only = _in_work_hours(s, d, minute)
            no_d3 = base.frame is not None and minute < base.frame.wake + NO_D3_AFTER_WAKING
            options = sorted(
                (
                    dr
                    for dr in self.allowed_on(s, d)
                    if motion in dr.motions
                    and dr.id not in hurt
                    and (twin(dr) not in used or twin(dr) == free_of)
                    and (dr.is_standing or not standing_only)
                    and not (no_d3 and dr.difficulty >= 3)
                    and doses.fits(dr.dose, minutes)
                ),
                key=lambda dr: (
                    dr.motions.index(motion),
                    len(dr.motions),
                    _stable(self.seed, d.isoformat(), dr.id),
                ),
            )
            return options[0] if options else None

        for i, sl in enumerate(out):
            if not order:
                break
            if sl.context in ANCHORED:
                continue
            motion = order[0]
            drill: Drill | None = sl.drill
            if motion not in sl.drill.motions:
                drill = option(motion, _slot_minute(sl), sl.minutes, twin(sl.drill))
                if drill is None:
                    continue
                used.discard(twin(sl.drill))
                used.add(twin(drill))
            assert drill is not None
            sk = _Skeleton(_slot_minute(sl), sl.context, sl.minutes)
            out[i] = self._slot(
                sk,
                drill,
                profile,
                f"Catching up on {MOTION_LABEL[motion]}, owed from the last 7 days.",
            )
            caught.append(MOTION_LABEL[motion])
            order.pop(0)
        if order and base.frame is not None:
            minutes = max(1, min(OWED_SNACK_MAX, round(owed[order[0]])))
            taken = [_slot_minute(sl) for sl in out]
            if self._lunge_session_start(base) is not None:
                taken.append(self._lunge_session_start(base) or 0)
            spare = [
                m for m in base.frame.spare if all(abs(m - t) >= FREE_GAP_FLOOR for t in taken)
            ]
            if spare:
                minute = max(
                    spare, key=lambda m: (min((abs(m - t) for t in taken), default=DAY_MIN), -m)
                )
                motion = order[0]
                drill = option(motion, minute, minutes, None)
                if drill is not None:
                    sk = _Skeleton(minute, "catch_up", minutes)
                    out.append(
                        self._slot(
                            sk,
                            drill,
                            profile,
                            f"A catch-up snack for {MOTION_LABEL[motion]}, owed from the "
                            "last 7 days.",
                        )
                    )
                    out.sort(key=lambda sl: (sl.day_offset, sl.start))
                    caught.append(MOTION_LABEL[motion])
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

        # only the directions the person's conditions allow (conditions.allowed_directions)
        restrictions = self.restrictions(self.settings_on(d))
        allowed = allowed_directions(matrix, restrictions)
        return lunge_rules.plan_directions(
            matrix,
            self.log.lunge_logs,
            self._pauses,
            d,
            order_on,
            capped,
            directions=[direction.id for direction in allowed],
            # and each ladder only as high as the conditions allow (no long, deep lunge for a
            # hip that must stay under 90 degrees)
            limits=lunge_rules.ladder_limits(matrix, restrictions.why_not),
        )

    def _lunge_session(self, d: date, s: Settings, base: _BaseDay) -> LungeSession | None:
        start = self._lunge_session_start(base)
        if start is None or base.frame is None:
            return None
        state, plans = self._lunge_next_once(d)
        if state.paused or not plans:
            return None
        note = base.frame.lunge_note
        why = dict(self.restrictions(s).ruled_out).get("hip_flexion_past_90")
        if why is not None:
            note += f" Short lunges only: keep the front hip under 90 degrees ({why})."
        return LungeSession(
            _clock(start % DAY_MIN),
            tuple(plans),
            note,
            lunge_minutes(plans),
            start // DAY_MIN,
        )

    def _within_precautions(self, slots: list[Slot], s: Settings) -> list[Slot]:
        """A flexion drill left in for someone whose hip must stay under 90 degrees says so."""
        why = dict(self.restrictions(s).ruled_out).get("hip_flexion_past_90")
        if why is None:
            return slots
        keep = f"Keep the hip under 90 degrees, knee below hip height ({why})."
        return [
            replace(sl, note=f"{sl.note} {keep}".strip()) if "flexion" in sl.drill.motions else sl
            for sl in slots
        ]

    @staticmethod
    def _lunge_session_start(base: _BaseDay) -> int | None:
        return base.frame.lunge_start if base.frame is not None else None

    def lunge_reserve(self, d: date) -> int:
        """Minutes the day's lunge session takes out of the budget (0: no session)."""
        monday = d - timedelta(days=d.weekday())
        if d not in self.lunge_days(monday):
            return 0
        state, plans = self._lunge_next_once(d)
        minutes = 0 if state.paused else lunge_minutes(plans)
        # the session counts inside the budget: a budget too short for it and a 3-minute
        # snack has no session
        return minutes if minutes + 3 <= self.settings_on(d).daily_minutes else 0

    def _lunge_next_once(self, d: date) -> tuple[SafetyState, list[lunge_rules.DirectionPlan]]:
        if d not in self._lunge_plans:
            self._lunge_plans[d] = self._lunge_next_shared(d) if self.cache else self.lunge_next(d)
        return self._lunge_plans[d]

    def _lunge_next_shared(self, d: date) -> tuple[SafetyState, list[lunge_rules.DirectionPlan]]:
        """lunge_next, shared between planners with the same inputs: the log, the day, the
        cap, what the conditions allow and the ladder order on each day the replay reads."""
        log = self.log
        s = self.settings_on(d)
        default = self.catalogue.lunge.default_order
        replayed = sorted({g.date for g in log.lunge_logs if g.date < d} | {d})
        orders = tuple(self.settings_on(day).ladder_order or default for day in replayed)
        key = (
            log.check_ins,
            log.lunge_logs,
            log.drill_logs,
            d,
            self.lunge_cap(d),
            _restriction_key(s),
            orders,
        )
        found = self._shared.lunge.get(key)
        if found is None:
            found = self.lunge_next(d)
            self._shared.lunge.put(key, found)
        return found

    def _day_filter(self, d: date) -> tuple[bool, frozenset[str] | None]:
        """Gentle drills only on `d`, and the drills done before it when a race is near."""
        gentle = self.after_race(d) or d in self._events_on
        known: frozenset[str] | None = None
        if self._pre_race(d):
            known = frozenset(k for k, first in self._first_done.items() if first < d)
        return gentle, known

    def _pool(self, s: Settings, d: date) -> tuple[Hashable, list[Drill]]:
        """allowed_on's drills from the shared cache, with the key they are cached by."""
        return self._shared.allowed(s, *self._day_filter(d))

    def allowed_on(self, s: Settings, d: date) -> list[Drill]:
        """The drills a day allows: what the settings' conditions and kneeling leave in
        (conditions.drill_allowed); only gentle ones
        (difficulty 1) on a race or event day and after a race; in the 48 hours before a race
        no difficulty-3 drill and none the athlete has not done before. Every choice of a
        drill goes through here."""
        if self.cache:
            return self._pool(s, d)[1]
        gentle, known = self._day_filter(d)
        key = (s, gentle, known)
        if key not in self._allowed:
            self._allowed[key] = _allowed_drills(
                self.catalogue, self.restrictions(s), gentle, known
            )
        return self._allowed[key]

    def skeleton(
        self, s: Settings, d: date, pool: int, lunge: int = 0
    ) -> tuple[list[_Skeleton], _Frame]:
        """Slot times and sizes depend on the settings, the weekday, the pool size, the day's
        events and the lunge session's minutes only: worked out once per combination
        (skeletons are never changed after this)."""
        events = self._events_on.get(d, ())
        if self.cache:
            shape = (_day_shape(s, d), events, lunge)
            found = _SKELETONS.get(shape)
            if found is None:
                found = _skeleton(s, d, pool, events, lunge)
                _SKELETONS.put(shape, found)
            return found
        key = (s, d.weekday(), pool, events, lunge)
        if key not in self._skeletons:
            self._skeletons[key] = _skeleton(s, d, pool, events, lunge)
        return self._skeletons[key]

    def after_race(self, d: date) -> bool:
        """The day after a race, and the two days after a long one (4 hours or more): gentle
        drills only, no lunge session."""
        if not self._races:
            return False
        return d - timedelta(days=1) in self._races or any(
            d - timedelta(days=i) in self._long_races for i in range(1, RECOVERY_DAYS_LONG_RACE + 1)
        )

    def _pre_race(self, d: date) -> bool:
        """A race in the next 48 hours (the race day itself included, up to its start)."""
        if not self._races:
            return False
        return any(d + timedelta(days=i) in self._races for i in range(PRE_RACE_HOURS // 24 + 1))

    def _no_d3(self, s: Settings, slot: Slot) -> bool:
        return _slot_minute(slot) < _minutes(s.wake) + NO_D3_AFTER_WAKING

    def _big_day_on(self, d: date, s: Settings) -> bool:
        if any(e.date == d for e in self.log.events):
            return True
        return s.long_run_day is not None and weekday(d) == s.long_run_day


_Row = tuple[Drill, str, tuple[str, ...], float, float, bool, bool, str, bool, float]


def _rows(allowed: Sequence[Drill], weights: dict[str, float], wmax: float) -> list[_Row]:
    """(drill, id, motions, 1/len, preference, standing, dynamic, twin, level 3, smallest
    dose in seconds) for the greedy loop."""
    return [
        (
            dr,
            dr.id,
            tuple(sorted(dr.motions)),  # a canonical key: drills sharing motions share a score
            1.0 / len(dr.motions),
            sum(weights[m] for m in dr.motions) / len(dr.motions) / wmax,
            dr.position == "standing",
            dr.style == "dynamic",
            twin(dr),
            dr.difficulty >= 3,
            doses.seconds(doses.fit(dr.dose, 0)),
        )
        for dr in allowed
    ]


def _static_scores(
    rows: Sequence[_Row], days_used: dict[str, int], yesterday: set[str]
) -> dict[str, float | None]:
    """What of a drill's score does not change within the day: preference, variety,
    yesterday (a drill picked today is out for the rest of the day, so its count can't change
    under us); None for a drill already on 4 days."""
    static: dict[str, float | None] = {}
    for _dr, did, _motions, _inv, pref, _st, _dyn, _tw, _d3, _sec in rows:
        used_days = days_used.get(did, 0)
        if used_days >= MAX_DAYS_PER_DRILL:
            static[did] = None
            continue
        # variety: a fresh drill is worth something; repeats cost more each time
        bonus = 0.15 if used_days == 0 else -0.15 * used_days
        static[did] = pref + bonus - (0.3 if did in yesterday else 0.0)
    return static


def _choosing_order(skeleton: list[_Skeleton]) -> list[_Skeleton]:
    """Anchored snacks choose first: the few drills that suit them (a gentle standing warm-up
    before a race) are not spent on a free snack earlier that day."""
    return sorted(skeleton, key=lambda sk: (sk.context != "before_run", sk.context not in ANCHORED))


def _least_used(
    rows: Sequence[_Row], used_today: set[str], seconds: int, no_d3: bool, days_used: dict[str, int]
) -> Drill | None:
    """Every fitting drill is already on 4 days: the budget wins over variety (a small pool:
    conditions, no kneeling), the least used drill takes it; None when nothing fits."""
    spare = [r for r in rows if r[7] not in used_today and r[9] <= seconds and not (no_d3 and r[8])]
    if not spare:
        return None
    return min(spare, key=lambda r: (-r[4], days_used.get(r[1], 0), r[1]))[0]


# (standing only, dynamic only) -> which rows a slot considers
_Variant = tuple[bool, bool]
_VARIANTS: tuple[_Variant, ...] = ((False, False), (True, False), (True, True), (False, True))
_MOTION_AT = {m: n for n, m in enumerate(MOTIONS)}
_first = itemgetter(0)


@dataclass(frozen=True)
class _Rows:
    """A pool's rows for one set of weights, worked out once and shared: each slot variant's
    rows (row order kept), and the groups of drills with the same motions (they share a
    score part), as motion positions, one-motion groups first, then two, then three."""

    every: list[_Row]
    variants: dict[_Variant, list[_Row]]
    group_of: dict[str, int]  # drill id -> its group's position
    # groups as motion positions by number of motions, in position order: (size, groups)
    groups: tuple[tuple[int, tuple[tuple[int, ...], ...]], ...]

    @staticmethod
    def of(allowed: Sequence[Drill], weights: dict[str, float], wmax: float) -> _Rows:
        every = _rows(allowed, weights, wmax)
        variants = {
            (False, False): every,
            (True, False): [r for r in every if r[5]],
            (True, True): [r for r in every if r[5] and r[6]],
            (False, True): [r for r in every if r[6]],
        }
        keys = sorted({r[2] for r in every}, key=lambda k: (len(k), k))
        position = {k: n for n, k in enumerate(keys)}
        sizes = sorted({len(k) for k in keys})
        groups = tuple(
            (size, tuple(tuple(_MOTION_AT[m] for m in k) for k in keys if len(k) == size))
            for size in sizes
        )
        return _Rows(every, variants, {r[1]: position[r[2]] for r in every}, groups)


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
            _rest_day(planner.settings_on(d))
            if planner.after_race(d) and d not in planner._events_on
            else planner.settings_on(d)
            for d in days
        ]
        self.profiles = [planner.profile_on(d) for d in days]
        self.skeletons: list[list[_Skeleton] | None] = []
        self.frames: list[_Frame | None] = []
        self.allowed: list[list[Drill]] = []
        self.pool_keys: list[Hashable] = []
        for d, s in zip(days, self.settings, strict=True):
            if planner.cache:
                pool_key, allowed = planner._pool(s, d)
                self.pool_keys.append(pool_key)
            else:
                allowed = planner.allowed_on(s, d)
            off = planner._is_away(d) is not None or planner.programme_state(d).paused
            self.allowed.append(allowed)
            if off:
                self.skeletons.append(None)
                self.frames.append(None)
                continue
            skeleton, frame = planner.skeleton(s, d, len(allowed), planner.lunge_reserve(d))
            self.skeletons.append(skeleton)
            self.frames.append(frame)
        self.picks: list[list[tuple[_Skeleton, Drill]]] = [[] for _ in days]
        self._seen: dict[str, int] | None = None  # _appearances, until the picks change
        self._pool_size: int | None = None
        self.days_used: dict[str, int] = {}
        self.minutes = dict.fromkeys(MOTIONS, 0.0)
        self.seed_hash = {
            dr.id: zlib.crc32(f"{planner.seed}|{dr.id}".encode()) for dr in cat.drills.values()
        }

    # -- bookkeeping --

    def _add(self, dr: Drill, minutes: int, sign: int) -> None:
        self._seen = None
        self.days_used[dr.id] = self.days_used.get(dr.id, 0) + sign
        share = sign * minutes / len(dr.motions)
        for m in dr.motions:
            self.minutes[m] += share

    def fits(self, i: int, sk: _Skeleton, dr: Drill, replacing: Drill | None = None) -> bool:
        today = {twin(p) for _, p in self.picks[i]}
        if replacing is not None:
            today.discard(twin(replacing))
        if twin(dr) in today or self.days_used.get(dr.id, 0) >= MAX_DAYS_PER_DRILL:
            return False
        if sk.standing_only and not dr.is_standing:
            return False
        if sk.no_d3 and dr.difficulty >= 3:
            return False
        if not doses.fits(dr.dose, sk.minutes):
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
        if self.planner.cache:
            self._choose_shared()
        else:
            self._choose_reference()

    def _choose_reference(self) -> None:
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
            used_today: set[str] = set()  # twin keys
            picked_today: set[str] = set()
            static = _static_scores(every_row, days_used, yesterday)
            day_key = d.toordinal() * 1440
            for sk in _choosing_order(skeleton):
                slot_key = (day_key + sk.start) * 2654435761
                sk_minutes = sk.minutes
                sk_seconds = sk_minutes * 60
                no_d3 = sk.no_d3
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
                for dr, did, motions, inv_len, _pref, _standing, dynamic, tw, d3, sec in rows:
                    fixed = static[did]
                    if fixed is None or tw in used_today or sec > sk_seconds or (no_d3 and d3):
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
                    best = _least_used(rows, used_today, sk_seconds, no_d3, days_used)
                    if best is None:
                        continue  # nothing fits this slot's constraints: leave it out
                used_today.add(twin(best))
                picked_today.add(best.id)
                self._add(best, sk_minutes, +1)
                self.picks[i].append((sk, best))
            yesterday = picked_today

    def _choose_shared(self) -> None:
        """The same greedy choice as `_choose_reference`, picking the very same drills, with
        less work per slot: rows come from the catalogue's shared cache, the score part of
        drills with the same motions is worked out once per slot, and the tie-break (below
        0.05) only for drills whose score could still reach the best one. Rows are visited in
        the reference's order, with its arithmetic, so ties fall the same way."""
        week_total = sum(sk.minutes for day in self.skeletons if day for sk in day)
        yesterday: set[str] = set()
        minutes = self.minutes
        days_used = self.days_used
        seed_hash = self.seed_hash
        shared = self.planner._shared
        last_profile: Profile | None = None
        weights: dict[str, float] = {}
        weights_key: tuple[tuple[str, float], ...] = ()
        for i, d in enumerate(self.days):
            skeleton = self.skeletons[i]
            if skeleton is None:
                yesterday = set()
                continue
            profile = self.profiles[i]
            if profile is not last_profile:  # usually one profile all week
                last_profile = profile
                weights = _weights(profile)
                weights_key = tuple(weights.items())
            wsum = sum(weights.values())
            wmax = max(weights.values())
            target = {m: weights[m] / wsum * week_total for m in MOTIONS}
            rows_key = (self.pool_keys[i], weights_key)
            table = shared.rows.get(rows_key)
            if table is None:
                table = _Rows.of(self.allowed[i], weights, wmax)
                shared.rows.put(rows_key, table)
            static = _static_scores(table.every, days_used, yesterday)
            group_of = table.group_of
            # per slot variant, today: (group, fixed, dynamic, twin, level 3, seconds, row)
            open_rows: dict[_Variant, list[tuple[int, float, bool, str, bool, float, _Row]]] = {}
            used_today: set[str] = set()
            picked_today: set[str] = set()
            day_key = d.toordinal() * 1440
            for sk in _choosing_order(skeleton):
                slot_key = (day_key + sk.start) * 2654435761
                sk_minutes = sk.minutes
                sk_seconds = sk_minutes * 60
                no_d3 = sk.no_d3
                inv = 1.0 / sk_minutes
                variant = (sk.standing_only, sk.dynamic_only)
                rows = open_rows.get(variant)
                if rows is None:
                    rows = open_rows[variant] = [
                        (group_of[r[1]], fixed, r[6], r[7], r[8], r[9], r)
                        for r in table.variants[variant]
                        if (fixed := static[r[1]]) is not None
                    ]
                gaps = [target[m] - minutes[m] for m in MOTIONS]
                # each motion's contribution at the share a drill of 1, 2 or 3 motions gives
                # it (the reference's arithmetic: over-serving costs five times a gap served)
                parts: list[float] = []
                for size, groups in table.groups:
                    sh = sk_minutes * (1.0 / size)
                    t = [
                        (g if g < sh else sh) if g > 0 else 5 * (g if g > -sh else -sh)
                        for g in gaps
                    ]
                    if size == 1:
                        parts += [(0.0 + t[x]) * inv for (x,) in groups]
                    elif size == 2:
                        parts += [(0.0 + t[x] + t[y]) * inv for x, y in groups]
                    elif size == 3:
                        parts += [(0.0 + t[x] + t[y] + t[z]) * inv for x, y, z in groups]
                    else:  # sum() adds in the same order, from 0
                        parts += [sum([t[x] for x in k]) * inv for k in groups]
                if sk.context == "between_sets":
                    scored = [
                        (parts[g] + fixed + 0.1 if dyn else parts[g] + fixed, row)
                        for g, fixed, dyn, tw, d3, sec, row in rows
                        if tw not in used_today and sec <= sk_seconds and not (no_d3 and d3)
                    ]
                else:
                    scored = [
                        (parts[g] + fixed, row)
                        for g, fixed, _dyn, tw, d3, sec, row in rows
                        if tw not in used_today and sec <= sk_seconds and not (no_d3 and d3)
                    ]
                best: Drill | None = None
                if scored:
                    top = max(scored, key=_first)[0]
                    best_score = -1e9
                    # only those a tie-break (below 0.05) could lift to the best, in row order
                    for score, row in [c for c in scored if c[0] + 0.05 >= top]:
                        score += 0.05 * (((seed_hash[row[1]] ^ slot_key) & 0xFFFFFFFF) / 4294967296)
                        if score > best_score:
                            best, best_score = row[0], score
                else:
                    best = _least_used(
                        table.variants[variant], used_today, sk_seconds, no_d3, days_used
                    )
                    if best is None:
                        continue
                assert best is not None
                used_today.add(twin(best))
                picked_today.add(best.id)
                self._add(best, sk_minutes, +1)
                self.picks[i].append((sk, best))
            yesterday = picked_today

    def _rows(self, i: int, weights: dict[str, float], wmax: float) -> list[_Row]:
        return _rows(self.allowed[i], weights, wmax)

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
            if self.planner.cache:
                if self._pool_size is None:
                    self._pool_size = len({d.id for allowed in self.allowed for d in allowed})
                pool = self._pool_size
            else:
                pool = len({d.id for allowed in self.allowed for d in allowed})
            if distinct - 1 < min(10, pool):
                return False  # the week keeps at least 10 different drills
        if keep_motions:
            if self.planner.cache:  # the picks change only through _add
                if self._seen is None:
                    self._seen = self._appearances()
                seen = self._seen
            else:
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


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Memo(Generic[K, V]):
    """A bounded in-process cache shared by every Planner (issue 17): plain data in, plain data
    out, so planners with the same inputs share the answer; the oldest entry goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: dict[K, V] = {}
        self._lock = threading.Lock()  # the web app plans in several threads

    def get(self, key: K) -> V | None:
        try:
            return self._data.get(key)
        except TypeError:  # an unhashable input (a list where a tuple belongs): not shared
            return None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            try:
                if key not in self._data and len(self._data) >= self.size:
                    del self._data[next(iter(self._data))]
                self._data[key] = value
            except TypeError:
                pass

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


# a day's skeleton by its shape (the settings' parts it reads, its events, the lunge minutes)
_SKELETONS: _Memo[Hashable, tuple[list[_Skeleton], _Frame]] = _Memo(8192)


def clear_caches() -> None:
    """Empty the caches planners share (benchmarks start each run cold)."""
    _SKELETONS.clear()
    _CATALOGUES.clear()


def _day_shape(s: Settings, d: date) -> Hashable:
    """Everything of the settings `_skeleton` reads for `d`: days alike share a skeleton."""
    wd = weekday(d)
    return (
        s.wake,
        s.sleep,
        s.run_times_on(wd),
        s.long_run_day == wd,
        tuple(work_blocks(s, d)),
        s.gym_time if s.gym_time and wd in s.gym_days else None,
        s.gym_minutes,
        s.daily_minutes,
    )


def _by_identity(values: Sequence[Hashable]) -> Hashable:
    """A key for a list of values that are often the same object (one settings for the whole
    week): each distinct object once, and which one each place holds. Hashing a profile is
    not cheap; the same object seven times need not be hashed seven times."""
    distinct: list[Hashable] = []
    seen: dict[int, int] = {}
    places = []
    for v in values:
        at = seen.get(id(v))
        if at is None:
            at = seen[id(v)] = len(distinct)
            distinct.append(v)
        places.append(at)
    return (tuple(distinct), tuple(places))


def _new_slot(sk: _Skeleton, drill: Drill, side: str, note: str) -> Slot:
    return Slot(
        _clock(sk.start % DAY_MIN),
        sk.context,
        sk.minutes,
        side,
        drill,
        scaled_dose(drill, sk.minutes),
        note,
        sk.start // DAY_MIN,
    )


def _allowed_drills(
    catalogue: Catalogue, r: Restrictions, gentle: bool, known: frozenset[str] | None
) -> list[Drill]:
    """Planner.allowed_on's rule: the conditions' drills; only gentle ones on `gentle` days;
    before a race (`known`: drills done before) nothing demanding and nothing new."""
    drills = [dr for dr in catalogue.drills.values() if drill_allowed(dr, r)]
    if gentle:
        drills = [dr for dr in drills if dr.difficulty == 1]
    if known is not None:
        drills = [dr for dr in drills if dr.difficulty < 3]
        familiar = [dr for dr in drills if dr.id in known]
        # nothing logged yet: the gentlest drills rather than nothing at all
        drills = familiar if known else [dr for dr in drills if dr.difficulty == 1]
    return drills


def _restriction_key(s: Settings) -> Hashable:
    """Everything of the settings conditions.restrictions_for reads."""
    return (s.conditions, s.kneeling_ok, s.hip_approach)


# a shared base week: its days, its lunge days, the lunge plans worked out for it
_SharedWeek = tuple[
    tuple[_BaseDay, ...],
    frozenset[date],
    dict[date, tuple[SafetyState, list[lunge_rules.DirectionPlan]]],
]


class _Shared:
    """What planners using one catalogue share (issue 17): per-drill data worked out once, the
    drill filters by conditions and by day, the rows of the greedy choice, safety states and
    lunge plans by their inputs, and base weeks by theirs. Every cache is bounded."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue  # held: the catalogues' memo is keyed by its id
        self.names = {dr.id: dr.name for dr in catalogue.drills.values()}
        self._restrictions: _Memo[Hashable, Restrictions] = _Memo(1024)
        self._allowed: _Memo[Hashable, list[Drill]] = _Memo(4096)
        self.rows: _Memo[Hashable, _Rows] = _Memo(4096)
        self.safety: _Memo[Hashable, SafetyState] = _Memo(8192)
        self.lunge: _Memo[Hashable, tuple[SafetyState, list[lunge_rules.DirectionPlan]]] = _Memo(
            8192
        )
        self.weeks: _Memo[Hashable, _SharedWeek] = _Memo(2048)
        self.slots: _Memo[Hashable, Slot] = _Memo(16384)

    def restrictions(self, s: Settings) -> Restrictions:
        key = _restriction_key(s)
        found = self._restrictions.get(key)
        if found is None:
            found = restrictions_for(self.catalogue, s)
            self._restrictions.put(key, found)
        return found

    def allowed(
        self, s: Settings, gentle: bool, known: frozenset[str] | None
    ) -> tuple[Hashable, list[Drill]]:
        """Planner.allowed_on's drills by the inputs the filter reads, with that key (the
        list is never changed by callers)."""
        key = (_restriction_key(s), gentle, known)
        found = self._allowed.get(key)
        if found is None:
            found = _allowed_drills(self.catalogue, self.restrictions(s), gentle, known)
            self._allowed.put(key, found)
        return key, found


_CATALOGUES: _Memo[int, _Shared] = _Memo(16)


def _shared(catalogue: Catalogue) -> _Shared:
    found = _CATALOGUES.get(id(catalogue))
    if found is None or found.catalogue is not catalogue:
        found = _Shared(catalogue)
        _CATALOGUES.put(id(catalogue), found)
    return found


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


def _slot_minute(sl: Slot) -> int:
    return _minutes(sl.start) + DAY_MIN * sl.day_offset


def _hours(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def lunge_minutes(plans: Sequence[lunge_rules.DirectionPlan]) -> int:
    """The lunge session's estimate in whole minutes (counted inside the daily budget)."""
    reps = [p.prescription.reps for p in plans if p.prescription.reps]
    return max(1, -(-round(doses.lunge_seconds(reps)) // 60)) if reps else 0


def waking_day(s: Settings) -> tuple[int, int]:
    """Wake and sleep in minutes from the midnight that starts the waking day (sleep may be
    past 1440: a waking day that crosses midnight)."""
    wake, sleep = _minutes(s.wake), _minutes(s.sleep)
    return wake, sleep + DAY_MIN if sleep <= wake else sleep


def in_waking_day(s: Settings, t: time) -> int | None:
    """A clock time as minutes of the waking day (after midnight: past 1440), or None when it
    falls while asleep."""
    wake, sleep = waking_day(s)
    m = _minutes(t)
    if m < wake:
        m += DAY_MIN
    return m if m < sleep else None


def event_start(s: Settings, d: date, e: Event) -> int:
    """When a race or event starts, in minutes of the waking day: its time; without one, the
    day's usual run time, else 08:00, else an hour after waking. A start outside the waking
    day means an early start: the person is up for it (the day begins before it)."""
    wd = weekday(d)
    if e.time is None:
        for t in (*s.run_times_on(wd), EVENT_DEFAULT_START):
            at = in_waking_day(s, t)
            if at is not None:
                return at
        return waking_day(s)[0] + 60
    at = in_waking_day(s, e.time)
    return at if at is not None else _minutes(e.time)


def work_blocks(s: Settings, d: date) -> list[tuple[int, int]]:
    """Work shifts touching the waking day of `d`: a shift belongs to the date it starts on
    and may cross midnight (21:00-05:00)."""
    if s.work_start is None or s.work_end is None:
        return []
    ws, we = _minutes(s.work_start), _minutes(s.work_end)
    if we <= ws:
        we += DAY_MIN
    out = []
    for offset in (-1, 0, 1):
        if weekday(d + timedelta(days=offset)) in s.work_days:
            out.append((ws + offset * DAY_MIN, we + offset * DAY_MIN))
    return out


def _in_work_hours(s: Settings, d: date, t: time | int) -> bool:
    m = t if isinstance(t, int) else _minutes(t)
    return any(a <= m < b for a, b in work_blocks(s, d))


def _overlaps(a: int, b: int, blocks: Sequence[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in blocks)


def _floor5(m: int) -> int:
    return m - m % GRID_MIN


def _ceil5(m: int) -> int:
    return -(-m // GRID_MIN) * GRID_MIN


def _skeleton(
    s: Settings, d: date, pool: int = 99, events: Sequence[Event] = (), lunge: int = 0
) -> tuple[list[_Skeleton], _Frame]:
    """Slot times, contexts and minutes for one waking day, before drills are chosen.

    Anchored snacks first (before each run or event, before the gym, between sets), then the
    lunge session (after a run, or ending before it; at the gym; or a free time), then free
    snacks outside runs, events, work and sleep fill the rest of the budget, spread as far
    apart as the day allows (2 hours or more when it can). Every start on a 5-minute mark.
    """
    wd = weekday(d)
    wake, sleep = waking_day(s)
    runs: list[tuple[int, int, bool]] = []  # (start, end of the blocked window, an event)
    if events:
        for e in events:
            m = event_start(s, d, e)
            wake = min(wake, max(0, _floor5(m - RACE_SNACK_LEAD - 12)))  # up early for it
            runs.append((m, m + e.expected_minutes + AFTER_EVENT_MINUTES, True))
    else:
        for n, t in enumerate(s.run_times_on(wd)):
            r = in_waking_day(s, t)
            if r is None:
                continue
            long_run = s.long_run_day == wd and n == 0
            runs.append((r, r + (LONG_RUN_MINUTES if long_run else RUN_MINUTES), False))
    runs.sort()
    run_blocks = [(a, b) for a, b, _ in runs]
    work = work_blocks(s, d)
    gym_t = in_waking_day(s, s.gym_time) if s.gym_time and wd in s.gym_days else None
    gym_block = [(gym_t, gym_t + s.gym_minutes)] if gym_t is not None else []

    slots: list[_Skeleton] = []
    for start, _end, event in runs:
        if event:
            at = _floor5(start - RACE_SNACK_LEAD)
            size = RACE_SNACK_MINUTES
        else:
            at = _floor5(start - BEFORE_RUN_LEAD)
            size = 3
        if at >= wake and not _overlaps(at, at + size, run_blocks):
            slots.append(_Skeleton(at, "before_run", size, standing_only=True, dynamic_only=True))
    if gym_t is not None:
        g = gym_t
        at = _floor5(g - BEFORE_GYM_LEAD)
        if not any(abs(sk.start - g) < 30 for sk in slots) and not _overlaps(
            at, at + 3, run_blocks
        ):
            slots.append(_Skeleton(max(at, _ceil5(wake)), "before_gym", 3))
        between = [g + 20] + ([g + 40] if s.gym_minutes >= 50 else [])
        for b in between:
            b = _floor5(b)
            if (
                b + BETWEEN_SETS_MAX <= g + s.gym_minutes
                and b < sleep
                and not _overlaps(b, b + BETWEEN_SETS_MAX, run_blocks)
            ):
                slots.append(_Skeleton(b, "between_sets", BETWEEN_SETS_MAX))
    budget = s.daily_minutes
    if len(slots) + lunge + 3 > budget:
        lunge = 0  # the anchored snacks come first; no room for the session today
    # anchored snacks shrink (to a minute each, then the last ones go) to leave the lunge room
    while slots and sum(sk.minutes for sk in slots) + lunge > budget:
        biggest = max(slots, key=lambda sk: sk.minutes)
        if biggest.minutes > 1:
            biggest.minutes -= 1
        else:
            slots.pop()

    def busy(at: int, size: int, margin: int = 0, at_gym: bool = False) -> bool:
        """Snacks and the lunge session never overlap a run, an event, work (unless at the
        gym) or sleep."""
        return (
            at < wake
            or at + size > sleep
            or _overlaps(at, at + size, run_blocks)
            or (not at_gym and _overlaps(at, at + size + margin, work))  # done before a shift
            or any(at < sk.start + sk.minutes + margin and sk.start < at + size + margin
                   for sk in slots)
        )  # fmt: skip

    lunge_start: int | None = None
    lunge_note = ""
    if lunge:
        lunge_start, lunge_note = _place_lunge(s, wake, sleep, runs, gym_t, lunge, busy)
    lunge_block = [(lunge_start, lunge_start + lunge)] if lunge_start is not None else []
    used = sum(sk.minutes for sk in slots) + (lunge if lunge_start is not None else 0)
    left = max(0, budget - used)

    first, last = _ceil5(wake + 10), sleep - LAST_SNACK_BEFORE_SLEEP
    open_marks = [
        m
        for m in range(first, last + 1, GRID_MIN)
        if not busy(m, SNACK_MAX, margin=5)
        and not _overlaps(m, m + SNACK_MAX, gym_block)
        and not _overlaps(m - 5, m + SNACK_MAX + 5, lunge_block)
    ]
    taken = [sk.start for sk in slots] + ([lunge_start] if lunge_start is not None else [])
    # enough snacks for the budget at 5 minutes each, and at least four short ones (2+ minutes)
    # when the budget allows: frequent short practice, and variety over the week
    wanted = max(-(-left // SNACK_MAX), min(MIN_FREE_SNACKS, left // 2))
    placed: list[int] = []
    candidates = list(open_marks)
    while len(placed) < wanted and candidates:
        others = taken + placed
        if not others:
            best = candidates[0]  # the first free mark after waking
        else:
            best = max(candidates, key=lambda m: (min(abs(m - o) for o in others), -m))
            if min(abs(best - o) for o in others) < FREE_GAP_FLOOR:
                break
        placed.append(best)
        candidates = [m for m in candidates if abs(m - best) >= FREE_GAP_FLOOR]
    placed.sort()
    rest_day = not runs and gym_t is None
    for i, m in enumerate(placed):
        share = min(SNACK_MAX, left // (len(placed) - i))
        left -= share
        if m < wake + NO_D3_AFTER_WAKING:
            context = "on_waking"
        elif m >= sleep - 180:
            context = "evening"
        elif rest_day:
            context = "rest_day"
        else:
            context = "midday" if 11 * 60 <= m % DAY_MIN < 15 * 60 else "free"
        slots.append(_Skeleton(m, context, share))
    slots.sort(key=lambda sk: sk.start)
    for sk in slots:
        if sk.context not in ANCHORED and _in_work_hours(s, d, sk.start):
            sk.standing_only = True
        if sk.start < wake + NO_D3_AFTER_WAKING:
            sk.no_d3 = True
    spare = tuple(m for m in candidates if m not in placed)
    frame = _Frame(
        wake,
        sleep,
        tuple(run_blocks) + tuple(work),
        spare,
        lunge_start,
        lunge_note,
    )
    del pool  # the pool no longer sizes the day: the budget does
    return [sk for sk in slots if sk.minutes >= 1], frame


def _place_lunge(
    s: Settings,
    wake: int,
    sleep: int,
    runs: Sequence[tuple[int, int, bool]],
    gym_t: int | None,
    minutes: int,
    busy: Callable[[int, int, int, bool], bool],
) -> tuple[int | None, str]:
    """When the lunge session goes: at the gym after the warm-up snack; on a run day after
    the run (or ending before it starts); else mid-day. Never over a run, work or sleep."""
    if gym_t is not None:
        for at in range(_ceil5(gym_t + 5), gym_t + s.gym_minutes - minutes + 1, GRID_MIN):
            if not busy(at, minutes, 0, True):
                return at, "At the gym, after the warm-up snack."
    if runs:
        for _start, end, _ in runs:
            if end - _start > RUN_MINUTES:
                continue  # not after a long run or event
            for at in range(_ceil5(end + LUNGE_AFTER_RUN), end + 4 * 60, GRID_MIN):
                if not busy(at, minutes, 5, False):
                    return at, "After your run, once you have your breath back."
        first = runs[0][0]
        for at in range(_floor5(first - BEFORE_RUN_LEAD - 10 - minutes), wake - 1, -GRID_MIN):
            if not busy(at, minutes, 5, False):
                return at, "Before your run, done at least 20 minutes before it starts."
        return None, ""
    middle = _floor5((wake + sleep) // 2)
    for delta in range(0, (sleep - wake) // 2, GRID_MIN):
        for at in (middle - delta, middle + delta):
            if wake + 60 <= at and not busy(at, minutes, 5, False):
                return at, "Any time around now suits; warm up with a drill first."
    return None, ""

"""Reminder use cases (issue 15): preferences, Web Push subscriptions, what is due now, and
sending on every configured channel with each delivery recorded.

    Reminders(conn).prefs(a) / set_prefs(a, ...)   the athlete's settings (Settings page, CLI)
    due(engine, now)                               [(athlete id, key)] to send now
    send(engine, athlete_id, key, now)             sends one reminder on each channel
    send_test(engine, athlete)                     one message now on every channel

A delivery is claimed (a row with a unique (athlete, key, channel)) before anything is sent, so
two workers, or a worker and `triplane reminders run --once`, never send the same reminder
twice. A failed channel is recorded with its reason and never stops the others; it is tried
again (up to MAX_ATTEMPTS) by the queue's retry. Reminders follow the plan as it is when they
are sent: `send` builds the day again and drops a reminder the plan no longer has.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from triplane import config
from triplane.core import reminders as rules
from triplane.core.reminders import CHANNELS, Prefs, Reminder
from triplane.store import schema as t
from triplane.usecases.service import Athlete, Invalid, NotFound, Service

MAX_ATTEMPTS = 3
TOPIC_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
VAPID_KEY = "vapid_private_pem"


class RetryLater(Exception):
    """Some channel failed in a way worth another try (the queue retries with back-off)."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_now(value: str | None) -> datetime:
    """`--now`: an ISO date-time (UTC when it has no offset) -> naive UTC."""
    if not value:
        return _now()
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            f"--now is a date and time like 2026-12-04T10:20, not '{value[:40]}'"
        ) from None
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.replace(microsecond=0)


def local(athlete: Athlete, utc: datetime) -> datetime:
    return utc.replace(tzinfo=UTC).astimezone(ZoneInfo(athlete.tz)).replace(tzinfo=None)


@dataclass(frozen=True)
class Outcome:
    channel: str
    status: str  # sent | failed | skipped
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "status": self.status, "detail": self.detail}


class Reminders:
    """Preferences, subscriptions and the installation's VAPID key, in the caller's transaction."""

    def __init__(self, conn: Connection, svc: Service | None = None) -> None:
        self.conn = conn
        self.svc = svc or Service(conn)

    # -- preferences --

    def _row(self, athlete: Athlete) -> Any:
        return self.conn.execute(
            select(t.reminder_prefs).where(t.reminder_prefs.c.athlete_id == athlete.id)
        ).first()

    def prefs(self, athlete: Athlete) -> Prefs:
        row = self._row(athlete)
        if row is None:
            return Prefs()
        return Prefs(
            channels=tuple(c for c in row.channels.split(",") if c in CHANNELS),
            lead_minutes=int(row.lead_minutes),
            quiet_start=rules.parse_clock(row.quiet_start, "quiet start"),
            quiet_end=rules.parse_clock(row.quiet_end, "quiet end"),
            digest=bool(row.digest),
            digest_time=rules.parse_clock(row.digest_time, "digest time")
            or rules.DEFAULT_DIGEST_TIME,
            paused_until=row.paused_until,
            weekly_review=bool(row.weekly_review),
        )

    def settings_json(self, athlete: Athlete) -> dict[str, Any]:
        p = self.prefs(athlete)
        row = self._row(athlete)

        def hm(v: Any) -> str | None:
            return v.strftime("%H:%M") if v else None

        return {
            "channels": list(p.channels),
            "lead_minutes": p.lead_minutes,
            "quiet_hours": f"{hm(p.quiet_start)}-{hm(p.quiet_end)}" if p.quiet_start else None,
            "digest": p.digest,
            "digest_time": hm(p.digest_time),
            "paused_until": p.paused_until.isoformat() if p.paused_until else None,
            "weekly_review": p.weekly_review,
            "email": self.email_of(athlete),
            "ntfy_topic": row.ntfy_topic if row is not None else None,
            "push_devices": len(self.subscriptions(athlete)),
            "available": available_channels(),
        }

    def set_prefs(self, athlete: Athlete, **changes: Any) -> Prefs:
        """Change some preferences (None = unchanged). Raises Invalid with a sentence."""
        row = self._row(athlete)
        values: dict[str, Any] = {}
        if changes.get("channels") is not None:
            chosen = [c.strip() for c in str(changes["channels"]).split(",") if c.strip()]
            bad = [c for c in chosen if c not in CHANNELS]
            if bad:
                raise Invalid(
                    f"unknown channel '{bad[0]}': choose from {', '.join(CHANNELS)} (or none)"
                )
            values["channels"] = ",".join(c for c in CHANNELS if c in chosen)
        if changes.get("lead_minutes") is not None:
            lead = int(changes["lead_minutes"])
            if not 0 <= lead <= rules.MAX_LEAD_MINUTES:
                raise Invalid(f"the lead time is 0 to {rules.MAX_LEAD_MINUTES} minutes")
            values["lead_minutes"] = lead
        if changes.get("quiet_hours") is not None:
            text = str(changes["quiet_hours"]).strip()
            if text in ("", "none", "off"):
                values["quiet_start"] = values["quiet_end"] = None
            else:
                start, _, end = text.partition("-")
                try:
                    qs = rules.parse_clock(start, "quiet hours")
                    qe = rules.parse_clock(end, "quiet hours")
                except ValueError:
                    qs = qe = None
                if qs is None or qe is None or qs == qe:
                    raise Invalid(f"quiet hours are like 21:00-08:00, not '{text[:20]}'")
                values["quiet_start"], values["quiet_end"] = (
                    qs.strftime("%H:%M"),
                    qe.strftime("%H:%M"),
                )
        if changes.get("digest") is not None:
            values["digest"] = bool(changes["digest"])
        if changes.get("digest_time") is not None:
            try:
                dt = rules.parse_clock(changes["digest_time"], "the digest time")
            except ValueError as exc:
                raise Invalid(str(exc)) from None
            values["digest_time"] = dt.strftime("%H:%M") if dt else None
        if changes.get("weekly_review") is not None:
            values["weekly_review"] = bool(changes["weekly_review"])
        if changes.get("pause_days") is not None:
            days = int(changes["pause_days"])
            if not 0 <= days <= rules.MAX_PAUSE_DAYS:
                raise Invalid(f"pause reminders for 0 to {rules.MAX_PAUSE_DAYS} days")
            values["paused_until"] = athlete.today() + timedelta(days=days - 1) if days else None
        if changes.get("email") is not None:
            email = str(changes["email"]).strip().lower()
            if email:
                from triplane.usecases.accounts import normalise_email

                email = normalise_email(email)
            values["email"] = email or None
        if changes.get("ntfy_topic") is not None:
            topic = str(changes["ntfy_topic"]).strip()
            if topic and not TOPIC_RE.match(topic):
                raise Invalid("an ntfy topic is 1 to 64 letters, digits, - or _")
            values["ntfy_topic"] = topic or None
        values["updated_at"] = _now()
        if row is None:
            self.conn.execute(insert(t.reminder_prefs).values(athlete_id=athlete.id, **values))
        else:
            self.conn.execute(
                update(t.reminder_prefs)
                .where(t.reminder_prefs.c.athlete_id == athlete.id)
                .values(**values)
            )
        return self.prefs(athlete)

    def email_of(self, athlete: Athlete) -> str | None:
        row = self._row(athlete)
        if row is not None and row.email:
            return str(row.email)
        found = self.conn.execute(
            select(t.users.c.email)
            .join(t.user_athletes, t.user_athletes.c.user_id == t.users.c.id)
            .where(t.user_athletes.c.athlete_id == athlete.id)
        ).scalar()
        return str(found) if found else None

    def ntfy_topic(self, athlete: Athlete) -> str | None:
        row = self._row(athlete)
        return row.ntfy_topic if row is not None and row.ntfy_topic else None

    # -- Web Push --

    def vapid(self) -> tuple[str, str]:
        """The installation's VAPID key pair (private PEM, public applicationServerKey), made
        the first time it is needed and kept in the database (every worker shares it)."""
        from triplane.io.notify import new_vapid_pem, public_key_b64

        pem = self.conn.execute(
            select(t.app_keys.c.value).where(t.app_keys.c.name == VAPID_KEY)
        ).scalar()
        if pem is None:
            pem, _ = new_vapid_pem()
            try:
                with self.conn.begin_nested():
                    self.conn.execute(
                        insert(t.app_keys).values(name=VAPID_KEY, value=pem, created_at=_now())
                    )
            except IntegrityError:  # another process made it first: use theirs
                pem = self.conn.execute(
                    select(t.app_keys.c.value).where(t.app_keys.c.name == VAPID_KEY)
                ).scalar_one()
        from py_vapid import Vapid

        return str(pem), public_key_b64(Vapid.from_pem(str(pem).encode()))

    def subscribe(
        self, athlete: Athlete, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
    ) -> int:
        endpoint = (endpoint or "").strip()
        if not endpoint.startswith(("https://", "http://")) or len(endpoint) > 2000:
            raise Invalid("a push subscription needs the browser's endpoint URL")
        if not re.fullmatch(r"[A-Za-z0-9_=-]{80,120}", p256dh or "") or not re.fullmatch(
            r"[A-Za-z0-9_=-]{16,32}", auth or ""
        ):
            raise Invalid("a push subscription needs the browser's p256dh and auth keys")
        h = hashlib.sha256(endpoint.encode()).hexdigest()
        self.conn.execute(
            delete(t.push_subscriptions).where(t.push_subscriptions.c.endpoint_hash == h)
        )
        key = self.conn.execute(
            insert(t.push_subscriptions).values(
                athlete_id=athlete.id, endpoint=endpoint, endpoint_hash=h, p256dh=p256dh,
                auth=auth, user_agent=(user_agent or "")[:200], created_at=_now(),
            )
        ).inserted_primary_key  # fmt: skip
        return int(key[0]) if key else 0

    def unsubscribe(self, athlete: Athlete, endpoint: str | None = None) -> int:
        q = delete(t.push_subscriptions).where(t.push_subscriptions.c.athlete_id == athlete.id)
        if endpoint:
            h = hashlib.sha256(endpoint.strip().encode()).hexdigest()
            q = q.where(t.push_subscriptions.c.endpoint_hash == h)
        return int(self.conn.execute(q).rowcount or 0)

    def subscriptions(self, athlete: Athlete) -> list[Any]:
        return list(
            self.conn.execute(
                select(t.push_subscriptions)
                .where(t.push_subscriptions.c.athlete_id == athlete.id)
                .order_by(t.push_subscriptions.c.id)
            ).all()
        )

    # -- the day's reminders, from the plan as it is now --

    def day_reminders(self, athlete: Athlete, day: date) -> list[Reminder]:
        prefs = self.prefs(athlete)
        if not prefs.channels or prefs.paused_on(day):
            return []
        s = self.svc.settings_on(athlete, day)
        weekday = rules.WEEKDAYS[day.weekday()]
        at_work = weekday in s.work_days and s.work_start is not None
        window = rules.DayWindow(
            wake=s.wake,
            sleep=s.sleep,
            work_start=s.work_start if at_work else None,
            work_end=s.work_end if at_work else None,
        )
        plan = self.svc.plan_day(athlete, day)
        paused_since = None
        if plan.safety.paused:
            paused_since = plan.safety.paused_since or day
        logged: dict[str, int] = {}
        for d in self.svc.athlete_log(athlete).drill_logs:
            if d.date == day:
                logged[d.drill] = logged.get(d.drill, 0) + 1
        snacks = []
        for i, slot in enumerate(plan.slots):
            if logged.get(slot.drill.id, 0) > 0:  # done (or skipped) already: no nudge
                logged[slot.drill.id] -= 1
                continue
            snacks.append(
                rules.SnackAt(i, slot.start, slot.drill.id, slot.drill.name, slot.minutes,
                              slot.side)
            )  # fmt: skip
        if plan.away:
            snacks = []
        return rules.day_reminders(day, snacks, window, prefs, paused_since)

    def delivered_keys(self, athlete_id: int, keys: list[str]) -> dict[str, set[str]]:
        if not keys:
            return {}
        rows = self.conn.execute(
            select(t.reminder_deliveries.c.key, t.reminder_deliveries.c.channel).where(
                t.reminder_deliveries.c.athlete_id == athlete_id,
                t.reminder_deliveries.c.key.in_(keys),
                t.reminder_deliveries.c.status != "failed",
            )
        ).all()
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(r.key, set()).add(r.channel)
        return out

    def deliveries(self, athlete: Athlete, limit: int = 200) -> list[dict[str, Any]]:
        d = t.reminder_deliveries
        rows = self.conn.execute(
            select(d).where(d.c.athlete_id == athlete.id).order_by(d.c.id).limit(limit)
        ).all()
        return [
            {
                "key": r.key, "channel": r.channel, "status": r.status, "attempts": r.attempts,
                "detail": r.detail, "title": r.title, "at": r.updated_at.isoformat() + "Z",
            }
            for r in rows
        ]  # fmt: skip


def channels_for(x: Reminder, prefs: Prefs) -> tuple[str, ...]:
    """The channels a reminder goes out on: the weekly review is an e-mail only."""
    if x.kind == "weekly":
        return tuple(c for c in prefs.channels if c == "email")
    return prefs.channels


def available_channels() -> dict[str, bool]:
    """Which channels this server can use (push always: it needs no outside set-up)."""
    try:
        smtp = config.smtp() is not None
    except Invalid:
        smtp = False
    try:
        ntfy = config.ntfy_url() is not None
    except Invalid:
        ntfy = False
    return {"push": True, "email": smtp, "ntfy": ntfy}


# ---- what is due, and sending ------------------------------------------------------------------


def due(engine: Engine, now: datetime | None = None) -> list[tuple[int, str]]:
    """(athlete id, reminder key) of every reminder due at `now` (naive UTC) that has a channel
    not yet sent."""
    now = now or _now()
    out: list[tuple[int, str]] = []
    with engine.begin() as conn:
        r = Reminders(conn)
        ids = conn.execute(
            select(t.reminder_prefs.c.athlete_id).where(t.reminder_prefs.c.channels != "")
        ).scalars()
        for aid in list(ids):
            athlete = r.svc.athlete_by_id(int(aid))
            prefs = r.prefs(athlete)
            now_local = local(athlete, now)
            days = dict.fromkeys((now_local.date(), (now_local - rules.GRACE).date()))
            reminders = [x for d in days for x in rules.due(r.day_reminders(athlete, d), now_local)]
            done = r.delivered_keys(athlete.id, [x.key for x in reminders])
            for x in reminders:
                if set(channels_for(x, prefs)) - done.get(x.key, set()):
                    out.append((athlete.id, x.key))
    return out


def _find(r: Reminders, athlete: Athlete, key: str, now: datetime) -> Reminder | None:
    """The reminder with this key as the plan has it now, if it is (still) due. It belongs to
    today's reminders (or yesterday's, just after midnight); a key's date is not always the day
    it goes out (a clearance note is keyed by the day the pause began)."""
    at = local(athlete, now)
    for day in dict.fromkeys((at.date(), (at - rules.GRACE).date())):
        found = next((x for x in r.day_reminders(athlete, day) if x.key == key), None)
        if found is not None and rules.due([found], at):
            return found
    return None


def _claim(engine: Engine, athlete_id: int, key: str, channel: str, title: str) -> int | None:
    """Take this (reminder, channel) to send it: the delivery row's id, or None when it was
    sent, is being sent, or has failed MAX_ATTEMPTS times."""
    d = t.reminder_deliveries
    now = _now()
    try:
        with engine.begin() as conn:
            key_id = conn.execute(
                insert(d).values(
                    athlete_id=athlete_id, key=key, channel=channel, status="sending",
                    attempts=1, title=title[:200], created_at=now, updated_at=now,
                )
            ).inserted_primary_key  # fmt: skip
            return int(key_id[0]) if key_id else None
    except IntegrityError:
        pass
    with engine.begin() as conn:
        row = conn.execute(
            select(d).where(d.c.athlete_id == athlete_id, d.c.key == key, d.c.channel == channel)
        ).first()
        if row is None or row.status != "failed" or row.attempts >= MAX_ATTEMPTS:
            return None
        if row.detail and row.detail.startswith("not set up:"):
            return None
        taken = conn.execute(
            update(d)
            .where(d.c.id == row.id, d.c.status == "failed", d.c.attempts == row.attempts)
            .values(status="sending", attempts=row.attempts + 1, updated_at=now)
        ).rowcount
        return int(row.id) if taken else None


def _record(engine: Engine, delivery_id: int, status: str, detail: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(t.reminder_deliveries)
            .where(t.reminder_deliveries.c.id == delivery_id)
            .values(status=status, detail=detail[:2000], updated_at=_now())
        )


@dataclass(frozen=True)
class _Target:
    athlete: Athlete
    email: str | None
    topic: str | None
    subs: tuple[Any, ...]
    vapid_pem: str | None


def _target(engine: Engine, athlete: Athlete, channels: tuple[str, ...]) -> _Target:
    with engine.begin() as conn:
        r = Reminders(conn)
        subs = tuple(r.subscriptions(athlete)) if "push" in channels else ()
        pem = r.vapid()[0] if subs else None
        return _Target(athlete, r.email_of(athlete), r.ntfy_topic(athlete), subs, pem)


def _text(engine: Engine, athlete: Athlete, x: Reminder) -> str:
    """The body of a reminder's e-mail (the weekly review is written out in full)."""
    link = config.public_url() + x.path
    if x.kind == "weekly":
        from triplane.report.review import build_review
        from triplane.usecases.progress import progress

        with engine.begin() as conn:
            svc = Service(conn)
            review = build_review(progress(svc, athlete, x.at.date() - timedelta(days=1)))
        return f"{review.text()}\nYour history: {link}\n"
    return f"{x.body}\n\n{link}\n\nTriplane (change or pause reminders under Settings)\n"


def _deliver(engine: Engine, channel: str, target: _Target, x: Reminder) -> str:
    """Send one reminder on one channel: what was reached, or DeliveryFailed."""
    from triplane.io import notify

    try:
        smtp = config.smtp() if channel == "email" else None
        ntfy = config.ntfy_url() if channel == "ntfy" else None
    except Invalid as exc:  # a malformed TRIPLANE_* value: the sentence says which
        raise notify.DeliveryFailed(f"not set up: {exc}") from None
    if channel == "email":
        if not target.email:
            raise notify.DeliveryFailed("not set up: this athlete has no e-mail address")
        if smtp is None:
            raise notify.DeliveryFailed(f"not set up: {config.SMTP_URL} is unset on the server")
        return notify.send_email(target.email, x.title, _text(engine, target.athlete, x))
    if channel == "ntfy":
        if not target.topic:
            raise notify.DeliveryFailed("not set up: no ntfy topic in this athlete's settings")
        if ntfy is None:
            raise notify.DeliveryFailed(f"not set up: {config.NTFY_URL} is unset on the server")
        body = x.body or x.title
        return notify.send_ntfy(target.topic, x.title, body, config.public_url() + x.path)
    if channel == "push":
        if not target.subs or target.vapid_pem is None:
            raise notify.DeliveryFailed("not set up: no browser has allowed notifications yet")
        payload = {"title": x.title, "body": x.body or x.title, "url": x.path, "tag": x.key}
        reached, failures = [], []
        for sub in target.subs:
            try:
                reached.append(
                    notify.send_push(
                        notify.Subscription(sub.endpoint, sub.p256dh, sub.auth),
                        target.vapid_pem,
                        payload,
                    )
                )
            except notify.DeliveryFailed as exc:
                failures.append(exc.reason)
                if exc.gone:
                    with engine.begin() as conn:
                        conn.execute(
                            delete(t.push_subscriptions).where(t.push_subscriptions.c.id == sub.id)
                        )
        if not reached:
            raise notify.DeliveryFailed("; ".join(failures))
        extra = f" ({len(failures)} other device(s): {'; '.join(failures)})" if failures else ""
        return f"{len(reached)} device(s): {reached[0]}{extra}"
    raise notify.DeliveryFailed(f"unknown channel {channel}")


def send(engine: Engine, athlete_id: int, key: str, now: datetime | None = None) -> list[Outcome]:
    """Send one due reminder on each of the athlete's channels. Raises RetryLater (after
    recording every channel) when a channel failed and may work on another try."""
    from triplane.io import notify

    now = now or _now()
    with engine.begin() as conn:
        r = Reminders(conn)
        try:
            athlete = r.svc.athlete_by_id(athlete_id)
        except NotFound:
            return []
        prefs = r.prefs(athlete)
        x = _find(r, athlete, key, now)
    if x is None:
        return [Outcome(c, "skipped", "no longer due in the plan") for c in prefs.channels]
    channels = channels_for(x, prefs)
    target = _target(engine, athlete, channels)
    out: list[Outcome] = []
    retry = False
    for channel in channels:
        delivery = _claim(engine, athlete_id, key, channel, x.title)
        if delivery is None:
            out.append(Outcome(channel, "skipped", "already sent (or being sent)"))
            continue
        try:
            detail = _deliver(engine, channel, target, x)
        except notify.DeliveryFailed as exc:
            _record(engine, delivery, "failed", exc.reason)
            out.append(Outcome(channel, "failed", exc.reason))
            retry = retry or not exc.reason.startswith("not set up:")
            continue
        except Exception as exc:  # noqa: BLE001 - one channel's bug never blocks the others
            reason = f"unexpected error ({type(exc).__name__}: {str(exc)[:160]})"
            _record(engine, delivery, "failed", reason)
            out.append(Outcome(channel, "failed", reason))
            retry = True
            continue
        _record(engine, delivery, "sent", detail)
        out.append(Outcome(channel, "sent", detail))
    if retry:
        raise RetryLater("; ".join(f"{o.channel}: {o.detail}" for o in out if o.status == "failed"))
    return out


def run_once(engine: Engine, now: datetime | None = None) -> list[dict[str, Any]]:
    """Send everything due now, in this process (cron, `triplane reminders run --once`)."""
    now = now or _now()
    sent: list[dict[str, Any]] = []
    for athlete_id, key in due(engine, now):
        try:
            outcomes = send(engine, athlete_id, key, now)
        except RetryLater:
            outcomes = _last_outcomes(engine, athlete_id, key)
        sent.append(
            {"athlete_id": athlete_id, "key": key, "channels": [o.as_dict() for o in outcomes]}
        )
    return sent


def _last_outcomes(engine: Engine, athlete_id: int, key: str) -> list[Outcome]:
    d = t.reminder_deliveries
    with engine.begin() as conn:
        rows = conn.execute(
            select(d).where(d.c.athlete_id == athlete_id, d.c.key == key).order_by(d.c.id)
        ).all()
    return [Outcome(r.channel, r.status, r.detail or "") for r in rows]


def send_test(engine: Engine, athlete: Athlete, now: datetime | None = None) -> list[Outcome]:
    """One message now on every channel the athlete has chosen, whatever the hour; what
    happened on each. Recorded like any delivery (key test:<time>)."""
    from triplane.io import notify

    now = now or _now()
    with engine.begin() as conn:
        prefs = Reminders(conn).prefs(athlete)
    if not prefs.channels:
        raise Invalid(
            f"no reminder channel is chosen for {athlete.name} yet: choose push, email or ntfy "
            "first"
        )
    at = local(athlete, now)
    x = Reminder(
        f"test:{now.isoformat()}",
        "test",
        at,
        "Triplane: test reminder",
        "This is how your snack reminders will look. Tap to open today's plan.",
        "/today",
    )
    target = _target(engine, athlete, prefs.channels)
    out = []
    for channel in prefs.channels:
        delivery = _claim(engine, athlete.id, x.key, channel, x.title)
        try:
            detail = _deliver(engine, channel, target, x)
            status = "sent"
        except notify.DeliveryFailed as exc:
            detail, status = exc.reason, "failed"
        except Exception as exc:  # noqa: BLE001
            detail, status = f"unexpected error ({type(exc).__name__}: {exc})", "failed"
        if delivery is not None:
            _record(engine, delivery, status, detail)
        out.append(Outcome(channel, status, detail))
    return out


__all__ = [
    "CHANNELS",
    "MAX_ATTEMPTS",
    "Outcome",
    "Reminders",
    "RetryLater",
    "available_channels",
    "due",
    "parse_now",
    "run_once",
    "send",
    "send_test",
]

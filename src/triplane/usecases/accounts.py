"""Account use cases for the web app: sign-up, login (rate limited), sessions and API tokens,
coach links by invite code, password change and reset (by an e-mailed single-use link, or
the server's `triplane user reset-password`), account deletion, and the coach's view
of an athlete (adherence and flags).

Like `usecases.service`, everything works inside the caller's transaction (a Connection) and
raises `TriplaneError` subclasses with a sentence a person can act on. Nothing here knows HTTP.
Secrets (session cookies, bearer tokens) are never stored: only their SHA-256.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import random
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
    update,
)

from triplane import config
from triplane.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)
from triplane.store import schema as t
from triplane.usecases.parsing import _valid_zone as valid_zone
from triplane.usecases.service import Athlete, Service

ROLES = ("athlete", "coach")
SESSION_DAYS = 30
TOKEN_DAYS = 30
INVITE_DAYS = 14
RESET_MINUTES = 60  # a password-reset link works this long, once
RESET_GAP = timedelta(minutes=5)  # at most one reset e-mail per account in this time
SIGNUP_LINK_HOURS = 24  # a sign-up link works this long, once
SIGNUP_MAIL_GAP = timedelta(minutes=5)  # at most one sign-up e-mail per address in this time
MIN_PASSWORD, MAX_PASSWORD = 8, 200
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5  # per account, from addresses that never logged in to it
MAX_FAILURES_PER_PAIR = 5  # per account + client address
MAX_FAILURES_PER_CLIENT = 30  # per client address, all accounts
KNOWN_DAYS = 90  # an address that logged in to an account stays "known" this long
MAX_FAILURES_PER_DEVICE = 5  # per device cookie (a device that logged in to the account)
DEVICE_KEY = "device_cookie_key"  # app_keys: the secret device cookies are signed with
SIGNUP_WINDOW = timedelta(hours=1)
SIGNUP_LIMIT_ENV = config.SIGNUPS_PER_HOUR
DEFAULT_SIGNUPS_PER_HOUR = 10  # per client address
MIN_PASSWORD_SCORE = 2  # zxcvbn's 0-4: below 2 is "too guessable" (under ~10^6 guesses)
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

DEMO_ATHLETE = ("demo@triplane.local", "triplane-demo", "Demo Athlete", "athlete")
DEMO_COACH = ("coach@triplane.local", "triplane-coach", "Demo Coach", "coach")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    athlete_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "athlete_id": self.athlete_id,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


_hasher: Any = None


def _ph() -> Any:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()  # argon2id, the library's recommended parameters
    return _hasher


def hash_password(password: str) -> str:
    return str(_ph().hash(password))


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_ph().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: str | None = None


def dummy_verify(password: str) -> None:
    """Spend the time of a real password check (a login for an unknown e-mail must not answer
    faster than one for a known e-mail)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    verify_password(_DUMMY_HASH, password)


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def check_password_rules(password: str, email: str = "", name: str = "") -> None:
    """ASVS 2.1: 8-200 characters, not only spaces, not like the e-mail or name, not a common
    password (zxcvbn's estimate, with the e-mail and name as words it knows)."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters; a few words "
            "together are easy to remember"
        )
    if not password.strip():
        raise Invalid("a password of only spaces is not a password; choose a few words")
    plain = _letters(password)
    local = (email or "").split("@", 1)[0]
    personal = [w for w in {_letters(email), _letters(local), _letters(name)} if len(w) >= 3]
    for word in personal:
        rest = plain.replace(word, "")
        if (
            len(rest) < 6
            or word.find(plain) >= 0
            or difflib.SequenceMatcher(None, plain, word).ratio() >= 0.7
        ):
            raise Invalid(
                "this password is too close to your e-mail or name; choose words that aren't "
                "about you"
            )
    from zxcvbn import zxcvbn

    inputs = [email, local, name, *(name or "").split(), "triplane"]
    result = zxcvbn(password[:72], user_inputs=[i for i in inputs if i])
    if result["score"] < MIN_PASSWORD_SCORE:
        raise Invalid(
            "this password is too common or too easy to guess; three or four unrelated words "
            "together are strong and easy to remember"
        )


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise Invalid(f"'{email[:60]}' is not an e-mail address; it looks like name@example.org")
    return email


def _clean_text(value: str, what: str, maximum: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > maximum or any(ord(c) < 32 for c in value):
        raise Invalid(f"the {what} needs 1 to {maximum} printable characters")
    return value


_VERSION_QUERY: Any = None


def _version_query() -> Any:
    """One UNION ALL of (count, max id) per athlete table, plus the athlete's name and zone;
    built once (building it per call costs more than running it)."""
    global _VERSION_QUERY
    if _VERSION_QUERY is None:
        aid = bindparam("aid", type_=Integer)
        parts = [
            select(literal(table.name), func.count(), func.max(table.c.id), literal("")).where(
                table.c.athlete_id == aid
            )
            for table in t.ATHLETE_TABLES
        ]
        parts.append(
            select(
                literal("athlete"),
                literal(0),
                literal(0),
                t.athletes.c.name + "|" + t.athletes.c.tz,
            ).where(t.athletes.c.id == aid)
        )
        _VERSION_QUERY = union_all(*parts)
    return _VERSION_QUERY


_TOKEN_QUERY: Any = None


def _token_query() -> Any:
    """The user behind a token hash (every authenticated request runs it): built once."""
    global _TOKEN_QUERY
    if _TOKEN_QUERY is None:
        tok, users, ua = t.auth_tokens, t.users, t.user_athletes
        _TOKEN_QUERY = (
            select(users.c.id, users.c.email, users.c.name, users.c.role, ua.c.athlete_id)
            .select_from(
                users.join(tok, tok.c.user_id == users.c.id).outerjoin(
                    ua, ua.c.user_id == users.c.id
                )
            )
            .where(
                tok.c.token_hash == bindparam("hash"),
                tok.c.kind == bindparam("kind"),
                tok.c.expires_at > bindparam("now", type_=tok.c.expires_at.type),
            )
        )
    return _TOKEN_QUERY


class Accounts:
    """The account use cases over one transaction."""

    def __init__(self, conn: Connection, svc: Service | None = None) -> None:
        self.conn = conn
        self._svc = svc

    @property
    def svc(self) -> Service:
        if self._svc is None:
            self._svc = Service(self.conn)
        return self._svc

    # -- users --

    def _user_query(self) -> Any:
        return select(
            t.users.c.id,
            t.users.c.email,
            t.users.c.name,
            t.users.c.role,
            t.user_athletes.c.athlete_id,
        ).select_from(t.users.outerjoin(t.user_athletes, t.user_athletes.c.user_id == t.users.c.id))

    @staticmethod
    def _user(row: Any) -> User:
        return User(row.id, row.email, row.name, row.role, row.athlete_id)

    def user(self, user_id: int) -> User:
        row = self.conn.execute(self._user_query().where(t.users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return self._user(row)

    def user_by_email(self, email: str) -> User:
        row = self.conn.execute(
            self._user_query().where(t.users.c.email == (email or "").strip().lower())
        ).first()
        if row is None:
            raise NotFound(f"no account for {email}")
        return self._user(row)

    def signup(
        self, email: str, password: str, name: str, role: str = "athlete", tz: str | None = None
    ) -> User:
        """An account at once (a server without e-mail: local mode). A taken address gets a
        409, so this tells whether an address has an account: a server that sends e-mail
        uses `request_signup` + `confirm_signup` instead."""
        email, name, password_hash = self._checked_signup(email, password, name, role, tz)
        if self._email_taken(email):
            # One sentence for "taken", whoever asks; the web throttles sign-ups per address.
            raise Conflict("an account can't be created with this e-mail; if you have one, log in")
        return self._create_user(email, name, role, password_hash, tz)

    def _checked_signup(
        self, email: str, password: str, name: str, role: str, tz: str | None
    ) -> tuple[str, str, str]:
        """(email, name, password hash) once every field is right; the hash is made for a
        taken address too, so both cost the same time."""
        email = normalise_email(email)
        name = _clean_text(name, "name", 100)
        if role not in ROLES:
            raise Invalid(f"role is athlete or coach, not '{role}'")
        if tz and not valid_zone(tz):
            raise Invalid(f"'{tz[:64]}' is not a time zone; use an IANA name such as Europe/Zurich")
        check_password_rules(password, email, name)
        return email, name, hash_password(password)

    def _email_taken(self, email: str) -> bool:
        return (
            self.conn.execute(select(t.users.c.id).where(t.users.c.email == email)).first()
            is not None
        )

    # -- sign-up by an e-mailed link (a server that sends e-mail) --

    def request_signup(
        self, email: str, password: str, name: str, role: str = "athlete", tz: str | None = None
    ) -> tuple[str, Any]:
        """What a sign-up should e-mail, the same work either way (checks, one hash, one row):
        ("confirm", (name, secret)) for a new address (a single-use link valid
        SIGNUP_LINK_HOURS; the account is made only when it is used), ("taken", (user, reset
        secret or None)) for an address with an account (nothing about the account changes),
        ("quiet", None) when that address was sent a sign-up e-mail less than SIGNUP_MAIL_GAP
        ago (no mail bombing)."""
        email, name, password_hash = self._checked_signup(email, password, name, role, tz)
        sr = t.signup_requests
        now = _now()
        recent = self.conn.execute(
            select(sr.c.id).where(sr.c.email == email, sr.c.created_at > now - SIGNUP_MAIL_GAP)
        ).first()
        if recent is not None:
            return "quiet", None
        self.conn.execute(delete(sr).where(sr.c.email == email, sr.c.expires_at <= now))
        secret = secrets.token_urlsafe(32)
        try:
            user: User | None = self.user_by_email(email)
        except NotFound:
            user = None
        # the row is kept for a taken address too (never usable: confirming checks the users
        # table again), so that the next attempt within the gap is quiet as well
        self.conn.execute(
            insert(sr).values(
                email=email,
                name=name,
                role=role,
                tz=tz,
                password_hash=password_hash,
                token_hash=token_hash(secret),
                created_at=now,
                expires_at=now + timedelta(hours=SIGNUP_LINK_HOURS),
                used_at=now if user is not None else None,
            )
        )
        if user is not None:
            made = self.request_reset(email)
            return "taken", (user, made[1] if made else None)
        return "confirm", (name, secret)

    def _signup_row(self, secret: str) -> Any:
        return self._link_row(t.signup_requests, secret)

    def _link_row(self, table: Any, secret: str) -> Any:
        """The row of an e-mailed link's token (reset or sign-up): unused and unexpired."""
        if not secret or len(secret) > 200:
            return None
        return self.conn.execute(
            select(table).where(
                table.c.token_hash == token_hash(secret),
                table.c.used_at.is_(None),
                table.c.expires_at > _now(),
            )
        ).first()

    def signup_link_valid(self, secret: str) -> bool:
        return self._signup_row(secret) is not None

    def confirm_signup(self, secret: str) -> User:
        """The account of a sign-up link, made now: the link is used up, and any other pending
        sign-up of the address with it."""
        row = self._signup_row(secret)
        if row is None:
            raise Invalid("this sign-up link is unknown, used or expired; sign up again")
        sr = t.signup_requests
        taken = self.conn.execute(
            update(sr).where(sr.c.id == row.id, sr.c.used_at.is_(None)).values(used_at=_now())
        ).rowcount
        if not taken:
            raise Invalid("this sign-up link has just been used; log in")
        if self._email_taken(row.email):
            raise Conflict("this address has an account already; log in")
        self.conn.execute(update(sr).where(sr.c.email == row.email).values(used_at=_now()))
        return self._create_user(row.email, row.name, row.role, row.password_hash, row.tz)

    def _create_user(
        self, email: str, name: str, role: str, password_hash: str, tz: str | None
    ) -> User:
        user_id = int(
            t.inserted_id(
                self.conn.execute(
                    insert(t.users).values(
                        email=email,
                        name=name,
                        role=role,
                        password_hash=password_hash,
                        created_at=_now(),
                    )
                )
            )
        )
        if role == "athlete":
            athlete = self._new_athlete(name, tz)
            self.link_user_athlete(user_id, athlete.id)
        return self.user(user_id)

    def _new_athlete(self, name: str, tz: str | None) -> Athlete:
        """Athlete names are unique; a second 'Sam' becomes 'Sam (2)'."""
        taken = {a.name for a in self.svc.athletes()}
        chosen, n = name, 1
        while chosen in taken:
            n += 1
            chosen = f"{name[:90]} ({n})"
        return self.svc.add_athlete(chosen, tz=tz or "UTC")

    def link_user_athlete(self, user_id: int, athlete_id: int) -> None:
        self.conn.execute(insert(t.user_athletes).values(user_id=user_id, athlete_id=athlete_id))

    # -- login, sessions, tokens --

    # Login limits are counters reserved *before* the password is checked, in a transaction of
    # their own that the caller commits first (`reserve_login`, then `login`): a conditional
    # UPDATE is atomic on SQLite and PostgreSQL alike, so 50 parallel guesses evaluate at most
    # the limit. Keys: the account + client pair (5), the client (30), and the account (5),
    # which does not apply to a pair that logged in before: an attacker elsewhere can't lock
    # the owner out of their usual address.

    def _reserve(self, key: str, limit: int, window: timedelta) -> bool:
        """Count one attempt for `key`; False (nothing counted) when the limit is reached."""
        ll = t.login_limits
        now = _now()
        since = now - window
        self._insert_missing(key, 0, now)
        expired = ll.c.window_start < since
        done = self.conn.execute(
            update(ll)
            .where(ll.c.key == key, or_(ll.c.count < limit, expired))
            .values(
                count=case((expired, 1), else_=ll.c.count + 1),
                window_start=case((expired, now), else_=ll.c.window_start),
            )
        )
        return bool(done.rowcount == 1)

    def _insert_missing(self, key: str, count: int, now: datetime) -> None:
        ll = t.login_limits
        name = self.conn.dialect.name
        if name in ("postgresql", "sqlite"):
            if name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                self.conn.execute(
                    pg_insert(ll)
                    .values(key=key, count=count, window_start=now)
                    .on_conflict_do_nothing()
                )
            else:
                from sqlalchemy.dialects.sqlite import insert as sqlite_insert

                self.conn.execute(
                    sqlite_insert(ll)
                    .values(key=key, count=count, window_start=now)
                    .on_conflict_do_nothing()
                )
            return
        if self.conn.execute(select(ll.c.key).where(ll.c.key == key)).first() is None:
            self.conn.execute(insert(ll).values(key=key, count=count, window_start=now))

    @staticmethod
    def _login_keys(email: str, client: str) -> tuple[str, str, str, str]:
        e, c = (email or "").strip().lower()[:254], client[:40]
        return f"pair:{e}|{c}", f"client:{c}", f"email:{e}", f"known:{e}|{c}"

    # Device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): a
    # successful login gets a cookie signed with the server's key, bound to that login. A
    # login that presents a valid one is counted per device instead of per account, so a
    # distributed attack on the account never locks its owner's devices out; a device that
    # fails too often is locked out itself.

    def _device_key(self) -> bytes:
        """The server's secret for device cookies: made once, kept in app_keys."""
        ak = t.app_keys
        found = self.conn.execute(select(ak.c.value).where(ak.c.name == DEVICE_KEY)).scalar()
        if found is None:
            self._insert_app_key(DEVICE_KEY, secrets.token_hex(32))
            found = self.conn.execute(select(ak.c.value).where(ak.c.name == DEVICE_KEY)).scalar()
        return bytes.fromhex(str(found))

    def _insert_app_key(self, name: str, value: str) -> None:
        ak = t.app_keys
        dialect = self.conn.dialect.name
        values = {"name": name, "value": value, "created_at": _now()}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            self.conn.execute(pg_insert(ak).values(**values).on_conflict_do_nothing())
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self.conn.execute(sqlite_insert(ak).values(**values).on_conflict_do_nothing())
        else:
            self.conn.execute(insert(ak).values(**values))

    def _device_signature(self, nonce: str, email: str) -> str:
        message = f"{nonce}|{(email or '').strip().lower()[:254]}".encode()
        return hmac.new(self._device_key(), message, hashlib.sha256).hexdigest()

    def device_cookie(self, email: str) -> str:
        """A new device cookie for this login (set it after a successful login)."""
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._device_signature(nonce, email)}"

    def device_for(self, cookie: str | None, email: str) -> str | None:
        """The device's id when `cookie` is a valid device cookie for this login, else None."""
        nonce, _, signature = (cookie or "")[:200].partition(".")
        if not nonce or not signature:
            return None
        expected = self._device_signature(nonce, email)
        return nonce if hmac.compare_digest(expected, signature) else None

    def reserve_login(self, email: str, client: str = "", device: str | None = None) -> None:
        """Count this login attempt, or raise TooManyAttempts; commit before `login`.
        `device`: the id from `device_for` (a known device: counted per device, not per
        account or account + address)."""
        pair, by_client, by_email, known = self._login_keys(email, client)
        ll = t.login_limits
        if random.random() < 0.01:  # forget stale counters now and then
            old = _now() - timedelta(days=KNOWN_DAYS)
            self.conn.execute(delete(ll).where(ll.c.window_start < old))
        if device is not None:
            if not self._reserve("device:" + device, MAX_FAILURES_PER_DEVICE, LOGIN_WINDOW):
                raise TooManyAttempts(
                    "too many failed logins from this device; wait 15 minutes and try again"
                )
            if not self._reserve(by_client, MAX_FAILURES_PER_CLIENT, LOGIN_WINDOW):
                raise TooManyAttempts("too many failed logins from here; wait 15 minutes")
            return
        if not self._reserve(pair, MAX_FAILURES_PER_PAIR, LOGIN_WINDOW):
            raise TooManyAttempts(
                "too many failed logins for this account from here; wait 15 minutes and try again"
            )
        if not self._reserve(by_client, MAX_FAILURES_PER_CLIENT, LOGIN_WINDOW):
            raise TooManyAttempts("too many failed logins from here; wait 15 minutes")
        since_known = _now() - timedelta(days=KNOWN_DAYS)
        is_known = self.conn.execute(
            select(ll.c.key).where(ll.c.key == known, ll.c.window_start >= since_known)
        ).first()
        if is_known is None and not self._reserve(by_email, MAX_FAILURES_PER_EMAIL, LOGIN_WINDOW):
            raise TooManyAttempts(
                "this account had too many failed logins; wait 15 minutes, or log in from a "
                "device you have used before"
            )

    def login(self, email: str, password: str, client: str = "", device: str | None = None) -> User:
        """The user for these credentials (the web calls `reserve_login` first, in its own
        transaction, with the same `device`). An unknown e-mail costs the same hashing time
        as a known one."""
        row = self.conn.execute(
            select(t.users.c.id, t.users.c.password_hash).where(
                t.users.c.email == (email or "").strip().lower()
            )
        ).first()
        if row is None:
            dummy_verify(password or "")
            raise Unauthenticated("wrong e-mail or password")
        if not verify_password(row.password_hash, password or ""):
            raise Unauthenticated("wrong e-mail or password")
        pair, by_client, by_email, known = self._login_keys(email, client)
        ll = t.login_limits
        now = _now()
        self.conn.execute(delete(ll).where(ll.c.key.in_([pair, f"device:{device}"])))
        # a successful attempt was not a failure: give back what reserve_login counted
        self.conn.execute(
            update(ll)
            .where(ll.c.key.in_([by_client, by_email]), ll.c.count > 0)
            .values(count=ll.c.count - 1)
        )
        self._insert_missing(known, 0, now)
        self.conn.execute(update(ll).where(ll.c.key == known).values(window_start=now))
        return self.user(row.id)

    def reserve_signup(self, client: str = "") -> None:
        """Count a sign-up from this client address, or raise TooManyAttempts."""
        limit = config.signups_per_hour(DEFAULT_SIGNUPS_PER_HOUR)
        if not self._reserve("signup:" + client[:40], limit, SIGNUP_WINDOW):
            raise TooManyAttempts("too many sign-ups from this address; try again in an hour")

    def issue_token(self, user: User, kind: str = "session") -> str:
        secret = secrets.token_urlsafe(32)
        days = SESSION_DAYS if kind == "session" else TOKEN_DAYS
        now = _now()
        self.conn.execute(
            insert(t.auth_tokens).values(
                user_id=user.id,
                token_hash=token_hash(secret),
                kind=kind,
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
        return secret

    def user_for_token(self, secret: str, kind: str) -> User | None:
        if not secret or len(secret) > 200:
            return None
        row = self.conn.execute(
            _token_query(), {"hash": token_hash(secret), "kind": kind, "now": _now()}
        ).first()
        return None if row is None else self._user(row)

    def revoke_token(self, secret: str) -> None:
        self.conn.execute(
            delete(t.auth_tokens).where(t.auth_tokens.c.token_hash == token_hash(secret))
        )

    def _revoke_all(self, user_id: int, keep: str | None = None) -> None:
        """Log out everywhere (but `keep`), and revoke the athlete's calendar address: it is a
        credential too, and a changed password means someone may have had the old one."""
        q = delete(t.auth_tokens).where(t.auth_tokens.c.user_id == user_id)
        if keep:
            q = q.where(t.auth_tokens.c.token_hash != token_hash(keep))
        self.conn.execute(q)
        athlete_id = self.conn.execute(
            select(t.user_athletes.c.athlete_id).where(t.user_athletes.c.user_id == user_id)
        ).scalar()
        if athlete_id is not None:
            ct = t.calendar_tokens
            self.conn.execute(
                update(ct)
                .where(ct.c.athlete_id == athlete_id, ct.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            )

    # -- passwords --

    def change_password(
        self, user: User, current: str, new: str, keep_session: str | None = None
    ) -> None:
        stored = self.conn.execute(
            select(t.users.c.password_hash).where(t.users.c.id == user.id)
        ).scalar_one()
        if not verify_password(stored, current or ""):
            raise Invalid("the current password is not right; nothing was changed")
        check_password_rules(new, user.email, user.name)
        self._set_password(user.id, new)
        self._revoke_all(user.id, keep=keep_session)  # log out everywhere else

    def _set_password(self, user_id: int, new: str) -> None:
        self.conn.execute(
            update(t.users).where(t.users.c.id == user_id).values(password_hash=hash_password(new))
        )

    def reset_password(self, email: str) -> str:
        """A new random password for the account (server-side reset); all sessions end."""
        user = self.user_by_email(email)
        temporary = secrets.token_urlsafe(9)
        self._set_password(user.id, temporary)
        self._revoke_all(user.id)
        return temporary

    # -- password reset by an e-mailed link (issue 15) --

    def request_reset(self, email: str) -> tuple[User, str] | None:
        """A single-use link token for this account (valid RESET_MINUTES), or None when there
        is no such account or a link was made less than RESET_GAP ago (no mail bombing). Only
        the newest link works: asking again voids the older ones."""
        try:
            user = self.user_by_email(email)
        except NotFound:
            return None
        pr = t.password_resets
        now = _now()
        recent = self.conn.execute(
            select(pr.c.id).where(
                pr.c.user_id == user.id, pr.c.used_at.is_(None), pr.c.created_at > now - RESET_GAP
            )
        ).first()
        if recent is not None:
            return None
        self.conn.execute(delete(pr).where(pr.c.user_id == user.id))
        secret = secrets.token_urlsafe(32)
        self.conn.execute(
            insert(pr).values(
                user_id=user.id,
                token_hash=token_hash(secret),
                created_at=now,
                expires_at=now + timedelta(minutes=RESET_MINUTES),
            )
        )
        return user, secret

    def _reset_row(self, secret: str) -> Any:
        return self._link_row(t.password_resets, secret)

    def reset_link_valid(self, secret: str) -> bool:
        return self._reset_row(secret) is not None

    def reset_with_link(self, secret: str, new: str) -> User:
        """Set a new password with a reset link's token: the link is used up and every session
        of the account ends."""
        row = self._reset_row(secret)
        if row is None:
            raise Invalid(
                "this reset link is unknown, used or expired; ask for a new one from the login page"
            )
        user = self.user(row.user_id)
        check_password_rules(new, user.email, user.name)
        taken = self.conn.execute(
            update(t.password_resets)
            .where(t.password_resets.c.id == row.id, t.password_resets.c.used_at.is_(None))
            .values(used_at=_now())
        ).rowcount
        if not taken:
            raise Invalid("this reset link has just been used; ask for a new one")
        self._set_password(user.id, new)
        self._revoke_all(user.id)
        return user

    def delete_account(self, user: User, password: str) -> None:
        stored = self.conn.execute(
            select(t.users.c.password_hash).where(t.users.c.id == user.id)
        ).scalar_one()
        if not verify_password(stored, password or ""):
            raise Invalid("the password is not right; nothing was deleted")
        if user.athlete_id is not None:
            self.conn.execute(
                delete(t.coach_links).where(t.coach_links.c.athlete_id == user.athlete_id)
            )
            self.conn.execute(
                update(t.invites)
                .where(t.invites.c.athlete_id == user.athlete_id)
                .values(athlete_id=None)
            )
            self.conn.execute(delete(t.user_athletes).where(t.user_athletes.c.user_id == user.id))
            self.svc.delete_athlete(self.svc.athlete_by_id(user.athlete_id))
        else:
            self.conn.execute(delete(t.coach_links).where(t.coach_links.c.coach_id == user.id))
            self.conn.execute(delete(t.invites).where(t.invites.c.coach_id == user.id))
        self.conn.execute(delete(t.auth_tokens).where(t.auth_tokens.c.user_id == user.id))
        self.conn.execute(delete(t.users).where(t.users.c.id == user.id))

    def export(self, user: User) -> dict[str, Any]:
        """Everything that belongs to the user: the account and (athletes) the training log."""
        data = self.svc.export([self.own_athlete(user)]) if user.athlete_id else {}
        account = {k: v for k, v in user.as_dict().items() if k != "id"}
        coaches = []
        if user.athlete_id is not None:
            coaches = [
                r.email
                for r in self.conn.execute(
                    select(t.users.c.email)
                    .join(t.coach_links, t.coach_links.c.coach_id == t.users.c.id)
                    .where(t.coach_links.c.athlete_id == user.athlete_id)
                )
            ]
        return {**data, "account": {**account, "coaches": coaches}}

    # -- who may see which athlete --

    def own_athlete(self, user: User) -> Athlete:
        if user.athlete_id is None:
            raise Forbidden("this page is for athletes; coaches see their athletes under Coach")
        return self.svc.athlete_by_id(user.athlete_id)

    def athlete_for(self, user: User, athlete_id: int) -> Athlete:
        """The athlete if this user may see it; NotFound otherwise (never confirm it exists)."""
        allowed = user.athlete_id == athlete_id
        if not allowed and user.role == "coach":
            allowed = (
                self.conn.execute(
                    select(t.coach_links.c.athlete_id).where(
                        t.coach_links.c.coach_id == user.id,
                        t.coach_links.c.athlete_id == athlete_id,
                    )
                ).first()
                is not None
            )
        if not allowed:
            raise NotFound(f"no athlete with id {athlete_id} that you can see")
        return self.svc.athlete_by_id(athlete_id)

    def athlete_and_version(self, user: User, athlete_id: int) -> tuple[Athlete, tuple[Any, ...]]:
        """athlete_for() and data_version() together, in one query for the athlete themself
        (the hot path of the plan and Today)."""
        if user.athlete_id != athlete_id:
            self.athlete_for(user, athlete_id)  # NotFound unless a linked coach
        version = self.data_version(athlete_id)
        row = next((r for r in version if r[0] == "athlete"), None)
        if row is None:
            raise NotFound(f"no athlete with id {athlete_id} that you can see")
        name, _, tz = str(row[3]).rpartition("|")
        return Athlete(athlete_id, name, tz), version

    def coach_athlete(self, user: User, athlete_id: int) -> Athlete:
        """For coach-only actions: a linked athlete (anyone else's id is 'not found')."""
        if user.role != "coach":
            self.athlete_for(user, athlete_id)  # 404 for someone else's id
            raise Forbidden("only a linked coach can do this")
        return self.athlete_for(user, athlete_id)

    # -- coach links --

    def create_invite(self, coach: User) -> str:
        if coach.role != "coach":
            raise Forbidden("only coaches create invite codes")
        code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
        now = _now()
        self.conn.execute(
            insert(t.invites).values(
                code=code,
                coach_id=coach.id,
                created_at=now,
                expires_at=now + timedelta(days=INVITE_DAYS),
            )
        )
        return code

    def open_invites(self, coach: User) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(t.invites)
            .where(
                t.invites.c.coach_id == coach.id,
                t.invites.c.used_at.is_(None),
                t.invites.c.expires_at > _now(),
            )
            .order_by(t.invites.c.id)
        ).all()
        return [{"code": r.code, "expires": r.expires_at.date().isoformat()} for r in rows]

    def accept_invite(self, user: User, code: str) -> User:
        """The athlete accepts a coach's code; returns the coach."""
        athlete = self.own_athlete(user)
        code = (code or "").strip().upper()
        row = self.conn.execute(select(t.invites).where(t.invites.c.code == code[:32])).first()
        if row is None or row.used_at is not None or row.expires_at <= _now():
            raise Invalid(
                f"the invite code '{code[:32]}' is unknown, used or expired; ask your coach for "
                "a new one"
            )
        linked = self.conn.execute(
            select(t.coach_links.c.coach_id).where(
                t.coach_links.c.coach_id == row.coach_id, t.coach_links.c.athlete_id == athlete.id
            )
        ).first()
        if linked is None:
            self.conn.execute(
                insert(t.coach_links).values(
                    coach_id=row.coach_id, athlete_id=athlete.id, created_at=_now()
                )
            )
        self.conn.execute(
            update(t.invites)
            .where(t.invites.c.id == row.id)
            .values(used_at=_now(), athlete_id=athlete.id)
        )
        return self.user(row.coach_id)

    def coaches_of(self, user: User) -> list[User]:
        if user.athlete_id is None:
            return []
        ids = self.conn.execute(
            select(t.coach_links.c.coach_id).where(t.coach_links.c.athlete_id == user.athlete_id)
        ).scalars()
        return [self.user(i) for i in ids]

    def unlink_coach(self, user: User, coach_id: int) -> None:
        athlete = self.own_athlete(user)
        self.conn.execute(
            delete(t.coach_links).where(
                t.coach_links.c.coach_id == coach_id, t.coach_links.c.athlete_id == athlete.id
            )
        )

    def linked_athletes(self, coach: User) -> list[Athlete]:
        if coach.role != "coach":
            raise Forbidden("only coaches have linked athletes")
        ids = self.conn.execute(
            select(t.coach_links.c.athlete_id).where(t.coach_links.c.coach_id == coach.id)
        ).scalars()
        return sorted((self.svc.athlete_by_id(i) for i in ids), key=lambda a: a.name)

    # -- the coach's view of an athlete --

    def adherence(self, athlete: Athlete, today: date | None = None) -> dict[str, Any]:
        """Minutes done / minutes planned over the last 7 and 28 days, today included."""
        today = today or athlete.today()
        planner = self.svc.planner(athlete)
        log = planner.log
        done_by_day: dict[date, float] = {}
        for d in log.drill_logs:
            if not d.skipped:
                done_by_day[d.date] = done_by_day.get(d.date, 0.0) + d.minutes
        out: dict[str, Any] = {}
        planned_by_day: dict[date, int] = {}
        for n in range(0, 28):
            day = today - timedelta(days=n)
            started = planner.since is None or day >= planner.since
            planned_by_day[day] = planner.day(day).total_minutes if started else 0
        for window in (7, 28):
            days = [today - timedelta(days=n) for n in range(window)]
            planned = sum(planned_by_day[d] for d in days)
            done = sum(done_by_day.get(d, 0.0) for d in days)
            out[f"last_{window}_days"] = {
                "planned_minutes": planned,
                "done_minutes": round(done, 1),
                "ratio": None if planned == 0 else round(min(done / planned, 1.0), 3),
            }
        return out

    def flags(self, athlete: Athlete, today: date | None = None) -> dict[str, Any]:
        today = today or athlete.today()
        plan = self.svc.plan_day(athlete, today)
        profile = self.svc.profile(athlete, today)
        recent_flags = sorted(
            {
                f
                for c in self.svc.athlete_log(athlete).check_ins
                if c.date > today - timedelta(days=28)
                for f in c.flags
            }
        )
        return {
            "paused": plan.safety.paused,
            "safety_level": plan.safety.level,
            "advice": " ".join(plan.safety.advice),
            "red_flags": recent_flags,
            "asymmetries": [m.motion for m in profile.motions if m.asymmetry_flagged],
            "priorities": list(profile.priorities),
        }

    def data_version(self, athlete_id: int) -> tuple[Any, ...]:
        """A cheap fingerprint of everything a plan depends on (changes whenever a row is added,
        removed or the athlete is edited), so faces can cache derived plans safely."""
        rows = self.conn.execute(_version_query(), {"aid": athlete_id}).all()
        return tuple(sorted((tuple(r) for r in rows), key=lambda r: str(r[0])))

    # -- the demo --

    def ensure_demo_accounts(self) -> list[tuple[str, str, str]]:
        """The demo athlete's and the demo coach's logins (created once, linked together)."""
        from triplane.usecases.demo import DEMO_NAME

        demo = next((a for a in self.svc.athletes() if a.name == DEMO_NAME), None)
        if demo is None:
            raise NotFound("the demo athlete is missing: run `triplane --demo demo --ensure`")
        out = []
        for email, password, name, role in (DEMO_ATHLETE, DEMO_COACH):
            user_id = self.conn.execute(
                select(t.users.c.id).where(t.users.c.email == email)
            ).scalar()
            if user_id is None:
                user_id = t.inserted_id(
                    self.conn.execute(
                        insert(t.users).values(
                            email=email,
                            name=name,
                            role=role,
                            password_hash=hash_password(password),
                            created_at=_now(),
                        )
                    )
                )
            if role == "athlete":
                self.conn.execute(
                    delete(t.user_athletes).where(t.user_athletes.c.user_id == user_id)
                )
                self.conn.execute(
                    delete(t.user_athletes).where(t.user_athletes.c.athlete_id == demo.id)
                )
                self.link_user_athlete(user_id, demo.id)
            else:
                self.conn.execute(
                    delete(t.coach_links).where(
                        t.coach_links.c.coach_id == user_id, t.coach_links.c.athlete_id == demo.id
                    )
                )
                self.conn.execute(
                    insert(t.coach_links).values(
                        coach_id=user_id, athlete_id=demo.id, created_at=_now()
                    )
                )
            out.append((email, password, role))
        return out

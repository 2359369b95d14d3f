"""What every route needs: one transaction per request, the signed-in user, the plan cache.

Routes are plain `def` functions (FastAPI runs them in its threadpool: planning is CPU-bound and
synchronous), and each one opens exactly one transaction with `ctx(request).tx()`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request

from triplane.core.catalogue import Catalogue
from triplane.core.errors import Unauthenticated
from triplane.usecases.accounts import Accounts, User
from triplane.usecases.athletes import current_catalogue
from triplane.usecases.service import Athlete
from triplane.usecases.work import Work
from triplane.web import security


class PlanCache:
    """Derived views by (athlete, day, today, data version): never stale, because the version
    changes with every row they depend on. Plan-day JSON is kept serialised, ready to send."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Any value whose key holds everything it is made from (the data version included)."""
        return self._get(key, make)

    def _key(
        self,
        kind: str,
        acc: Accounts,
        athlete: Athlete,
        day: date | None,
        version: tuple[Any, ...] | None = None,
    ) -> tuple[Any, ...]:
        today = athlete.today()
        if version is None:
            version = acc.data_version(athlete.id)
        return (kind, athlete.id, day or today, today, version)

    def plan_day_json(
        self, acc: Accounts, athlete: Athlete, day: date | None, version: tuple[Any, ...]
    ) -> bytes:
        def make() -> bytes:
            return _dumps(acc.svc.plan_day(athlete, day or athlete.today()).as_dict())

        return self._get(self._key("json", acc, athlete, day, version), make)  # type: ignore[no-any-return]

    def plan_day(self, acc: Accounts, athlete: Athlete, day: date | None) -> dict[str, Any]:
        key = self._key("plan", acc, athlete, day)
        return self._get(  # type: ignore[no-any-return]
            key, lambda: acc.svc.plan_day(athlete, day or athlete.today()).as_dict()
        )

    def derived(
        self,
        kind: str,
        acc: Accounts,
        athlete: Athlete,
        day: date,
        make: Callable[[], Any],
        version: tuple[Any, ...] | None = None,
    ) -> Any:
        return self._get(self._key(kind, acc, athlete, day, version), make)


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


CATALOGUE_SECONDS = 2.0  # a coach's drill files are re-read at most this often per process


class WebContext:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.plans = PlanCache()
        self._catalogue: tuple[float, Catalogue] | None = None

    def catalogue(self) -> Catalogue:
        """The catalogue, re-read (coach's drill folder included) at most every 2 s: loading
        it stats and parses that folder, which cost more than a whole cached request."""
        now = time.monotonic()
        held = self._catalogue
        if held is None or now - held[0] > CATALOGUE_SECONDS:
            held = self._catalogue = (now, current_catalogue())
        return held[1]

    @contextmanager
    def tx(self) -> Iterator[Accounts]:
        """One transaction; the catalogue from this process's copy (see catalogue())."""
        with self.engine.begin() as conn:
            yield Work(conn, self.catalogue()).accounts


def work(acc: Accounts) -> Work:
    """The request's unit of work, whose accounts group `acc` is (WebContext.tx opens it)."""
    svc = acc.svc
    assert isinstance(svc, Work)
    return svc


def ctx(request: Request) -> WebContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_with_password(
    request: Request, email: str, password: str, kind: str
) -> tuple[User, str, str]:
    """The login limits' counter first, committed on its own (so parallel guesses see it),
    then the password check and a new token: (user, secret, a new device cookie to set)."""
    c = ctx(request)
    client = client_key(request)
    with c.tx() as acc:
        device = acc.device_for(request.cookies.get(security.DEVICE_COOKIE), email)
        acc.reserve_login(email, client, device)
    with c.tx() as acc:
        user = acc.login(email, password, client, device)
        return user, acc.issue_token(user, kind), acc.device_cookie(email)


def signup_user(
    request: Request,
    email: str,
    password: str,
    name: str,
    role: str,
    tz: str | None,
    kind: str | None = None,
) -> tuple[User | None, str | None, str | None]:
    """(user, token secret, None) when the account is made at once (local mode: no e-mail on
    this server), or (None, None, the sentence to show) when a link was e-mailed: the same
    answer for a new address and a taken one. Sign-ups are throttled per client address
    (counted in a transaction of their own)."""
    from triplane.usecases import mail

    c = ctx(request)
    with c.tx() as acc:
        acc.reserve_signup(client_key(request))
    if mail.verifies_signups():
        return None, None, mail.send_signup_link(c.engine, email, password, name, role, tz)
    with c.tx() as acc:
        user = acc.signup(email, password, name, role, tz)
        return user, acc.issue_token(user, kind) if kind else None, None


def confirm_signup(request: Request, token: str, kind: str) -> tuple[User, str]:
    """The account of an e-mailed sign-up link, and a token for it (the person is signed in)."""
    with ctx(request).tx() as acc:
        user = acc.confirm_signup(token)
        return user, acc.issue_token(user, kind)


def token_user(request: Request, acc: Accounts, secret: str, kind: str) -> User | None:
    """The token's user, looked up once per request (a route and its helpers may all ask)."""
    seen = request.scope.setdefault("triplane.token_users", {})
    key = (kind, secret)
    if key not in seen:
        seen[key] = acc.user_for_token(secret, kind)
    return seen[key]  # type: ignore[no-any-return]


def api_user(request: Request, acc: Accounts) -> User:
    """A bearer token, or the browser's session cookie (then unsafe methods need the CSRF
    header). No valid credentials: 401."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("send the token as 'Authorization: Bearer TOKEN'")
        user = token_user(request, acc, secret.strip(), "api")
        if user is None:
            raise Unauthenticated(
                "this token is unknown or expired; get a new one from /auth/token"
            )
        return user
    session = request.cookies.get(security.SESSION_COOKIE)
    if session:
        user = token_user(request, acc, session, "session")
        if user is not None:
            if request.method not in security.SAFE_METHODS and not security.csrf_ok(
                request, request.headers.get(security.CSRF_HEADER)
            ):
                raise Unauthenticated("this request lacks its X-CSRF-Token header; reload the page")
            return user
    raise Unauthenticated(
        "sign in first: POST /api/v1/auth/token, then send 'Authorization: Bearer TOKEN'"
    )


def page_user(request: Request, acc: Accounts) -> User | None:
    session = request.cookies.get(security.SESSION_COOKIE)
    return token_user(request, acc, session, "session") if session else None

"""Web security in one place: session cookies, CSRF tokens, security headers.

- Sessions: a random secret in an HttpOnly, SameSite=Lax cookie (Secure whenever the request
  came over HTTPS, directly or through a proxy that says so); the database keeps its SHA-256.
- CSRF: with a session, the form token is derived from the session secret (an attacker without
  the cookie can't compute it); before login, a random double-submit cookie. Every unsafe
  request of a page, and every cookie-authenticated API call, must carry it (form field `csrf`
  or header `X-CSRF-Token`).
- Headers: a CSP without inline script, frame-ancestors 'none', nosniff, a referrer policy.
- Bodies: every request body is capped while it streams (1 MB; the video upload has its own
  limit), answering 413 before anything is parsed; multipart bodies go only to upload routes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "tp_session"
PRE_COOKIE = "tp_csrf"
DEVICE_COOKIE = "tp_device"  # signed, set by a successful login: see Accounts.device_cookie
DEVICE_DAYS = 365
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# SVG figures are shown with <img>, where no script can run; they carry their own styles.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), screen-wake-lock=(self)"),
]


class SecurityHeaders:
    """Pure ASGI middleware (cheap): adds the headers to every response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = is_https_scope(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in HEADERS if k not in present)
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


DEFAULT_BODY_LIMIT = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a body passes its limit; FastAPI and Starlette re-raise
    HTTPExceptions from body parsing, so it becomes the app's 413 page or JSON."""

    def __init__(self, limit: int) -> None:
        mb = limit / (1024 * 1024)
        size = f"{mb:.0f} MB" if mb >= 1 else f"{limit // 1024} kB"
        super().__init__(413, f"the request is larger than {size}; nothing was saved")


class BodyLimit:
    """Pure ASGI middleware: caps every request body while it streams (the bytes counted as
    they arrive, so a chunked body without Content-Length is capped too). A declared
    Content-Length over the limit gets 413 at once, before the app runs. Multipart bodies are
    taken only by the upload routes (`uploads`: path -> its limit), 415 elsewhere, so no
    other route parses or spools one. No I/O per request: two header looks and a counter."""

    def __init__(
        self,
        app: ASGIApp,
        default: int = DEFAULT_BODY_LIMIT,
        uploads: Mapping[str, Callable[[], int]] | None = None,
    ) -> None:
        self.app = app
        self.default = default
        self.uploads = dict(uploads or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = self.uploads.get(scope["path"])
        limit = upload() if upload is not None else self.default
        declared, kind = None, b""
        for key, value in scope["headers"]:
            if key == b"content-length":
                declared = value
            elif key == b"content-type":
                kind = value
        if upload is None and is_multipart(kind):
            await _reply(scope, send, 415, "this address takes no file uploads")
            return
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _reply(scope, send, 413, str(BodyTooLarge(limit).detail))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge as exc:  # raised where no handler turned it into a response
            if not started:
                await _reply(scope, send, 413, str(exc.detail))


async def _reply(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body, kind = f"{status}: {message}\n".encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def is_multipart(content_type: str | bytes) -> bool:
    kind = content_type.encode("latin-1") if isinstance(content_type, str) else content_type
    return kind[:19].lower() == b"multipart/form-data"


def is_https_scope(scope: Scope) -> bool:
    return scope.get("scheme") == "https"


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def csrf_for_session(session_secret: str) -> str:
    return hashlib.sha256(("csrf|" + session_secret).encode()).hexdigest()[:40]


def csrf_token(request: Request) -> str:
    """The token the page must send back with its forms."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return csrf_for_session(session)
    token = request.cookies.get(PRE_COOKIE) or getattr(request.state, "new_pre_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_pre_csrf = token
    return token


def set_pre_csrf_cookie(request: Request, response: Response) -> None:
    token = getattr(request.state, "new_pre_csrf", None)
    if token:
        response.set_cookie(
            PRE_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request)
        )


def csrf_possible(request: Request) -> bool:
    """False when no token could be right (no session, no pre-login cookie): then a form is
    refused before its body is parsed."""
    return bool(request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_COOKIE))


def csrf_ok(request: Request, sent: str | None) -> bool:
    if not sent:
        return False
    session = request.cookies.get(SESSION_COOKIE)
    expected = csrf_for_session(session) if session else request.cookies.get(PRE_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    response.delete_cookie(PRE_COOKIE, path="/")


def set_device_cookie(request: Request, response: Response, value: str) -> None:
    """The device cookie of a successful login (see Accounts.device_cookie), for a year."""
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")

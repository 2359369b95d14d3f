"""Every TRIPLANE_* setting, read in this one module (no other module reads os.environ).

    TRIPLANE_DATABASE_URL the database (a SQLAlchemy URL; default: a SQLite file in the user
                          data folder); --db overrides it
    TRIPLANE_DEMO         1: `create_app_from_env` serves the demo database
    TRIPLANE_SCHEDULER    off: a SQLite server leaves reminders to cron
    TRIPLANE_DRILLS_DIR   a coach's own drill files (default: `drills` in the data folder)
    TRIPLANE_CACHE_DIR    where the parsed catalogue is cached (default: $XDG_CACHE_HOME or
                          ~/.cache, then triplane/)
    TRIPLANE_SIGNUPS_PER_HOUR  sign-ups allowed per client address and hour (default 10)
    TRIPLANE_UPLOAD_DIR   where uploaded clips wait for analysis (default: `uploads` in the
                          data folder; shared with the workers)
    TRIPLANE_VIDEO_MAX_MB the largest clip accepted (default 200)
    TRIPLANE_SMTP_URL     smtp://user:pass@host:587?starttls=1  (smtps://host:465 for TLS)
    TRIPLANE_SMTP_FROM    the From address, e.g. "Triplane <coach@example.org>"
    TRIPLANE_NTFY_URL     the ntfy server, e.g. https://ntfy.sh or http://ntfy.local
    TRIPLANE_NTFY_TOKEN   an ntfy access token (optional)
    TRIPLANE_PUBLIC_URL   the app's address as people reach it, for links in e-mails and
                          notifications (default http://localhost:8000)
    TRIPLANE_VAPID_SUBJECT  the contact in Web Push VAPID claims (default: mailto:<From>)

Nothing here imports a framework or the store. Each value is read when it is asked for (a
test's monkeypatch and a server's environment both hold). `triplane serve` passes the resolved
database on to its worker processes through TRIPLANE_DATABASE_URL (with several workers only:
they import the app); nothing else writes the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from triplane.core.errors import Invalid

DATABASE_URL = "TRIPLANE_DATABASE_URL"
DEMO = "TRIPLANE_DEMO"
SCHEDULER = "TRIPLANE_SCHEDULER"
DRILLS_DIR = "TRIPLANE_DRILLS_DIR"
CACHE_DIR = "TRIPLANE_CACHE_DIR"
SIGNUPS_PER_HOUR = "TRIPLANE_SIGNUPS_PER_HOUR"
UPLOAD_DIR = "TRIPLANE_UPLOAD_DIR"
VIDEO_MAX_MB = "TRIPLANE_VIDEO_MAX_MB"
SMTP_URL = "TRIPLANE_SMTP_URL"
SMTP_FROM = "TRIPLANE_SMTP_FROM"
NTFY_URL = "TRIPLANE_NTFY_URL"
NTFY_TOKEN = "TRIPLANE_NTFY_TOKEN"
PUBLIC_URL = "TRIPLANE_PUBLIC_URL"
VAPID_SUBJECT = "TRIPLANE_VAPID_SUBJECT"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
_TRUE = ("1", "true", "yes", "on")


def _get(name: str) -> str:
    return os.environ.get(name, "").strip()


def database_url() -> str | None:
    return _get(DATABASE_URL) or None


def demo() -> bool:
    return _get(DEMO) == "1"


def scheduler_off() -> bool:
    return _get(SCHEDULER) == "off"


def drills_dir() -> Path | None:
    return Path(_get(DRILLS_DIR)) if _get(DRILLS_DIR) else None


def cache_dir() -> Path:
    base = _get(CACHE_DIR) or _get("XDG_CACHE_HOME")
    return Path(base) / "triplane" if base else Path.home() / ".cache" / "triplane"


def signups_per_hour(default: int) -> int:
    try:
        return int(_get(SIGNUPS_PER_HOUR) or default)
    except ValueError:
        return default


def upload_dir() -> Path | None:
    return Path(_get(UPLOAD_DIR)).expanduser() if _get(UPLOAD_DIR) else None


def video_max_mb(default: float) -> float:
    try:
        return float(_get(VIDEO_MAX_MB) or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    ssl: bool
    sender: str
    timeout: float = 20.0


def smtp() -> Smtp | None:
    """The SMTP server from TRIPLANE_SMTP_URL, or None when e-mail is not set up."""
    from email.utils import parseaddr
    from urllib.parse import parse_qs, unquote, urlsplit

    url = os.environ.get(SMTP_URL, "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise Invalid(
            f"{SMTP_URL} is a URL like smtp://user:pass@host:587?starttls=1, not '{url[:60]}'"
        )
    query = parse_qs(parts.query)
    ssl = parts.scheme == "smtps"
    starttls = query.get("starttls", ["0"])[0].lower() in _TRUE
    sender = os.environ.get(SMTP_FROM, "").strip()
    if not sender or "@" not in parseaddr(sender)[1]:
        raise Invalid(f"e-mail needs a From address: set {SMTP_FROM}, e-g. coach@example.org")
    try:
        port = parts.port or (465 if ssl else 587 if starttls else 25)
    except ValueError:
        raise Invalid(f"{SMTP_URL} has a port that is not a number") from None
    return Smtp(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls,
        ssl=ssl,
        sender=sender,
    )


def ntfy_url() -> str | None:
    url = os.environ.get(NTFY_URL, "").strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise Invalid(f"{NTFY_URL} is a URL like https://ntfy.sh, not '{url[:60]}'")
    return url or None


def ntfy_token() -> str | None:
    return os.environ.get(NTFY_TOKEN, "").strip() or None


def public_url() -> str:
    return (os.environ.get(PUBLIC_URL, "").strip() or DEFAULT_PUBLIC_URL).rstrip("/")


def vapid_subject() -> str:
    from email.utils import parseaddr

    subject = os.environ.get(VAPID_SUBJECT, "").strip()
    if subject:
        return subject
    address = parseaddr(os.environ.get(SMTP_FROM, ""))[1]
    return f"mailto:{address or 'admin@triplane.local'}"

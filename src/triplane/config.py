"""The TRIPLANE_* settings of the reminders, e-mail and queue (issue 15), read in one place.

    TRIPLANE_SMTP_URL     smtp://user:pass@host:587?starttls=1  (smtps://host:465 for TLS)
    TRIPLANE_SMTP_FROM    the From address, e.g. "Triplane <coach@example.org>"
    TRIPLANE_NTFY_URL     the ntfy server, e.g. https://ntfy.sh or http://ntfy.local
    TRIPLANE_NTFY_TOKEN   an ntfy access token (optional)
    TRIPLANE_PUBLIC_URL   the app's address as people reach it, for links in e-mails and
                          notifications (default http://localhost:8000)
    TRIPLANE_VAPID_SUBJECT  the contact in Web Push VAPID claims (default: mailto:<From>)

Nothing here imports a framework; values are read when asked for, so tests can set them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from triplane.usecases.service import Invalid

SMTP_URL = "TRIPLANE_SMTP_URL"
SMTP_FROM = "TRIPLANE_SMTP_FROM"
NTFY_URL = "TRIPLANE_NTFY_URL"
NTFY_TOKEN = "TRIPLANE_NTFY_TOKEN"
PUBLIC_URL = "TRIPLANE_PUBLIC_URL"
VAPID_SUBJECT = "TRIPLANE_VAPID_SUBJECT"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
_TRUE = ("1", "true", "yes", "on")


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
    subject = os.environ.get(VAPID_SUBJECT, "").strip()
    if subject:
        return subject
    address = parseaddr(os.environ.get(SMTP_FROM, ""))[1]
    return f"mailto:{address or 'admin@triplane.local'}"
